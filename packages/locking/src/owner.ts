import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { isProcessAlive, readProcessStat } from './process-info.js';

/**
 * Who holds a lock: written once, when the lock is created, into `<file>.lock/owner-<token>.json`.
 */
export interface LockOwner {
  /** Random per acquisition; names the record file, so a takeover removes exactly this owner. */
  token: string;
  pid: number;
  hostname: string;
  /** Linux boot id (`/proc/sys/kernel/random/boot_id`), null elsewhere. */
  bootId: string | null;
  /** Linux pid namespace (`/proc/self/ns/pid`), so containers sharing a host name stay apart. */
  pidNamespace: string | null;
  /** Start time of `pid` (`/proc/<pid>/stat` field 22, clock ticks since boot): detects pid reuse. */
  startTime: string | null;
  /** ISO time of the acquisition, for diagnostics only. */
  acquiredAt: string;
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

let hostIdentity: Pick<LockOwner, 'hostname' | 'bootId' | 'pidNamespace'> | undefined;

function getHostIdentity(): Pick<LockOwner, 'hostname' | 'bootId' | 'pidNamespace'> {
  hostIdentity ??= {
    hostname: hostname(),
    bootId: readOptional('/proc/sys/kernel/random/boot_id'),
    pidNamespace: readPidNamespace(),
  };
  return hostIdentity;
}

function readPidNamespace(): string | null {
  try {
    // A symlink such as `pid:[4026531836]`.
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

let selfStartTime: string | null | undefined;

export function createOwnerRecord(): LockOwner {
  selfStartTime ??= readProcessStat('self')?.startTime ?? null;
  return {
    token: randomBytes(8).toString('hex'),
    pid: process.pid,
    ...getHostIdentity(),
    startTime: selfStartTime,
    acquiredAt: new Date().toISOString(),
  };
}

/** True when the owner ran on this machine, in this pid namespace, in this boot. */
export function isLocalOwner(owner: LockOwner): boolean {
  const self = getHostIdentity();
  return (
    owner.hostname === self.hostname &&
    owner.bootId === self.bootId &&
    owner.pidNamespace === self.pidNamespace
  );
}

/**
 * Whether a local owner's process still runs ({@link isProcessAlive}: exists, not a zombie, and
 * started when the owner did, so a reused pid does not count).
 */
export function isLocalOwnerAlive(owner: LockOwner): boolean {
  return isProcessAlive(owner.pid, { startTime: owner.startTime });
}

export function parseOwnerRecord(text: string): LockOwner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const isNullableString = (x: unknown) => x === null || typeof x === 'string';
  if (
    typeof record.token !== 'string' ||
    !Number.isInteger(record.pid) ||
    typeof record.hostname !== 'string' ||
    !isNullableString(record.bootId) ||
    !isNullableString(record.pidNamespace) ||
    !isNullableString(record.startTime) ||
    typeof record.acquiredAt !== 'string'
  ) {
    return undefined;
  }
  return record as unknown as LockOwner;
}
