import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { checkStringOption } from '@runboard/locking';

const EPOCH_DIR_NAME = /^epoch_(\d+)$/;

/** Progress from `epoch_K/` folders, as configured in a plan's `progress.epochDirs`. */
export interface EpochDirsOptions {
  /** Files (paths relative to an epoch folder) that must all exist for the epoch to count. */
  expectedFiles: readonly string[];
  /** Epochs in all, when known. */
  total?: number;
}

/**
 * Counts the complete epoch folders in `dir`: `epoch_K/` folders (K consecutive, from 0 when
 * `epoch_0/` exists, else from 1) that hold every expected file. Counting stops at the first
 * missing or incomplete epoch. With no expected files, a folder counts once it exists.
 * A missing `dir` counts 0.
 *
 * `knownComplete` epochs from the first one are taken as complete without looking again, so
 * a poller only checks the folders that are new.
 *
 * @example
 * await countCompleteEpochDirs('/data/logs/cdd/run_2', ['model.pth', 'metrics.json']); // 3
 */
export async function countCompleteEpochDirs(
  dir: string,
  expectedFiles: readonly string[],
  knownComplete = 0,
): Promise<number> {
  assertExpectedFiles(expectedFiles);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const epochs = new Set<number>();
  for (const name of names) {
    const match = EPOCH_DIR_NAME.exec(name);
    if (match) epochs.add(Number(match[1]));
  }
  const first = epochs.has(0) ? 0 : 1;
  let complete = knownComplete;
  while (epochs.has(first + complete)) {
    const epochDir = join(dir, `epoch_${first + complete}`);
    if (!(await holdsAll(epochDir, expectedFiles))) break;
    complete += 1;
  }
  return complete;
}

/**
 * Throws a TypeError unless `expectedFiles` is a list of relative paths inside an epoch folder.
 *
 * @example
 * assertExpectedFiles(['model.pth', 'eval/metrics.json']);
 */
export function assertExpectedFiles(expectedFiles: readonly string[]): void {
  if (!Array.isArray(expectedFiles))
    throw new TypeError('Expected `expectedFiles` to be an array of file names');
  for (const [index, file] of expectedFiles.entries()) {
    checkStringOption(`expectedFiles[${index}]`, file);
    if (isAbsolute(file) || normalize(file).startsWith('..')) {
      throw new TypeError(
        `Expected \`expectedFiles\` to hold relative paths inside an epoch folder, got ${JSON.stringify(file)}`,
      );
    }
  }
}

async function holdsAll(epochDir: string, expectedFiles: readonly string[]): Promise<boolean> {
  try {
    const folder = await stat(epochDir);
    if (!folder.isDirectory()) return false;
    for (const file of expectedFiles) await stat(join(epochDir, file));
    return true;
  } catch {
    return false;
  }
}
