import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { deadPid, fabricateLock, test } from '../test/support.js';
import { acquireLock } from './acquire-lock.js';
import { isLocked, readLockOwner } from './lock-status.js';

describe('isLocked and readLockOwner', () => {
  test('report no lock for a file nobody locked, even in a missing folder', async ({ dir }) => {
    expect(await isLocked(join(dir, 'f.json'))).toBe(false);
    expect(await readLockOwner(join(dir, 'missing', 'f.json'))).toBeUndefined();
  });

  test('report a held lock and its owner', async ({ dir }) => {
    const file = join(dir, 'f.json');
    const lock = await acquireLock(file);
    expect(await isLocked(file)).toBe(true);
    expect(await readLockOwner(file)).toMatchObject({
      pid: process.pid,
      token: lock.owner.token,
      local: true,
      state: 'held',
      refreshedAt: expect.any(Date),
    });
    await lock.release();
    expect(await isLocked(file)).toBe(false);
  });

  test('count a dead or stale owner as not holding the lock', async ({ dir }) => {
    const dead = join(dir, 'dead.json');
    await fabricateLock(dead, { pid: await deadPid() });
    expect(await isLocked(dead)).toBe(false);
    expect(await readLockOwner(dead)).toMatchObject({ state: 'dead', local: true });

    const stale = join(dir, 'stale.json');
    await fabricateLock(stale, { hostname: 'elsewhere' }, new Date(Date.now() - 60_000));
    expect(await isLocked(stale)).toBe(false);
    expect(await readLockOwner(stale)).toMatchObject({
      state: 'stale',
      local: false,
      hostname: 'elsewhere',
    });
  });
});
