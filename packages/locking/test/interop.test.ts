// Other languages and the lock-folder protocol of the README: a Python client written from it
// (fixtures/python-lock-client.py; multi-process.test.ts also counts with it), and Python
// filelock's lock file. Needs python3.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { acquireLock } from '../src/acquire-lock.js';
import { LockTimeoutError } from '../src/errors.js';
import { readLockOwner } from '../src/lock-status.js';
import type { Fixture } from './support.js';
import { hasPython, killAll, spawnFixture, test } from './support.js';

const fixtures: Fixture[] = [];
function start(script: string, args: Array<string | number>): Fixture {
  const fixture = spawnFixture(script, args);
  fixtures.push(fixture);
  return fixture;
}

afterEach(() => killAll(fixtures));

describe.runIf(hasPython)('with Python', () => {
  test(
    'runboard takes over at once the lock of a Python client killed with kill -9',
    { timeout: 30_000 },
    async ({ dir }) => {
      const file = join(dir, 'progress.json');
      const holder = start('python-lock-client.py', ['hold', file]);
      await holder.waitForLine((line) => line.startsWith('locked'));
      // The Python record reads like ours: same host, boot, pid namespace, start time.
      expect(await readLockOwner(file)).toMatchObject({
        pid: holder.child.pid,
        local: true,
        state: 'held',
      });
      const waiting = acquireLock(file, { timeout: 20_000 });
      const killedAt = Date.now();
      holder.child.kill('SIGKILL');
      const lock = await waiting;
      expect(Date.now() - killedAt).toBeLessThan(1_000);
      await lock.release();
      expect(await readdir(dir)).toEqual([]);
    },
  );

  test('a lock file that Python holds with flock(2), as filelock does, is waited for', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    const holder = start('filelock-holder.py', [`${file}.lock`]);
    await holder.waitForLine((line) => line === 'locked');
    const error = await acquireLock(file, { timeout: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as Error).message).toContain(`${file}.lock is a file, not a lock folder`);
  });
});
