import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { test } from '../test/support.js';
import { acquireLock } from './acquire-lock.js';
import { isLockFolderName, stagingDirFor } from './lock-paths.js';

test('isLockFolderName tells lock and staging folders from the files they lock', async ({
  dir,
}) => {
  const lock = await acquireLock(join(dir, 'progress.json'));
  const entries = await readdir(dir);
  expect(entries.filter(isLockFolderName)).toEqual(['progress.json.lock']);
  expect(entries.filter((name) => !isLockFolderName(name))).toEqual([]);
  await lock.release();

  const staging = stagingDirFor(lock.lockDir, lock.owner.token);
  expect(isLockFolderName(staging.slice(dir.length + 1))).toBe(true);
  for (const name of ['progress.json', 'run.log', 'locksmith', 'x.lock.json', 'x.lock.zz.new']) {
    expect(isLockFolderName(name), name).toBe(false);
  }
});
