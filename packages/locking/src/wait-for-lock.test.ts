import { describe, expect, it } from 'vitest';
import { LockAbortError, LockTimeoutError } from './errors.js';
import type { LockInspection, LockState } from './inspect-lock.js';
import { LOCK_STATES } from './inspect-lock.js';
import { LockWait } from './lock-wait.js';
import { waitForLock } from './wait-for-lock.js';

/**
 * The loop's steps, injected: every attempt is refused and every look finds `state`, as if the
 * lock changed hands between each attempt and look (which no test can arrange for real). Counts
 * the attempts.
 */
function refusedEveryTime(state: LockState) {
  const counts = { attempts: 0, clears: 0 };
  const inspection: LockInspection = { state, recordName: 'owner-0123456789abcdef.json' };
  const steps = {
    attempt: async () => {
      counts.attempts++;
      return undefined;
    },
    inspect: () => inspection,
    clear: () => {
      counts.clears++;
    },
  };
  return { counts, steps };
}

describe('waitForLock', () => {
  it.for([LOCK_STATES.free, LOCK_STATES.empty, LOCK_STATES.dead, LOCK_STATES.stale])(
    'holds `timeout: 0` when every look finds the lock %s: one attempt, then ELOCKED',
    async (state) => {
      const { counts, steps } = refusedEveryTime(state);
      const error = await waitForLock(new LockWait('f.json', 0, undefined), steps).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect(counts).toEqual({ attempts: 1, clears: 1 });
    },
  );

  it.for([LOCK_STATES.free, LOCK_STATES.stale, LOCK_STATES.held])(
    'holds a 100 ms deadline when every look finds the lock %s',
    async (state) => {
      const { counts, steps } = refusedEveryTime(state);
      const started = performance.now();
      await expect(
        waitForLock(new LockWait('f.json', 100, undefined), steps),
      ).rejects.toBeInstanceOf(LockTimeoutError);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(99);
      expect(elapsed).toBeLessThan(1_000);
      expect(counts.attempts).toBeGreaterThanOrEqual(1);
    },
  );

  it('stops at an abort on the retry-at-once path too', async () => {
    const { counts, steps } = refusedEveryTime(LOCK_STATES.stale);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('enough')), 50);
    const error = await waitForLock(
      new LockWait('f.json', Infinity, controller.signal),
      steps,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockAbortError);
    expect(error).toMatchObject({ cause: new Error('enough') });
    expect(counts.attempts).toBeGreaterThanOrEqual(1);
  });

  it('attempts again at once after clearing an abandoned lock, and returns the lock', async () => {
    let attempts = 0;
    const cleared: LockInspection[] = [];
    const dead: LockInspection = {
      state: LOCK_STATES.dead,
      recordName: 'owner-0123456789abcdef.json',
    };
    const started = performance.now();
    const lock = await waitForLock(new LockWait('f.json', 5_000, undefined), {
      attempt: async () => (++attempts === 2 ? 'lock' : undefined),
      inspect: () => dead,
      clear: (inspection) => cleared.push(inspection),
    });
    expect(lock).toBe('lock');
    expect(cleared).toEqual([dead]);
    expect(performance.now() - started).toBeLessThan(5); // no backoff on this path
  });
});
