import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { parseNodeCommand, Standby } from '../src/launch/executors/standby.js';
import { entryBundles, FIXTURES, test } from './launch-helpers.js';

const PRINT_ARGV = join(FIXTURES, 'launch', 'print-argv.mjs');
const command = { node: process.execPath, nodeFlags: [], script: PRINT_ARGV, args: [] };

describe('standby exec process', () => {
  test('parseNodeCommand splits node flags, script and arguments', () => {
    expect(
      parseNodeCommand([
        process.execPath,
        '--import',
        'tsx',
        '--conditions=@runboard/source',
        'entry.ts',
        'exec',
      ]),
    ).toEqual({
      node: process.execPath,
      nodeFlags: ['--import', 'tsx', '--conditions=@runboard/source'],
      script: 'entry.ts',
      args: ['exec'],
    });
    expect(parseNodeCommand(['/usr/local/bin/node', 'bin/runboard.js', 'exec'])).toMatchObject({
      script: 'bin/runboard.js',
      args: ['exec'],
    });
    expect(parseNodeCommand(['runboard', 'exec'])).toBeUndefined();
    expect(parseNodeCommand([process.execPath, '-e', 'code'])).toBeUndefined();
    expect(parseNodeCommand([process.execPath, '--import'])).toBeUndefined();
  });

  test('becomes the assigned process: argv, environment (replaced, not merged) and working folder', async ({
    dir,
  }) => {
    const standby = new Standby({
      command,
      entry: (await entryBundles()).standby,
      preload: [],
      env: { ...process.env, HOME: '/standby-home' },
    });
    expect(standby.ready).toBe(true);
    const out = join(dir, 'out.json');
    await standby.assign({
      argv: [PRINT_ARGV, out, '--flag', 'a b'],
      env: { STANDBY_MARKER: 'yes', PATH: process.env.PATH },
      cwd: dir,
    });
    expect(standby.ready).toBe(false);
    const printed: unknown = await vi.waitFor(() => JSON.parse(readFileSync(out, 'utf8')), {
      timeout: 10_000,
    });
    expect(printed).toEqual({
      argv: [out, '--flag', 'a b'],
      cwd: dir,
      marker: 'yes',
      home: null,
    });
  });

  test('dismissed, or left by its launcher, it exits without running anything', async () => {
    const standby = new Standby({
      command,
      entry: (await entryBundles()).standby,
      preload: [],
      env: process.env,
    });
    const exited = new Promise<number | null>((resolve) =>
      standby.child.once('exit', (code) => resolve(code)),
    );
    standby.dismiss();
    expect(await exited).toBe(0);
    expect(standby.ready).toBe(false);
  });
});
