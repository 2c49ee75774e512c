import { mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { deadPid, fabricateLock, test } from '../test/support.js';
import { acquireLock } from './acquire-lock.js';
import { LockAbortError, LockTimeoutError } from './errors.js';
import { isLocked } from './lock-status.js';
import { createOwnerRecord } from './owner.js';
import { withLock } from './with-lock.js';

describe('acquireLock', () => {
  test('locks a file that does not exist, in a folder that does not exist, and leaves nothing behind', async ({
    dir,
  }) => {
    const file = join(dir, 'runs', 'a', 'progress.json');
    const lock = await acquireLock(file);
    expect(lock.file).toBe(file);
    expect(await readdir(join(dir, 'runs', 'a'))).toEqual(['progress.json.lock']);
    await lock.release();
    expect(await readdir(join(dir, 'runs', 'a'))).toEqual([]);
  });

  test('records its owner inside the lock folder', async ({ dir }) => {
    const lock = await acquireLock(join(dir, 'f.json'));
    const self = createOwnerRecord();
    expect(await readdir(lock.lockDir)).toEqual([`owner-${lock.owner.token}.json`]);
    const record = JSON.parse(
      await readFile(join(lock.lockDir, `owner-${lock.owner.token}.json`), 'utf8'),
    );
    expect(record).toMatchObject({
      pid: process.pid,
      hostname: self.hostname,
      startTime: self.startTime,
    });
    expect(record.token).toMatch(/^[0-9a-f]{16}$/);
    await lock.release();
  });

  test('maps every spelling of a file to one lock', async ({ dir }) => {
    const lock = await acquireLock(join(dir, 'sub', '..', 'f.json'));
    expect(lock.file).toBe(join(dir, 'f.json'));
    await expect(acquireLock(join(dir, 'f.json'), { timeout: 0 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    await lock.release();
  });

  test('queues callers in one process first come, first served', async ({ dir }) => {
    const file = join(dir, 'f.json');
    const first = await acquireLock(file);
    const order: number[] = [];
    const inside = { count: 0, max: 0 };
    const callers = [1, 2, 3, 4, 5].map((id) =>
      withLock(file, async () => {
        inside.max = Math.max(inside.max, ++inside.count);
        order.push(id);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inside.count--;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    await first.release();
    await Promise.all(callers);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(inside.max).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  test('times out with ELOCKED while another caller in this process holds the lock', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    const lock = await acquireLock(file);
    const started = Date.now();
    const error = await acquireLock(file, { timeout: 200 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ code: 'ELOCKED', file, timeoutMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    // The timed-out caller left the queue: the next one gets the lock right after the release.
    const next = acquireLock(file, { timeout: 5_000 });
    await lock.release();
    await (await next).release();
  });

  test('times out with ELOCKED on a live lock of another owner, which it leaves alone', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    const { recordPath } = await fabricateLock(file, { hostname: 'elsewhere' });
    const started = Date.now();
    await expect(acquireLock(file, { timeout: 300 })).rejects.toMatchObject({ code: 'ELOCKED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await expect(acquireLock(file, { timeout: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    await stat(recordPath);
    expect((await readdir(dir)).sort()).toEqual(['f.json.lock']);
  });

  test('aborts waiting through its signal', async ({ dir }) => {
    const file = join(dir, 'f.json');
    await fabricateLock(file, { hostname: 'elsewhere' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 100);
    const error = await acquireLock(file, { signal: controller.signal }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LockAbortError);
    expect(error).toMatchObject({
      name: 'AbortError',
      code: 'ABORT_ERR',
      cause: new Error('user cancelled'),
    });
  });

  test('aborts waiting in the in-process queue, and rejects an already aborted signal at once', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    const lock = await acquireLock(file);
    const controller = new AbortController();
    const waiting = acquireLock(file, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await expect(
      acquireLock(join(dir, 'other.json'), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(LockAbortError);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  test('takes over at once a lock whose owner died on this host', async ({ dir }) => {
    const file = join(dir, 'f.json');
    await fabricateLock(file, { pid: await deadPid() });
    const started = Date.now();
    const lock = await acquireLock(file, { timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await readdir(lock.lockDir)).toEqual([`owner-${lock.owner.token}.json`]);
    await lock.release();
  });

  test('treats a reused pid (another start time) as a dead owner', async ({ dir }) => {
    const file = join(dir, 'f.json');
    await fabricateLock(file, { pid: process.pid, startTime: '1' });
    const lock = await acquireLock(file, { timeout: 1_000 });
    await lock.release();
  });

  test('takes over a lock not refreshed for `stale` ms, but not a fresh one of another host', async ({
    dir,
  }) => {
    const stale = join(dir, 'stale.json');
    await fabricateLock(stale, { hostname: 'elsewhere' }, new Date(Date.now() - 3_000));
    const lock = await acquireLock(stale, { stale: 2_000, timeout: 1_000 });
    await lock.release();

    const fresh = join(dir, 'fresh.json');
    await fabricateLock(fresh, { hostname: 'elsewhere' }, new Date(Date.now() - 1_000));
    await expect(acquireLock(fresh, { stale: 2_000, timeout: 300 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
  });

  test('removes an empty lock folder (a crash between the two steps of a release)', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    await mkdir(`${file}.lock`);
    const lock = await acquireLock(file, { timeout: 1_000 });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  test('never takes over a lock folder it does not understand', async ({ dir }) => {
    const file = join(dir, 'f.json');
    await mkdir(`${file}.lock`);
    await writeFile(join(`${file}.lock`, 'something-else'), '');
    await expect(acquireLock(file, { timeout: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await readdir(`${file}.lock`)).toEqual(['something-else']);
  });

  test("waits for another program's lock file at <file>.lock (Python filelock's name), then ELOCKED naming it", async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    // What Python's filelock leaves: a plain file, which it locks with flock(2) while held.
    await writeFile(`${file}.lock`, '');
    const { ino } = await stat(`${file}.lock`);
    const started = Date.now();
    const error = await acquireLock(file, { timeout: 300 }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ code: 'ELOCKED', file, timeoutMs: 300 });
    expect((error as Error).message).toContain(`${file}.lock is a file, not a lock folder`);
    expect(await isLocked(file)).toBe(true);
    // Left alone, and nothing of ours left beside it.
    expect((await stat(`${file}.lock`)).ino).toBe(ino);
    expect(await readdir(dir)).toEqual(['f.json.lock']);
  });

  test('treats a dangling symlink at <file>.lock as foreign too (a timeout, not a busy loop)', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    await symlink('nowhere', `${file}.lock`);
    const error = await acquireLock(file, { timeout: 200 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as Error).message).toContain('is a file, not a lock folder');
    expect(await readlink(`${file}.lock`)).toBe('nowhere');
  });

  test('with `timeout: 0` tries once: a dead owner found then is cleared for the next attempt', async ({
    dir,
  }) => {
    const file = join(dir, 'f.json');
    await fabricateLock(file, { pid: await deadPid() });
    await expect(acquireLock(file, { timeout: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await readdir(dir)).toEqual([]);
    await (await acquireLock(file, { timeout: 0 })).release();
  });

  test('names the live owner in the timeout error', async ({ dir }) => {
    const file = join(dir, 'f.json');
    const { owner } = await fabricateLock(file, { hostname: 'elsewhere', pid: 4242 });
    const error = await acquireLock(file, { timeout: 50 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ holder: `its owner is pid ${owner.pid} on elsewhere` });
    expect((error as Error).message).toContain('its owner is pid 4242 on elsewhere');
  });

  test('sweeps staging folders that a crashed process left beside the lock', async ({ dir }) => {
    const file = join(dir, 'f.json');
    const dead = { ...createOwnerRecord(), pid: await deadPid() };
    const live = createOwnerRecord();
    for (const owner of [dead, live]) {
      const staging = `${file}.lock.${owner.token}.new`;
      await mkdir(staging);
      await writeFile(join(staging, `owner-${owner.token}.json`), JSON.stringify(owner));
    }
    await (await acquireLock(file)).release();
    expect(await readdir(dir)).toEqual([`f.json.lock.${live.token}.new`]);
  });
});

describe('withLock', () => {
  test('returns what fn returns and releases', async ({ dir }) => {
    const file = join(dir, 'f.json');
    expect(await withLock(file, (lock) => lock.file)).toBe(file);
    expect(await readdir(dir)).toEqual([]);
  });

  test('releases when fn throws, and rethrows', async ({ dir }) => {
    const file = join(dir, 'f.json');
    await expect(
      withLock(file, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('argument checks', () => {
  test.for([
    [{ stale: 1_000 }, /stale/],
    [{ stale: Number.NaN }, /stale/],
    [{ timeout: -1 }, /timeout/],
    [{ signal: {} as AbortSignal }, /signal/],
  ] as const)('rejects %o', async ([options, message], { dir }) => {
    await expect(acquireLock(join(dir, 'f.json'), options)).rejects.toThrow(message);
  });

  test('rejects a missing file name and a non-function', async () => {
    await expect(acquireLock('')).rejects.toThrow(TypeError);
    await expect(withLock('x', undefined as never)).rejects.toThrow(TypeError);
  });
});
