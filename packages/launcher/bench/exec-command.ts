// How the benchmarks start `runboard exec`: from the built package when there is one (as
// deployed), else from source through tsx (slower to start, more memory: the tables say which).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');

/** Whether `dist/` is built (`nx build @runboard/launcher`). */
export const distBuilt = existsSync(join(packageRoot, 'dist', 'index.js'));

/** The supervisor's command line: `bench/exec-dist-entry.mjs`, or the test entry via tsx. */
export function execCommand(): string[] {
  if (distBuilt) return [process.execPath, join(here, 'exec-dist-entry.mjs')];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [
    process.execPath,
    '--import',
    tsx,
    '--conditions=@runboard/source',
    join(packageRoot, 'test', 'fixtures', 'exec-entry.mjs'),
  ];
}

/** The standby program to match: built, or its source (the exec command's flags load tsx). */
export function standbyEntry(): string {
  return distBuilt
    ? join(packageRoot, 'dist', 'launch', 'executors', 'standby-entry.js')
    : join(packageRoot, 'src', 'launch', 'executors', 'standby-entry.ts');
}
