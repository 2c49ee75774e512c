import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { runboard, test } from './support/launch-cli.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const cliPackage = join(import.meta.dirname, '..', 'package.json');

/**
 * This process's environment without the `npm_*` settings an `npm test` around it passes down,
 * and without colour (a runner may set `FORCE_COLOR`): output is compared as plain text.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.toLowerCase().startsWith('npm_') && name !== 'FORCE_COLOR',
    ),
  );
  return { ...env, NO_COLOR: '1' };
}

test('--version prints the version of the CLI package', async () => {
  const { version } = JSON.parse(await readFile(cliPackage, 'utf8')) as { version: string };
  expect(await runboard(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  expect((await runboard(['-V'])).stdout).toBe(`${version}\n`);
});

test('`npm install -g --ignore-scripts <clone>` puts a runboard on PATH that works from any folder, offline', async ({
  dir,
}) => {
  const prefix = join(dir, 'prefix');
  // The README's command, with a prefix of its own (no root needed) and --offline to prove
  // that it needs no registry: a folder installs as a link to the clone, already built.
  await run(
    'npm',
    ['install', '-g', '--ignore-scripts', repoRoot, '--prefix', prefix, '--offline'],
    {
      cwd: dir,
      env: { ...cleanEnv(), npm_config_cache: join(dir, 'npm-cache') },
      timeout: 60_000,
    },
  );
  const bin = join(prefix, 'bin', 'runboard');
  const { version } = JSON.parse(await readFile(cliPackage, 'utf8')) as { version: string };
  const elsewhere = { cwd: dir, env: cleanEnv(), timeout: 20_000 };
  expect((await run(bin, ['--version'], elsewhere)).stdout).toBe(`${version}\n`);
  await mkdir(join(dir, 'my-project', 'logs'), { recursive: true });
  const status = await run(bin, ['status'], { ...elsewhere, cwd: join(dir, 'my-project') });
  expect(status.stdout).toBe('No runs yet.\n');
});
