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
 * A `test.extend` fixture that gives each test a fresh folder from {@link makeTempDir}, named
 * `prefix…`, and removes it afterwards; `beforeRemove` runs (and is awaited) first, e.g. to kill
 * what the test's runs left behind. For fixtures named otherwise than `dir` (see
 * {@link testWithTempDir}).
 *
 * @example
 * const test = base.extend<{ root: string }>({ root: tempDirFixture('runboard-web-') });
 */
export function tempDirFixture(
  prefix: string,
  beforeRemove?: (dir: string) => void | Promise<void>,
) {
  // eslint-disable-next-line no-empty-pattern
  return async ({}: object, use: (dir: string) => Promise<void>): Promise<void> => {
    const dir = await makeTempDir(prefix);
    try {
      await use(dir);
    } finally {
      await beforeRemove?.(dir);
      await removeTempDir(dir);
    }
  };
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
  return test.extend<{ dir: string }>({ dir: tempDirFixture(prefix, beforeRemove) });
}
