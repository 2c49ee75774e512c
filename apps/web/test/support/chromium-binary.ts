import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import sparticuzChromium from '@sparticuz/chromium';

/**
 * Where the browser of the browser tests and `npm run docs:screenshot` comes from: `npm`, the
 * `@sparticuz/chromium` devDependency (works on a fresh machine, no apt; the default);
 * `system`, Debian's `chromium` package at {@link SYSTEM_CHROMIUM}; `path`, the binary whose
 * path `RUNBOARD_CHROMIUM` names.
 */
export type ChromiumSource = 'npm' | 'system' | 'path';

/** Debian's Chromium (`apt-get install chromium`), used with `RUNBOARD_CHROMIUM=system`. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Either the browser to start, or why there is none. Plain data: it crosses vitest's `provide`. */
export type ChromiumBinary =
  | { ok: true; executablePath: string; source: ChromiumSource }
  | { ok: false; source: ChromiumSource; problem: string };

/**
 * Picks the Chromium binary from `RUNBOARD_CHROMIUM`: unset, empty or `npm` → the one shipped
 * in `@sparticuz/chromium` (extracted once per user and version, see
 * {@link extractNpmChromium}); `system` → Debian's {@link SYSTEM_CHROMIUM}; anything else → that
 * path. Never throws: a missing binary comes back as `ok: false` with the reason, so unit tests
 * still run and only the browser tests fail, saying why.
 *
 * @example
 * const chromium = await resolveChromium(process.env);
 * if (chromium.ok) await playwright.chromium.launch({ executablePath: chromium.executablePath });
 */
export async function resolveChromium(env: NodeJS.ProcessEnv): Promise<ChromiumBinary> {
  const choice = env['RUNBOARD_CHROMIUM']?.trim() ?? '';
  if (choice === '' || choice === 'npm') {
    try {
      return { ok: true, executablePath: await extractNpmChromium(), source: 'npm' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        source: 'npm',
        problem: `could not extract @sparticuz/chromium: ${reason} (or set RUNBOARD_CHROMIUM=system or =/path/to/chromium)`,
      };
    }
  }
  const source: ChromiumSource = choice === 'system' ? 'system' : 'path';
  const executablePath = source === 'system' ? SYSTEM_CHROMIUM : choice;
  return existsSync(executablePath)
    ? { ok: true, executablePath, source }
    : {
        ok: false,
        source,
        problem: `RUNBOARD_CHROMIUM=${choice}: there is no Chromium at ${executablePath}${source === 'system' ? ' (apt-get install chromium)' : ''}; unset it to use the npm one`,
      };
}

/**
 * Extracts `@sparticuz/chromium`'s headless Chromium (about 2 s, 200 MB) into
 * `<tmpdir>/runboard-chromium-<version>-<uid>/` unless it is there already, and returns the
 * binary's path. The package itself extracts into a fixed `<tmpdir>/chromium` and trusts any
 * file there, so two processes extracting at once (or a killed one) leave a torn binary that
 * every later run uses; and another user's copy there is unreadable. So each extraction goes to
 * a fresh staging folder (the package extracts into `os.tmpdir()`, read from `TMPDIR` when it
 * is called), which is renamed into place in one step: the first rename wins, the others drop
 * their copy. A folder that exists is therefore complete.
 */
export async function extractNpmChromium(): Promise<string> {
  const base = tmpdir();
  const target = join(
    base,
    `runboard-chromium-${await sparticuzVersion()}-${process.getuid?.() ?? 'user'}`,
  );
  const binary = join(target, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = await mkdtemp(`${target}.staging-`);
  try {
    const extracted = await withTmpdir(staging, () => sparticuzChromium.executablePath());
    if (extracted !== join(staging, 'chromium')) {
      throw new Error(`@sparticuz/chromium extracted to ${extracted}, not into ${staging}`);
    }
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another process renamed its copy first: use that one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return binary;
}

/** Calls `start` with `os.tmpdir()` answering `folder`; the package reads it synchronously. */
function withTmpdir<T>(folder: string, start: () => Promise<T>): Promise<T> {
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = folder;
  try {
    return start();
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
}

async function sparticuzVersion(): Promise<string> {
  // The package's exports map does not export package.json: find it from the entry point.
  let folder = dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
  for (;;) {
    const manifest = await readFile(join(folder, 'package.json'), 'utf8').then(
      (text) => JSON.parse(text) as { name?: unknown; version?: unknown },
      () => null,
    );
    if (manifest?.name === '@sparticuz/chromium' && typeof manifest.version === 'string') {
      return manifest.version;
    }
    if (dirname(folder) === folder)
      throw new Error('the package.json of @sparticuz/chromium is missing');
    folder = dirname(folder);
  }
}
