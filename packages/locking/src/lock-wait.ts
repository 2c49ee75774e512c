import { backoffDelay } from './backoff-delay.js';
import { LockAbortError, LockTimeoutError } from './errors.js';
import type { LockInspection } from './inspect-lock.js';
import { describeHolder } from './inspect-lock.js';
import { lockDirFor } from './lock-paths.js';

const BACKOFF = { firstMs: 5, maxMs: 100, jitter: true } as const;
// setTimeout fires at once for delays above this; longer waits simply have no deadline timer.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One caller's wait for a lock: its deadline, its abort signal, and jittered exponential backoff
 * between attempts (5–100 ms, {@link backoffDelay}).
 *
 * Not p-retry: the same deadline and signal also end the wait in this process's queue (a timer,
 * not an attempt), and after clearing a dead or stale owner the next attempt comes at once, with
 * no delay; p-retry has neither.
 *
 * Waiters poll rather than watch the folder: with a watch, every release wakes every waiting
 * process at once, and on a busy machine that herd costs the holder more time than it saves.
 */
export class LockWait {
  readonly #file: string;
  readonly #timeoutMs: number;
  readonly #deadline: number;
  readonly #signal: AbortSignal | undefined;
  #attempt = 0;
  /** The last look at the lock folder, to say in the timeout error what held the lock. */
  #lastSeen: LockInspection | undefined;

  constructor(file: string, timeoutMs: number, signal: AbortSignal | undefined) {
    this.#file = file;
    this.#timeoutMs = timeoutMs;
    this.#deadline = Date.now() + timeoutMs;
    this.#signal = signal;
  }

  /** Remembers what the last look at the lock folder found. */
  saw(inspection: LockInspection): void {
    this.#lastSeen = inspection;
  }

  timeoutError(): LockTimeoutError {
    const holder = this.#lastSeen && describeHolder(lockDirFor(this.#file), this.#lastSeen);
    return new LockTimeoutError(this.#file, this.#timeoutMs, { holder });
  }

  abortError(): LockAbortError {
    return new LockAbortError(this.#file, this.#signal?.reason);
  }

  throwIfAborted(): void {
    if (this.#signal?.aborted) throw this.abortError();
  }

  /** Throws if the wait was aborted or its time is up. */
  check(): void {
    this.throwIfAborted();
    if (Date.now() >= this.#deadline) throw this.timeoutError();
  }

  /**
   * Calls `onCancel` with the abort or timeout error once either happens; returns a function
   * that stops listening.
   */
  onCancel(onCancel: (error: Error) => void): () => void {
    const remaining = this.#deadline - Date.now();
    const timer =
      remaining <= MAX_TIMER_MS
        ? setTimeout(() => onCancel(this.timeoutError()), remaining)
        : undefined;
    const onAbort = () => onCancel(this.abortError());
    if (this.#signal?.aborted) queueMicrotask(onAbort);
    else this.#signal?.addEventListener('abort', onAbort, { once: true });
    return () => {
      clearTimeout(timer);
      this.#signal?.removeEventListener('abort', onAbort);
    };
  }

  /**
   * Sleeps for the next backoff delay, less if the deadline comes first. Throws at once if the
   * wait is already over; rejects on abort.
   */
  async backoff(): Promise<void> {
    this.check();
    const delay = backoffDelay(this.#attempt++, BACKOFF);
    const sleepMs = Math.max(0, Math.min(delay, this.#deadline - Date.now()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        resolve();
      }, sleepMs);
      const stop = this.onCancel((error) => {
        if (!(error instanceof LockAbortError)) return;
        clearTimeout(timer);
        stop();
        reject(error);
      });
    });
  }
}
