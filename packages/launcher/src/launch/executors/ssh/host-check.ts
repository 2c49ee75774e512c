import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerShell } from './ssh-connection.js';
import { SshCommandError, SshHostCheckError } from './ssh-errors.js';
import { shellQuote } from './shell-quote.js';

/** A marker file on the run root that every server must see: the root is shared there. */
export interface RootMarker {
  file: string;
  remove(): Promise<void>;
}

/**
 * Writes a fresh marker file under `<root>/.runboard/` (a dot-folder the run index skips).
 *
 * @example
 * const marker = await writeRootMarker(plan.root);
 * await checkHost(connection, { root: plan.root, marker: marker.file, runboard: 'runboard' });
 * await marker.remove();
 */
export async function writeRootMarker(root: string): Promise<RootMarker> {
  const folder = join(root, '.runboard');
  await mkdir(folder, { recursive: true });
  const file = join(folder, `ssh-check-${process.pid}-${randomBytes(6).toString('hex')}`);
  await writeFile(file, '');
  return { file, remove: () => rm(file, { force: true }) };
}

/**
 * Checks, in one command, that a server can run this plan's runs: the run root is the shared one
 * (the marker file is there), and its runboard CLI exists (and reports `version`, when given).
 * Resolves with the server's hostname.
 *
 * @throws {SshHostCheckError} naming the server and what is missing.
 * @throws {SshCommandError} when the server does not answer.
 */
export async function checkHost(
  connection: ServerShell,
  options: { root: string; marker: string; runboard: string; version?: string },
): Promise<string> {
  const runboard = shellQuote(options.runboard);
  const command = [
    'hostname',
    `if test -f ${shellQuote(options.marker)}; then echo @root-ok; fi`,
    `if command -v ${runboard} >/dev/null 2>&1; then echo @runboard-ok; ` +
      (options.version === undefined
        ? ''
        : `echo "@version $(${runboard} --version 2>&1 | head -1)"; `) +
      'fi',
  ].join('\n');
  const result = await connection.run(command);
  const name = connection.server.name;
  if (result.code !== 0)
    throw new SshCommandError(name, result.code, result.stderr, { what: 'the host check' });
  const lines = result.stdout.split('\n').map((line) => line.trim());
  const hostname = lines[0] ?? '';
  if (!lines.includes('@root-ok'))
    throw new SshHostCheckError(
      name,
      `the run root ${options.root} is not the shared one there (mount it at the same path)`,
    );
  if (!lines.includes('@runboard-ok'))
    throw new SshHostCheckError(
      name,
      `runboard (${options.runboard}) is not installed there (set the server's runboard path)`,
    );
  if (options.version !== undefined) {
    const reported = lines.find((line) => line.startsWith('@version '))?.slice(9) ?? '';
    if (!reported.includes(options.version))
      throw new SshHostCheckError(
        name,
        `runboard there is ${JSON.stringify(reported)}, not version ${options.version}`,
      );
  }
  return hostname;
}
