import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import {
  allExited,
  exitOf,
  jobPath,
  nodeJob,
  readLog,
  readRecord,
  test,
} from './supervisor-helpers.js';

describe('the exec process (runboard exec flags, real signals)', () => {
  test('SIGTERM to the supervisor cancels the run and stops the job', async ({
    dir,
    runDir,
    startExec,
  }) => {
    const ready = join(dir, 'ready');
    const exec = startExec([
      '--run-dir',
      runDir,
      '--quiet',
      '--',
      ...nodeJob('hang.mjs', { 'ready-file': ready }),
    ]);
    const jobPid = Number(await vi.waitFor(() => readFileSync(ready, 'utf8'), { timeout: 20_000 }));
    exec.kill('SIGTERM');
    expect(await exitOf(exec)).toEqual({ code: 143, signal: null });
    expect(readRecord(runDir)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled: supervisor received SIGTERM',
      pid: jobPid,
      supervisorPid: exec.pid,
    });
    expect(allExited([jobPid])).toBe(true);
  });

  test('heartbeats advance while the job runs', async ({ dir, runDir, startExec }) => {
    const ready = join(dir, 'ready');
    const exec = startExec(
      [
        '--run-dir',
        runDir,
        '--heartbeat-seconds',
        '0.2',
        '--',
        ...nodeJob('hang.mjs', { 'ready-file': ready }),
      ],
      { stdio: 'ignore' },
    );
    await vi.waitFor(() => readFileSync(ready, 'utf8'), { timeout: 20_000 });
    const first = await vi.waitFor(
      () => {
        const record = readRecord(runDir);
        const heartbeat = record?.pid ? record.heartbeatAt : undefined;
        if (!heartbeat) throw new Error('the pid and a heartbeat are not recorded yet');
        return heartbeat;
      },
      { timeout: 5000 },
    );
    const later = await vi.waitFor(
      () => {
        const heartbeat = readRecord(runDir)?.heartbeatAt;
        if (!heartbeat || Date.parse(heartbeat) < Date.parse(first) + 300) {
          throw new Error(`no heartbeat 300 ms after ${first} yet (last: ${heartbeat})`);
        }
        return heartbeat;
      },
      { timeout: 10_000 },
    );
    expect(Date.parse(later)).toBeGreaterThan(Date.parse(first));
    expect(readRecord(runDir)?.status).toBe('running');
    exec.kill('SIGINT');
    // The exit status is the job's: it was stopped with SIGTERM.
    expect((await exitOf(exec)).code).toBe(143);
    expect(readRecord(runDir)?.error).toBe('cancelled: supervisor received SIGINT');
  });

  test('outlives its stdout going away (EPIPE) and SIGHUP, and still records the end', async ({
    runDir,
    startExec,
  }) => {
    const exec = startExec([
      '--run-dir',
      runDir,
      '--',
      ...nodeJob('report-marker.mjs', { steps: 30, 'interval-ms': 30 }),
    ]);
    await expect
      .poll(() => readRecord(runDir)?.pid, { timeout: 20_000, message: 'job started' })
      .toBeGreaterThan(0);
    // The launcher that read our output is gone: its end of the pipes closes.
    exec.stdout?.destroy();
    exec.stderr?.destroy();
    exec.kill('SIGHUP');
    expect(await exitOf(exec)).toEqual({ code: 0, signal: null });
    expect(readRecord(runDir)).toMatchObject({ status: 'succeeded', progress: { current: 30 } });
    expect(readLog(runDir)).toContain('plain log line 30');
  });

  test("passes the job's exit code through and its arguments untouched", async ({
    dir,
    runDir,
    startExec,
  }) => {
    const out = join(dir, 'seen.json');
    const jobArgs = ['--out', out, '--code', '4', '--run-dir', 'x', '--'];
    const exec = startExec(
      [
        '--run-dir',
        runDir,
        '--gpus',
        '1',
        '--',
        process.execPath,
        jobPath('record-env.mjs'),
        ...jobArgs,
      ],
      { stdio: 'ignore' },
    );
    expect((await exitOf(exec)).code).toBe(4);
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    expect(seen.argv).toEqual(jobArgs);
    expect(seen.env.CUDA_VISIBLE_DEVICES).toBe('1');
    expect(readRecord(runDir)).toMatchObject({ status: 'failed', exitCode: 4 });
  });

  test('a bad command line exits 2 without touching the run folder', async ({
    runDir,
    startExec,
  }) => {
    const exec = startExec(['--run-dir', runDir, '--heartbeat-seconds', 'soon', '--', 'true']);
    let stderr = '';
    exec.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect((await exitOf(exec)).code).toBe(2);
    expect(stderr).toContain('--heartbeat-seconds expects a number');
    expect(readRecord(runDir)).toBeUndefined();
  });
});
