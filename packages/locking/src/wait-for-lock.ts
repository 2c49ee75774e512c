import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LockInspection } from './inspect-lock.js';
import { isAbandoned } from './inspect-lock.js';
import type { LockWait } from './lock-wait.js';

/** The steps {@link waitForLock} takes on one lock folder. */
export interface LockSteps<T> {
  /** One attempt to take the lock; undefined when someone holds it. */
  attempt(): Promise<T | undefined>;
  /** A look at the lock folder. */
  inspect(): LockInspection;
  /** Clears an abandoned lock (see `clearAbandonedLock`) for the next attempt. */
  clear(inspection: LockInspection): void;
}

/**
 * Attempts until the lock is taken. After a refused attempt it looks at the lock folder: an
 * abandoned lock (gone, empty, a dead or stale owner) is cleared and attempted again at once; a
 * held one is looked at again after a backoff. No attempt starts after the deadline or an
 * abort, whichever path the loop takes: the first attempt always runs (`timeout: 0` tries
 * once).
 */
export async function waitForLock<T>(wait: LockWait, steps: LockSteps<T>): Promise<T> {
  wait.throwIfAborted();
  for (;;) {
    const lock = await steps.attempt();
    if (lock !== undefined) return lock;
    let inspection = steps.inspect();
    wait.saw(inspection);
    while (!isAbandoned(inspection.state)) {
      await wait.backoff();
      inspection = steps.inspect();
      wait.saw(inspection);
    }
    steps.clear(inspection);
    // The steps above are synchronous: let timers (the deadline, other locks' refreshes) run
    // before trying again, however often the lock changes hands.
    await yieldToEventLoop();
    wait.check();
  }
}
