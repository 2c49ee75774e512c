// The contract between proper-lockfile and LockFiles, the file system it is handed: runboard's
// protocol holds only while proper-lockfile makes exactly these calls in this order (see the
// README, "Why a custom fs"). If an upgrade of proper-lockfile changes them, these tests fail.
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { lock as properLock } from 'proper-lockfile';
import { afterEach, describe, expect, vi } from 'vitest';
import type { Fixture } from '../test/support.js';
import { fabricateLock, killAll, spawnFixture, test } from '../test/support.js';
import { takeOverLock } from './inspect-lock.js';
import { LockFiles } from './lock-files.js';
import { recordNameFor } from './lock-paths.js';
import { createOwnerRecord } from './owner.js';
import { upstreamLockOptions } from './try-lock.js';

const timings = { staleMs: 2_000, refreshMs: 1_000 };

/**
 * Locks `<dir>/f.json` through proper-lockfile with a LockFiles that records what proper-lockfile
 * does with it: each call as `<method> <path relative to dir>`, and any other member it reads.
 */
async function lockRecorded(dir: string) {
  const target = join(dir, 'f.json');
  const lockDir = `${target}.lock`;
  const owner = createOwnerRecord();
  const files = new LockFiles(lockDir, owner, { beforeRefresh: () => undefined });
  const calls: string[] = [];
  const recorded = new Proxy(files, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      // proper-lockfile caches the mtime precision under a symbol of its own.
      if (typeof property === 'symbol') return value;
      if (typeof value !== 'function') {
        calls.push(`read ${property}`);
        return value;
      }
      return (path: string, ...rest: unknown[]) => {
        calls.push(`${property} ${relative(dir, path)}`);
        return value.call(object, path, ...rest);
      };
    },
  });
  const compromises: NodeJS.ErrnoException[] = [];
  const release = properLock(
    target,
    upstreamLockOptions(lockDir, timings, recorded, (error) => compromises.push(error)),
  );
  return { release, calls, compromises, lockDir, recordName: recordNameFor(owner.token) };
}

const fixtures: Fixture[] = [];
afterEach(() => killAll(fixtures));

describe('proper-lockfile 4.1.2 through LockFiles', () => {
  test('lock: mkdir (the staged rename), then the mtime probe: utimes, stat', async ({ dir }) => {
    const { release, calls, lockDir, recordName } = await lockRecorded(dir);
    await release;
    expect(calls).toEqual(['mkdir f.json.lock', 'utimes f.json.lock', 'stat f.json.lock']);
    expect(await readdir(lockDir)).toEqual([recordName]);
  });

  test('lock held by another owner: mkdir alone, answered ELOCKED, which it passes on', async ({
    dir,
  }) => {
    await fabricateLock(join(dir, 'f.json'), { hostname: 'elsewhere' });
    const { release, calls } = await lockRecorded(dir);
    await expect(release).rejects.toMatchObject({ code: 'ELOCKED' });
    expect(calls).toEqual(['mkdir f.json.lock']);
  });

  test('refresh every `update` ms: stat (is the mtime still ours?), then utimes', async ({
    dir,
  }) => {
    const { release, calls, lockDir, recordName } = await lockRecorded(dir);
    const unlock = await release;
    calls.length = 0;
    const before = (await stat(join(lockDir, recordName))).mtimeMs;
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 3_000, interval: 20 });
    expect(calls).toEqual(['stat f.json.lock', 'utimes f.json.lock']);
    // Both went to the owner record (LockFiles' mapping), which is now younger.
    expect((await stat(join(lockDir, recordName))).mtimeMs).toBeGreaterThan(before);
    await unlock();
  });

  test('unlock: rmdir, which removes the record and the folder', async ({ dir }) => {
    const { release, calls } = await lockRecorded(dir);
    const unlock = await release;
    calls.length = 0;
    await unlock();
    expect(calls).toEqual(['rmdir f.json.lock']);
    expect(await readdir(dir)).toEqual([]);
  });

  test('compromise: a refresh whose stat finds the record gone calls onCompromised, and stops', async ({
    dir,
  }) => {
    const { release, calls, compromises, lockDir, recordName } = await lockRecorded(dir);
    const unlock = await release;
    calls.length = 0;
    expect(takeOverLock(lockDir, recordName)).toBe(true);
    await vi.waitFor(() => expect(compromises).toHaveLength(1), { timeout: 3_000, interval: 20 });
    expect(compromises[0]).toMatchObject({ code: 'ECOMPROMISED' });
    expect(calls).toEqual(['stat f.json.lock']);
    // Released already: the release touches nothing (another owner may hold the lock now).
    await expect(unlock()).rejects.toMatchObject({ code: 'ERELEASED' });
    expect(calls).toEqual(['stat f.json.lock']);
  });

  test(
    'exit: its handler (SIGTERM here) calls rmdirSync, which removes the lock',
    {
      timeout: 30_000,
    },
    async ({ dir }) => {
      const file = join(dir, 'f.json');
      const holder = spawnFixture('hold-lock.ts', [file]);
      fixtures.push(holder);
      await holder.waitForLine((line) => line.startsWith('locked'));
      expect(await readdir(dir)).toEqual(['f.json.lock']);
      holder.child.kill('SIGTERM');
      expect(await holder.exited).toBe('SIGTERM');
      expect(await readdir(dir)).toEqual([]);
    },
  );
});
