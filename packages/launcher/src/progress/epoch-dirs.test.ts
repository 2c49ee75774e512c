import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { countCompleteEpochDirs } from './epoch-dirs.js';

const test = testWithTempDir('runboard-epochs-');

function epoch(dir: string, name: string, files: string[]): void {
  mkdirSync(join(dir, name), { recursive: true });
  for (const file of files) {
    mkdirSync(join(dir, name, file, '..'), { recursive: true });
    writeFileSync(join(dir, name, file), 'x');
  }
}

describe('countCompleteEpochDirs', () => {
  test('counts 0 for a missing or empty folder', async ({ dir }) => {
    expect(await countCompleteEpochDirs(join(dir, 'missing'), ['a'])).toBe(0);
    expect(await countCompleteEpochDirs(dir, ['a'])).toBe(0);
  });

  test('counts consecutive complete epochs from 1 and stops at an incomplete one', async ({
    dir,
  }) => {
    epoch(dir, 'epoch_1', ['model.pth', 'metrics.json']);
    epoch(dir, 'epoch_2', ['model.pth', 'metrics.json']);
    epoch(dir, 'epoch_3', ['model.pth']);
    epoch(dir, 'epoch_4', ['model.pth', 'metrics.json']);
    writeFileSync(join(dir, 'epoch_5'), 'a file, not a folder');
    expect(await countCompleteEpochDirs(dir, ['model.pth', 'metrics.json'])).toBe(2);
    expect(await countCompleteEpochDirs(dir, ['model.pth'])).toBe(4);
  });

  test('starts at epoch_0 when it exists, and stops at a gap', async ({ dir }) => {
    epoch(dir, 'epoch_0', ['m']);
    epoch(dir, 'epoch_1', ['m']);
    epoch(dir, 'epoch_3', ['m']);
    epoch(dir, 'epoch_x', ['m']);
    expect(await countCompleteEpochDirs(dir, ['m'])).toBe(2);
  });

  test('with no expected files counts folders, and takes known epochs as complete', async ({
    dir,
  }) => {
    epoch(dir, 'epoch_1', []);
    epoch(dir, 'epoch_2', ['sub/eval.json']);
    expect(await countCompleteEpochDirs(dir, [])).toBe(2);
    expect(await countCompleteEpochDirs(dir, ['sub/eval.json'])).toBe(0);
    expect(await countCompleteEpochDirs(dir, ['sub/eval.json'], 1)).toBe(2);
  });

  test('rejects expected files outside the epoch folder', async ({ dir }) => {
    await expect(countCompleteEpochDirs(dir, ['../x'])).rejects.toThrow(TypeError);
    await expect(countCompleteEpochDirs(dir, ['/abs'])).rejects.toThrow(TypeError);
    await expect(countCompleteEpochDirs(dir, [''])).rejects.toThrow(TypeError);
  });
});
