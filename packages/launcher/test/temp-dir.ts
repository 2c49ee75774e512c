import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';

/**
 * `test` with a fresh temp folder per test (`dir`, named `prefix…`), removed afterwards;
 * `beforeRemove` runs first (e.g. to kill what the test's runs left behind).
 *
 * @example
 * const test = testWithTempDir('runboard-plan-');
 * test('reads a plan', async ({ dir }) => { … });
 */
export function testWithTempDir(prefix: string, beforeRemove?: (dir: string) => void) {
  return test.extend<{ dir: string }>({
    // eslint-disable-next-line no-empty-pattern
    dir: async ({}, use) => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      try {
        await use(dir);
      } finally {
        beforeRemove?.(dir);
        await rm(dir, { recursive: true, force: true, maxRetries: 5 });
      }
    },
  });
}
