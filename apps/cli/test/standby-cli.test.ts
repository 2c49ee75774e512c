/**
 * `runboard standby` through the real bin (bin/runboard.js → dist; the Nx test target builds
 * first): the SSH executor's supervisor started ahead, given its run as one line on stdin.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import { describe, expect } from 'vitest';

const cliBin = join(import.meta.dirname, '..', 'bin', 'runboard.js');
const test = testWithTempDir('runboard-standby-cli-');

/** Starts `runboard standby`, writes `input` to its stdin (then ends it unless `keepOpen`). */
function standby(input: string, keepOpen = false) {
  const child = spawn(process.execPath, [cliBin, 'standby'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (keepOpen) child.stdin.write(input);
  else child.stdin.end(input);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('runboard standby', () => {
  test('takes the run on its stdin, answers taken, and supervises it as runboard exec', async ({
    dir,
  }) => {
    const runDir = join(dir, 'logs', 'a');
    const assignment = {
      args: [
        '--run-dir',
        runDir,
        '--run-id',
        'a',
        '--',
        'sh',
        '-c',
        'echo "$FROM_LAUNCHER $(pwd)" > seen; exit 3',
      ],
      env: { FROM_LAUNCHER: 'hello' },
      cwd: dir,
    };
    // The launcher keeps the channel open until it reads `taken`, then lets go of it.
    const { child, done } = standby(`${JSON.stringify(assignment)}\n`, true);
    const { code, stdout } = await done;
    expect(stdout).toBe('taken\n');
    expect(code).toBe(3);
    expect(readFileSync(join(dir, 'seen'), 'utf8')).toBe(`hello ${dir}\n`);
    const record = JSON.parse(readFileSync(join(runDir, 'progress.json'), 'utf8'));
    expect(record).toMatchObject({
      id: 'a',
      status: 'failed',
      exitCode: 3,
      supervisorPid: child.pid,
    });
  });

  test('stdin that ends without a run ends it (exit 0); a bad line exits 2 naming the problem', async () => {
    expect(await standby('').done).toEqual({ code: 0, stdout: '', stderr: '' });
    const bad = await standby('{"args":"--run-dir"}\n').done;
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      'runboard standby: Expected `args` of the standby assignment to be strings\n',
    );
    expect((await standby('not json\n').done).stderr).toMatch(/not JSON/);
    // A run folder that is not there is refused before `taken`: the launcher starts it cold.
    const missing = { args: ['--run-dir', '/nowhere/a', '--', 'true'], env: {}, cwd: '/nowhere/a' };
    expect(await standby(`${JSON.stringify(missing)}\n`).done).toEqual({
      code: 2,
      stdout: '',
      stderr: 'runboard standby: the run folder /nowhere/a is not a folder on this host\n',
    });
  });
});
