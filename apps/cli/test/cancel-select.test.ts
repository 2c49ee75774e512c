import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { cliBin, runboard, test } from './support/launch-cli.js';
import { writeRun } from './support/run-folders.js';

const queued = { status: 'queued', attempt: 0, startedAt: null, heartbeatAt: null } as const;

/** A sweep of queued and finished runs with no launcher: cancel requests stay pending. */
async function writeSweep(root: string): Promise<void> {
  await writeRun(root, 'sweep/a', queued);
  await writeRun(root, 'sweep/b', queued);
  await writeRun(root, 'sweep/c', { status: 'succeeded', finishedAt: new Date().toISOString() });
  await writeRun(root, 'other/d', queued);
}

const requested = (root: string, id: string) => existsSync(join(root, id, 'control.json'));

describe('runboard cancel by glob and --status', () => {
  test('without a terminal it lists what it would cancel and refuses without --yes (exit 2)', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    await writeSweep(root);
    const refused = await runboard(['cancel', 'sweep/*', '--root', root]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe(
      '1 selected run is finished or unreadable: left alone\n' +
        '2 runs to cancel:\n  sweep/a  (queued)\n  sweep/b  (queued)\n',
    );
    expect(refused.stderr).toBe(
      'runboard cancel: not asking without a terminal; add --yes to cancel these 2 runs\n',
    );
    expect(['sweep/a', 'sweep/b', 'other/d'].some((id) => requested(root, id))).toBe(false);
  });

  test('--yes cancels what a glob and --status select, and nothing else', async ({ dir }) => {
    const root = join(dir, 'logs');
    await writeSweep(root);
    await writeRun(root, 'sweep/e', {});
    const result = await runboard([
      'cancel',
      'sweep/*',
      '--status',
      'queued',
      '--root',
      root,
      '-y',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      '2 runs to cancel:\n  sweep/a  (queued)\n  sweep/b  (queued)\n' +
        'sweep/a: cancel requested (queued)\nsweep/b: cancel requested (queued)\n',
    );
    expect(requested(root, 'sweep/a') && requested(root, 'sweep/b')).toBe(true);
    expect(requested(root, 'sweep/e') || requested(root, 'other/d')).toBe(false);
    const control = JSON.parse(await readFile(join(root, 'sweep/a/control.json'), 'utf8'));
    expect(control.cancel.requestedBy).toMatch(/^runboard cancel on /);
  });

  test('--status alone; a pattern that selects nothing exits 1; no runs and no --status exits 2', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    await writeSweep(root);
    const all = await runboard(['cancel', '--status', 'queued', '--root', root, '--yes']);
    expect(all.code).toBe(0);
    expect(['sweep/a', 'sweep/b', 'other/d'].every((id) => requested(root, id))).toBe(true);
    const typo = await runboard(['cancel', 'swep/*', '--root', root, '--yes']);
    expect(typo).toMatchObject({ code: 1, stdout: '' });
    expect(typo.stderr).toBe(`runboard cancel: no run swep/* under ${root}\n`);
    const nothing = await runboard(['cancel', '--root', root]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/name the runs .* or select them with --status/);
  });

  test('on a terminal it asks; only yes cancels', async ({ dir }) => {
    const root = join(dir, 'logs');
    await writeSweep(root);
    const ask = (answer: string) => {
      // `script` gives the CLI a terminal (util-linux, present wherever the tests run).
      const command = [process.execPath, cliBin, 'cancel', "'sweep/*'", '--root', root].join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 20_000,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Cancel these 2 runs? [y/N] ')) child.stdin.end(`${answer}\n`);
      });
      return new Promise<{ code: number | null; output: string }>((resolve) =>
        child.once('close', (code) => resolve({ code, output })),
      );
    };
    const no = await ask('n');
    expect(no.code).toBe(0);
    expect(no.output).toContain('nothing cancelled');
    expect(requested(root, 'sweep/a')).toBe(false);
    const yes = await ask('y');
    expect(yes.code).toBe(0);
    expect(yes.output).toContain('sweep/b: cancel requested (queued)');
    expect(requested(root, 'sweep/a') && requested(root, 'sweep/b')).toBe(true);
    expect(requested(root, 'other/d')).toBe(false);
  });
});
