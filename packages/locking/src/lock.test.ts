import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { blockEventLoop, fabricateLock, test } from '../test/support.js';
import { acquireLock } from './acquire-lock.js';
import { LockCompromisedError, LockReleasedError } from './errors.js';
import { takeOverLock } from './inspect-lock.js';

describe('Lock', () => {
  test('release is idempotent, and the lock refuses use after it', async ({ dir }) => {
    const lock = await acquireLock(join(dir, 'f.json'));
    lock.throwIfCompromised();
    await lock.verify();
    await Promise.all([lock.release(), lock.release()]);
    await lock.release();
    expect(lock.released).toBe(true);
    expect(() => lock.throwIfCompromised()).toThrow(LockReleasedError);
    await expect(lock.verify()).rejects.toMatchObject({ code: 'ERELEASED' });
  });

  test('is compromised when its record is taken away; release then leaves the new owner alone', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    const lock = await acquireLock(file);
    // Another process takes it over, then a new owner moves in.
    expect(takeOverLock(lock.lockDir, `owner-${lock.owner.token}.json`)).toBe(true);
    expect(takeOverLock(lock.lockDir, `owner-${lock.owner.token}.json`)).toBe(false);
    const { recordPath } = await fabricateLock(file, { hostname: 'elsewhere' });

    const error = await lock.verify().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(error).toMatchObject({ code: 'ECOMPROMISED', file });
    expect(lock.compromised).toBe(true);
    expect(lock.signal.aborted).toBe(true);
    expect(lock.signal.reason).toBe(error);
    expect(() => lock.throwIfCompromised()).toThrow(LockCompromisedError);

    await lock.release();
    await stat(recordPath);
  });

  test('notices a takeover by itself through the refresh, aborting its signal', async ({ dir }) => {
    const lock = await acquireLock(join(dir, 'f.json'), { stale: 2_000 });
    expect(takeOverLock(lock.lockDir, `owner-${lock.owner.token}.json`)).toBe(true);
    const reason = await new Promise((resolve) =>
      lock.signal.addEventListener('abort', () => resolve(lock.signal.reason)),
    );
    expect(reason).toBeInstanceOf(LockCompromisedError);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  test('stops trusting itself when the event loop stalls past the refresh window', async ({
    dir,
  }) => {
    const lock = await acquireLock(join(dir, 'f.json'), { stale: 2_000 });
    blockEventLoop(1_600);
    expect(() => lock.throwIfCompromised()).toThrow(LockCompromisedError);
    expect(lock.signal.aborted).toBe(true);
    // Nobody took it over, so the release removes it.
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  test('names the error when refreshing fails, rather than a stall', async ({ dir }) => {
    const lock = await acquireLock(join(dir, 'f.json'), { stale: 2_000 });
    // A real refresh failure other than ENOENT: with the lock folder replaced by a file, the stat
    // of the owner record fails with ENOTDIR, the path an EIO from a failing disk takes too.
    // proper-lockfile retries such errors until `stale` (2 s); the owner stops trusting the lock
    // at 1.5 s, and that is what a caller about to commit sees.
    const aside = `${lock.lockDir}.aside`;
    await rename(lock.lockDir, aside);
    await writeFile(lock.lockDir, '');
    const reason = await vi.waitFor(
      () => {
        try {
          lock.throwIfCompromised();
        } catch (error) {
          return error;
        }
        throw new Error('the lock is still trusted');
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(reason).toBeInstanceOf(LockCompromisedError);
    expect((reason as Error).message).toMatch(/not refreshed for \d+ ms: ENOTDIR/);
    expect((reason as Error).message).not.toMatch(/stalled/);
    expect((reason as Error).cause).toMatchObject({ code: 'ENOTDIR', syscall: 'stat' });

    await rm(lock.lockDir);
    await rename(aside, lock.lockDir);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });
});
