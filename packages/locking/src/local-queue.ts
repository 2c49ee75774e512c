import type { LockWait } from './lock-wait.js';

interface LocalQueue {
  busy: boolean;
  waiters: Array<() => void>;
}

const queues = new Map<string, LocalQueue>();

/** Gives up this caller's turn; the next local caller (if any) goes on. */
export type LeaveLocalQueue = () => void;

/**
 * Callers in this process that lock one file take turns here, first come first served, so only
 * one of them at a time competes for the lock folder with other processes.
 */
export function enterLocalQueue(key: string, wait: LockWait): Promise<LeaveLocalQueue> {
  let queue = queues.get(key);
  if (!queue) {
    queue = { busy: false, waiters: [] };
    queues.set(key, queue);
  }
  const current = queue;
  let left = false;
  const leave: LeaveLocalQueue = () => {
    if (left) return;
    left = true;
    const next = current.waiters.shift();
    if (next) return next();
    current.busy = false;
    if (queues.get(key) === current) queues.delete(key);
  };
  if (!current.busy) {
    current.busy = true;
    return Promise.resolve(leave);
  }
  return new Promise((resolve, reject) => {
    const grant = () => {
      stop();
      resolve(leave);
    };
    const stop = wait.onCancel((error) => {
      const index = current.waiters.indexOf(grant);
      if (index === -1) return;
      current.waiters.splice(index, 1);
      stop();
      reject(error);
    });
    current.waiters.push(grant);
  });
}
