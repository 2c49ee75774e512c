import { readFileSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { RUN_FILES } from '../src/run-folder/index.js';
import { nodeJob, readLog, readMetricsLines, readRecord, test } from './supervisor-helpers.js';

describe('superviseRun: progress', () => {
  test('marker lines give progress, percent, metrics (NaN as null) and one metrics.jsonl line each', async ({
    runDir,
    supervise,
  }) => {
    const result = await supervise({
      runDir,
      command: nodeJob('report-marker.mjs', { steps: 5, 'interval-ms': 20, nan: true, torn: true }),
    });
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, exitStatus: 0, attempt: 1 });
    const record = readRecord(runDir);
    expect(record).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      progress: {
        current: 5,
        total: 5,
        unit: 'step',
        percent: 100,
        etaSeconds: 0,
        message: 'step 5',
      },
      metrics: { loss: null, step: 5 },
    });
    const lines = readMetricsLines(runDir);
    expect(lines.map((line) => [line.source, line.current, line.attempt])).toEqual(
      [1, 2, 3, 4, 5].map((step) => ['marker', step, 1]),
    );
    expect(lines[4]).toMatchObject({ percent: 100, metrics: { loss: null, step: 5 } });
    expect(readLog(runDir)).toContain('plain log line 5');
    expect(readLog(runDir)).toContain('##runboard {"current": 3');
  });

  test('the ETA follows the smoothed rate of a steady job', async ({ runDir, supervise }) => {
    await supervise({
      runDir,
      command: nodeJob('report-marker.mjs', { steps: 12, 'interval-ms': 100, total: 24 }),
    });
    const progress = readRecord(runDir)?.progress;
    expect(progress).toMatchObject({ current: 12, total: 24, percent: 50 });
    const rate = progress?.ratePerSecond as number;
    // 10 steps a second when the machine keeps up; slower under load, never faster.
    expect(rate).toBeGreaterThan(2);
    expect(rate).toBeLessThanOrEqual(11);
    expect(progress?.etaSeconds).toBeGreaterThanOrEqual(Math.floor(12 / rate) - 1);
    expect(progress?.etaSeconds).toBeLessThanOrEqual(Math.ceil(12 / rate));
  });

  test('an unmodified tqdm bar on stderr gives progress; its metrics.jsonl lines are thinned', async ({
    runDir,
    supervise,
  }) => {
    await supervise({
      runDir,
      command: nodeJob('report-tqdm.mjs', {
        steps: 20,
        'interval-ms': 25,
        desc: 'Epoch 1',
        postfix: true,
      }),
      metricsIntervalMs: 200,
    });
    expect(readRecord(runDir)).toMatchObject({
      status: 'succeeded',
      progress: { current: 20, total: 20, unit: 'it', percent: 100, message: 'Epoch 1' },
      metrics: { loss: 0.0476, lr: 1e-5 },
    });
    const lines = readMetricsLines(runDir);
    expect(lines.every((line) => line.source === 'tqdm')).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThan(21);
    expect(lines.at(-1)).toMatchObject({ current: 20, total: 20, percent: 100 });
  });

  test('a tqdm bar without a total gives a count without percent', async ({
    runDir,
    supervise,
  }) => {
    await supervise({
      runDir,
      command: nodeJob('report-tqdm.mjs', { steps: 4, 'interval-ms': 10, total: 0, unit: 'epoch' }),
    });
    expect(readRecord(runDir)?.progress).toMatchObject({
      current: 4,
      total: null,
      unit: 'epoch',
      percent: null,
      etaSeconds: null,
    });
  });

  test('epoch folders in the run folder count when they hold every expected file', async ({
    runDir,
    supervise,
  }) => {
    await supervise({
      runDir,
      command: nodeJob('report-epochs.mjs', {
        epochs: 3,
        'interval-ms': 150,
        files: 'model.pth,metrics.json',
      }),
      epochDirs: { expectedFiles: ['model.pth', 'metrics.json'], total: 5, pollSeconds: 0.05 },
    });
    expect(readRecord(runDir)?.progress).toMatchObject({
      current: 3,
      total: 5,
      unit: 'epoch',
      percent: 60,
    });
    const counts = readMetricsLines(runDir).map((line) => line.current);
    expect(counts[0]).toBe(0);
    expect(counts.at(-1)).toBe(3);
    // Counted as they completed, one at a time, never backwards.
    expect(counts).toEqual([...counts].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(counts).size).toBe(counts.length);
  });

  test('epoch folders elsewhere are found relative to the job cwd', async ({
    dir,
    runDir,
    supervise,
  }) => {
    await supervise({
      runDir,
      cwd: dir,
      command: nodeJob('report-epochs.mjs', {
        epochs: 2,
        'interval-ms': 10,
        dir: join(dir, 'out'),
        files: 'a',
      }),
      epochDirs: { expectedFiles: ['a'], dir: 'out' },
    });
    expect(readRecord(runDir)?.progress).toMatchObject({ current: 2, total: null, unit: 'epoch' });
  });

  test('record writes are throttled, and the final state is always written', async ({
    runDir,
    supervise,
  }) => {
    let writes = 0;
    const { mkdirSync } = await import('node:fs');
    mkdirSync(runDir, { recursive: true });
    const watcher = watch(runDir, (event, filename) => {
      if (event === 'rename' && filename === RUN_FILES.progress) writes += 1;
    });
    try {
      await supervise({
        runDir,
        command: nodeJob('report-marker.mjs', { steps: 60, 'interval-ms': 10 }),
        recordIntervalMs: 500,
      });
    } finally {
      watcher.close();
    }
    const record = JSON.parse(readFileSync(join(runDir, RUN_FILES.progress), 'utf8'));
    expect(record.progress).toMatchObject({ current: 60, percent: 100 });
    expect(readMetricsLines(runDir)).toHaveLength(60);
    // ~1 s of 60 reports: claim + a few throttled writes + the final one, far fewer than 60.
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThan(15);
  });

  test('metrics.jsonl stays within metricsMaxBytes and keeps the first and the newest reports', async ({
    runDir,
    supervise,
  }) => {
    const cap = 16 * 1024;
    const steps = 1500; // ~260 KB of lines
    await supervise({
      runDir,
      metricsMaxBytes: cap,
      command: nodeJob('report-marker.mjs', { steps, 'interval-ms': 0 }),
    });
    expect(statSync(join(runDir, RUN_FILES.metrics)).size).toBeLessThanOrEqual(cap);
    const counts = readMetricsLines(runDir).map((line) => line.current as number);
    expect(counts[0]).toBe(1);
    expect(counts.at(-1)).toBe(steps);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const newest = counts.slice(-20);
    expect(newest).toEqual(newest.map((_, index) => steps - 19 + index));
    expect(readRecord(runDir)?.progress).toMatchObject({ current: steps, percent: 100 });
  });

  test('the job sees RUNBOARD_RUN_ID, RUNBOARD_RUN_DIR and CUDA_VISIBLE_DEVICES', async ({
    dir,
    runDir,
    supervise,
  }) => {
    const out = join(dir, 'env.json');
    await supervise({
      runDir,
      runId: 'sweep/a_1',
      gpus: [2, 3],
      cwd: dir,
      command: nodeJob('record-env.mjs', { out }),
    });
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    expect(seen.env).toMatchObject({
      RUNBOARD_RUN_ID: 'sweep/a_1',
      RUNBOARD_RUN_DIR: runDir,
      RUNBOARD_ATTEMPT: '1',
      CUDA_VISIBLE_DEVICES: '2,3',
    });
    expect(seen.cwd).toBe(dir);
    expect(readRecord(runDir)).toMatchObject({
      id: 'sweep/a_1',
      gpus: [2, 3],
      pid: seen.pid,
      host: expect.any(String),
    });
  });
});
