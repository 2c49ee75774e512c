import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';

/**
 * Makes a fresh folder under the system temp folder, named `prefix…`, as a real path (so
 * that paths the code under test resolves compare equal to it).
 *
 * @example
 * const dir = await makeTempDir('runboard-plan-');
 * try { … } finally { await removeTempDir(dir); }
 */
export async function makeTempDir(prefix: string): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

/**
 * Removes a folder made by {@link makeTempDir}, retrying while a process that just ended
 * still holds files in it.
 */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}

/**
 * `test` with a fresh temp folder per test (`dir`, named `prefix…`), removed afterwards;
 * `beforeRemove` runs (and is awaited) first, e.g. to kill what the test's runs left behind.
 *
 * @example
 * const test = testWithTempDir('runboard-plan-');
 * test('reads a plan', async ({ dir }) => { … });
 */
export function testWithTempDir(
  prefix: string,
  beforeRemove?: (dir: string) => void | Promise<void>,
) {
  return test.extend<{ dir: string }>({
    // eslint-disable-next-line no-empty-pattern
    dir: async ({}, use) => {
      const dir = await makeTempDir(prefix);
      try {
        await use(dir);
      } finally {
        await beforeRemove?.(dir);
        await removeTempDir(dir);
      }
    },
  });
}
