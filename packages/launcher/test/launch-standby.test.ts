import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { parseNodeCommand, Standby } from '../src/launch/executors/standby.js';
import { FIXTURES, test, waitFor } from './launch-helpers.js';

const PRINT_ARGV = join(FIXTURES, 'launch', 'print-argv.mjs');

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
    const standby = new Standby(
      { node: process.execPath, nodeFlags: [], script: PRINT_ARGV, args: [] },
      [],
      { ...process.env, HOME: '/standby-home' },
    );
    expect(standby.ready).toBe(true);
    const out = join(dir, 'out.json');
    await standby.assign({
      argv: [PRINT_ARGV, out, '--flag', 'a b'],
      env: { STANDBY_MARKER: 'yes', PATH: process.env.PATH },
      cwd: dir,
    });
    expect(standby.ready).toBe(false);
    const printed = await waitFor(
      () => existsSync(out) && readFileSync(out, 'utf8'),
      10_000,
      'the standby to run',
    );
    expect(JSON.parse(printed)).toEqual({
      argv: [out, '--flag', 'a b'],
      cwd: dir,
      marker: 'yes',
      home: null,
    });
  });

  test('dismissed, or left by its launcher, it exits without running anything', async () => {
    const standby = new Standby(
      { node: process.execPath, nodeFlags: [], script: PRINT_ARGV, args: [] },
      [],
      process.env,
    );
    const exited = new Promise<number | null>((resolve) =>
      standby.child.once('exit', (code) => resolve(code)),
    );
    standby.dismiss();
    expect(await exited).toBe(0);
    expect(standby.ready).toBe(false);
  });
});
