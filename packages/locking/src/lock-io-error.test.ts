// A full or failing disk under the lock's own files cannot be caused for real on every machine
// (it needs a small mounted file system): the errno errors are injected into `fs` here.
import fs from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, vi } from 'vitest';
import { test } from '../test/support.js';
import { acquireLock } from './acquire-lock.js';
import { LockIoError } from './errors.js';

function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('I/O errors on the lock files', () => {
  test('ENOSPC while taking the lock: LockIoError naming the lock folder, cause attached, nothing left behind', async ({
    dir,
  }) => {
    const file = join(dir, 'progress.json');
    const injected = errnoError('ENOSPC', 'open', join(dir, 'progress.json.lock.x.new', 'owner'));
    vi.spyOn(fs, 'writeFileSync').mockImplementationOnce(() => {
      throw injected;
    });
    const error = await acquireLock(file, { timeout: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockIoError);
    expect(error).toMatchObject({
      name: 'LockIoError',
      code: 'RUNBOARD_LOCK_IO',
      systemCode: 'ENOSPC',
      syscall: 'open',
      file,
      lockDir: `${file}.lock`,
      message: `Could not take the lock ${file}.lock: ${injected.message}`,
    });
    expect((error as Error).cause).toBe(injected);
    expect(await readdir(dir)).toEqual([]);

    // Space again: the lock is taken as usual.
    const lock = await acquireLock(file, { timeout: 0 });
    await lock.release();
  });

  test('the staging folder cannot be made (EROFS): the same typed error', async ({ dir }) => {
    const file = join(dir, 'f.json');
    vi.spyOn(fs, 'mkdirSync').mockImplementationOnce(() => {
      throw errnoError('EROFS', 'mkdir', `${file}.lock.x.new`);
    });
    await expect(acquireLock(file, { timeout: 0 })).rejects.toMatchObject({
      code: 'RUNBOARD_LOCK_IO',
      systemCode: 'EROFS',
      lockDir: `${file}.lock`,
    });
  });

  test('EIO while releasing: LockIoError naming the lock folder', async ({ dir }) => {
    const file = join(dir, 'f.json');
    const lock = await acquireLock(file, { timeout: 0 });
    vi.spyOn(fs, 'unlinkSync').mockImplementationOnce(() => {
      throw errnoError('EIO', 'unlink', lock.lockDir);
    });
    await expect(lock.release()).rejects.toMatchObject({
      name: 'LockIoError',
      code: 'RUNBOARD_LOCK_IO',
      systemCode: 'EIO',
      lockDir: `${file}.lock`,
      message: expect.stringMatching(/^Could not release the lock /),
    });
  });
});
