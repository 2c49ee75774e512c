/**
 * `runboard exec` through the real bin (bin/runboard.js → dist; the Nx test target builds
 * first): argument handling, exit codes, and one real signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import { describe, expect } from 'vitest';

const cliBin = join(import.meta.dirname, '..', 'bin', 'runboard.js');
const jobs = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'packages',
  'launcher',
  'test',
  'fixtures',
  'jobs',
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const test = testWithTempDir('runboard-exec-cli-').extend<{
  cli: (args: string[]) => ChildProcess & { done: Promise<Run> };
}>({
  // eslint-disable-next-line no-empty-pattern
  cli: async ({}, use) => {
    const started: ChildProcess[] = [];
    await use((args) => {
      const child = spawn(process.execPath, [cliBin, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      started.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const done = new Promise<Run>((resolve) =>
        child.once('close', (code) => resolve({ code, stdout, stderr })),
      );
      return Object.assign(child, { done });
    });
    for (const child of started) {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  },
});

function record(runDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(runDir, 'progress.json'), 'utf8'));
}

describe('runboard exec', () => {
  test("passes the job's arguments through untouched after -- and exits with its code", async ({
    dir,
    cli,
  }) => {
    const runDir = join(dir, 'run');
    const out = join(dir, 'seen.json');
    const jobArgs = ['--out', out, '--code', '3', '--run-dir', 'x', '--help', '--', '-v'];
    const { code } = await cli([
      'exec',
      '--run-dir',
      runDir,
      '--gpus',
      '0,2',
      '--',
      process.execPath,
      join(jobs, 'record-env.mjs'),
      ...jobArgs,
    ]).done;
    expect(code).toBe(3);
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    expect(seen.argv).toEqual(jobArgs);
    expect(seen.env).toMatchObject({
      CUDA_VISIBLE_DEVICES: '0,2',
      RUNBOARD_RUN_DIR: runDir,
      RUNBOARD_RUN_ID: 'run',
    });
    expect(record(runDir)).toMatchObject({ status: 'failed', exitCode: 3, gpus: [0, 2] });
  });

  test('without --, flags after the program belong to the job', async ({ dir, cli }) => {
    const runDir = join(dir, 'run');
    const out = join(dir, 'seen.json');
    const run = await cli([
      'exec',
      '--run-dir',
      runDir,
      process.execPath,
      join(jobs, 'record-env.mjs'),
      '--out',
      out,
      '--quiet',
    ]).done;
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).argv).toEqual(['--out', out, '--quiet']);
    // Not --quiet for the supervisor: its own notes were copied to stderr.
    expect(run.stderr).toContain('[runboard] attempt 1');
    expect(record(runDir).status).toBe('succeeded');
  });

  test.for([
    [['exec', '--', 'true'], /--run-dir/],
    [['exec', '--run-dir', 'RUN_DIR'], /command/],
    [
      ['exec', '--run-dir', 'RUN_DIR', '--attempt', 'two', '--', 'true'],
      /--attempt expects a number/,
    ],
    [['exec', '--run-dir', 'RUN_DIR', '--bogus', '--', 'true'], /unknown option '--bogus'/],
  ] as Array<[string[], RegExp]>)(
    'bad usage %j exits 2 and touches nothing',
    async ([args, message], { dir, cli }) => {
      const runDir = join(dir, 'run');
      const run = await cli(args.map((arg) => (arg === 'RUN_DIR' ? runDir : arg))).done;
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(join(runDir, 'progress.json'))).toBe(false);
    },
  );

  test('--help lists the flags', async ({ cli }) => {
    const run = await cli(['exec', '--help']).done;
    expect(run.code).toBe(0);
    for (const flag of [
      '--run-dir',
      '--attempt',
      '--gpus',
      '--timeout-seconds',
      '--kill-grace-seconds',
      '--log-max-bytes',
      '--epoch-dirs-files',
      '--quiet',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  test('SIGTERM cancels the run and stops the job', async ({ dir, cli }) => {
    const runDir = join(dir, 'run');
    const ready = join(dir, 'ready');
    const exec = cli([
      'exec',
      '--run-dir',
      runDir,
      '--quiet',
      '--',
      process.execPath,
      join(jobs, 'hang.mjs'),
      '--ready-file',
      ready,
    ]);
    await expect
      .poll(() => existsSync(ready) && record(runDir).pid, {
        timeout: 20_000,
        interval: 25,
        message: 'job did not start',
      })
      .toBeGreaterThan(0);
    exec.kill('SIGTERM');
    expect((await exec.done).code).toBe(143);
    expect(record(runDir)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled: supervisor received SIGTERM',
    });
  });
});
