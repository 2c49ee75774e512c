import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { requestCancel } from '../src/run-folder/index.js';
import { allExited, nodeJob, readLog, readRecord, test } from './supervisor-helpers.js';

function readPids(file: string): { parent: number; children: number[] } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('superviseRun: stopping the job', () => {
  test('timeout stops a hanging job and records why', async ({ runDir, supervise }) => {
    const started = Date.now();
    const result = await supervise({
      runDir,
      command: nodeJob('hang.mjs'),
      timeoutSeconds: 0.5,
      killGraceSeconds: 5,
    });
    expect(result).toMatchObject({
      status: 'failed',
      signal: 'SIGTERM',
      exitStatus: 143,
      error: 'timeout after 0.5s',
    });
    expect(readRecord(runDir)).toMatchObject({
      status: 'failed',
      error: 'timeout after 0.5s',
      signal: 'SIGTERM',
    });
    // SIGTERM was enough: no wait for the 5 s grace period.
    expect(Date.now() - started).toBeLessThan(4500);
    expect(allExited([result.pid as number])).toBe(true);
  });

  test('a job that ignores SIGTERM gets SIGKILL after the grace period', async ({
    dir,
    runDir,
    supervise,
  }) => {
    const ready = join(dir, 'ready');
    const running = supervise({
      runDir,
      command: nodeJob('hang.mjs', { 'ignore-sigterm': true, 'ready-file': ready }),
      killGraceSeconds: 0.5,
    });
    await vi.waitFor(() => readFileSync(ready, 'utf8'), { timeout: 10_000 });
    await requestCancel(runDir, { requestedBy: 'test' });
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', signal: 'SIGKILL', exitStatus: 137 });
    expect(result.error).toMatch(/^cancelled: requested in control\.json at .* by test$/);
    expect(readRecord(runDir)).toMatchObject({ status: 'cancelled', signal: 'SIGKILL' });
    const log = readLog(runDir);
    expect(log).toContain('ignoring SIGTERM');
    expect(log).toContain('sent SIGKILL');
  });

  test('cancel stops the whole process group: children too', async ({ dir, runDir, supervise }) => {
    const pidFile = join(dir, 'pids.json');
    const controller = new AbortController();
    const running = supervise({
      runDir,
      command: nodeJob('spawn-children.mjs', { children: 3, 'pid-file': pidFile }),
      signal: controller.signal,
    });
    const { parent, children } = await vi.waitFor(() => readPids(pidFile), { timeout: 10_000 });
    expect(allExited(children)).toBe(false);
    controller.abort('test says stop');
    const result = await running;
    expect(result).toMatchObject({
      status: 'cancelled',
      error: 'cancelled: test says stop',
      pid: parent,
    });
    expect(allExited([parent, ...children])).toBe(true);
    expect(readRecord(runDir)?.status).toBe('cancelled');
  });

  test('children that ignore SIGTERM are killed after the grace period', async ({
    dir,
    runDir,
    supervise,
  }) => {
    const pidFile = join(dir, 'pids.json');
    const controller = new AbortController();
    const running = supervise({
      runDir,
      command: nodeJob('spawn-children.mjs', {
        children: 2,
        'pid-file': pidFile,
        'ignore-sigterm': true,
      }),
      signal: controller.signal,
      killGraceSeconds: 0.5,
    });
    const { parent, children } = await vi.waitFor(() => readPids(pidFile), { timeout: 10_000 });
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(allExited([parent, ...children])).toBe(true);
    expect(readLog(runDir)).toContain('sent SIGKILL');
  });

  test('processes a finished job leaves in its group are stopped', async ({
    dir,
    runDir,
    supervise,
  }) => {
    const pidFile = join(dir, 'pids.json');
    const result = await supervise({
      runDir,
      command: nodeJob('spawn-children.mjs', {
        children: 2,
        'pid-file': pidFile,
        'exit-after-ms': 200,
      }),
    });
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(allExited(readPids(pidFile).children)).toBe(true);
    expect(readLog(runDir)).toContain('left processes in its group');
  });

  test('a cancel request made before the start cancels at once', async ({ runDir, supervise }) => {
    await requestCancel(runDir);
    const started = Date.now();
    const result = await supervise({ runDir, command: nodeJob('hang.mjs') });
    expect(result.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
