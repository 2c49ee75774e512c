/**
 * The failure runboard exists to end, staged for real: a launcher and a dashboard as separate
 * processes over one root, a third process hammering the dashboard's API and a fourth reading
 * every progress.json with a plain readFileSync + JSON.parse — while runs start, report
 * progress, fail, retry and finish, and the launcher is killed with SIGKILL once and restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, removeTempDir } from '@runboard/test-kit';
import { afterEach, expect, test, vi } from 'vitest';

const cliBin = join(import.meta.dirname, '..', 'bin', 'runboard.js');
const fixtures = join(import.meta.dirname, 'fixtures');
const demoJobs = join(import.meta.dirname, '..', '..', '..', 'examples', 'demo', 'jobs');
/** The reader and the hammer race the writers for at least this long. */
const MIN_DURATION_MS = 20_000;
/** The kill's schedule: `SEED=<n>` replays a run's (each run prints the seed it used). */
const SEED = process.env['SEED'] ? Number(process.env['SEED']) : Date.now() % 2 ** 31;

const children: ChildProcess[] = [];
let workDir: string | undefined;

afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.length = 0;
  if (workDir) await removeTempDir(workDir);
});

function start(
  args: string[],
  options: { cwd?: string } = {},
): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  return Object.assign(child, { output: () => output });
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same numbers. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stopAndReport(
  child: ChildProcess & { output: () => string },
): Promise<Record<string, unknown>> {
  child.kill('SIGTERM');
  await exited(child);
  const lines = child.output().trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

function writePlan(dir: string): string {
  const train = (seed: number) => ({
    id: `train/model_seed${seed}`,
    command: [
      'node',
      join(demoJobs, 'train.mjs'),
      '--seed',
      String(seed),
      '--epochs',
      '12',
      '--epoch-seconds',
      '0.4',
    ],
  });
  const plan = {
    root: 'runs',
    concurrency: 3,
    heartbeatSeconds: 1,
    stalledAfterSeconds: 10,
    runs: [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map(train),
      { id: 'flaky/oom_then_ok', command: ['node', join(demoJobs, 'flaky.mjs')], retries: 1 },
      { id: 'broken/bad_config', command: ['node', join(demoJobs, 'broken.mjs')], retries: 1 },
      {
        id: 'eval/model_seed1',
        command: ['node', join(demoJobs, 'tqdm-bar.mjs'), '--steps', '40', '--step-ms', '50'],
        dependsOn: ['train/model_seed1'],
      },
    ],
  };
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan, null, 2));
  return file;
}

test(
  'launcher and dashboard side by side: no torn reads, no HTTP errors, every run ends right, across a SIGKILL of the launcher',
  { timeout: 120_000 },
  async () => {
    expect(Number.isInteger(SEED), `SEED=${process.env['SEED']} is not an integer`).toBe(true);
    const killAfterMs = 4_000 + seededRandom(SEED)() * 6_000;
    console.log(`e2e: SEED=${SEED} (kills the first launcher after ${Math.round(killAfterMs)} ms)`);
    workDir = await makeTempDir('runboard-e2e-');
    const root = join(workDir, 'runs');
    const plan = writePlan(workDir);
    const began = Date.now();

    // The runs' root does not exist before the first launch: --create.
    const dashboard = start([cliBin, 'dashboard', '--root', root, '--port', '0', '--create']);
    const baseUrl = await vi.waitFor(
      () => {
        const url = /http:\/\/127\.0\.0\.1:\d+/.exec(dashboard.output())?.[0];
        if (url === undefined) throw new Error('timed out waiting for the dashboard URL');
        return url;
      },
      { timeout: 15_000, interval: 50 },
    );
    const hammer = start([join(fixtures, 'api-hammer.mjs'), baseUrl]);
    const reader = start([join(fixtures, 'plain-reader.mjs'), root]);
    await expect
      .poll(() => hammer.output().includes('ready') && reader.output().includes('ready'), {
        timeout: 15_000,
        message: 'the hammer and the reader to be ready',
      })
      .toBe(true);

    const firstLauncher = start([cliBin, 'launch', plan], { cwd: workDir });
    await sleep(killAfterMs);
    firstLauncher.kill('SIGKILL');
    await exited(firstLauncher);

    const secondLauncher = start([cliBin, 'launch', plan], { cwd: workDir });
    const launcherExit = await Promise.race([
      exited(secondLauncher),
      sleep(90_000).then(() => 'timeout' as const),
    ]);
    // broken/bad_config fails for good.
    expect(launcherExit, `SEED=${SEED}\n${secondLauncher.output()}`).toBe(1);
    const remaining = MIN_DURATION_MS - (Date.now() - began);
    if (remaining > 0) await sleep(remaining);

    const readerReport = await stopAndReport(reader);
    const hammerReport = await stopAndReport(hammer);
    console.log(
      `e2e (SEED=${SEED}): ${Math.round((Date.now() - began) / 1000)} s, launcher exit ${launcherExit}; ` +
        `plain reader: ${String(readerReport.reads)} reads, ${(readerReport.tornReads as unknown[]).length} torn; ` +
        `API: ${String(hammerReport.requests)} requests, ${(hammerReport.errors as unknown[]).length} errors, ` +
        `${(hammerReport.non2xx as unknown[]).length} non-2xx, ${String(hammerReport.sseEvents)} SSE events`,
    );
    expect(readerReport.tornReads).toEqual([]);
    expect(readerReport.otherErrors).toEqual([]);
    expect(readerReport.reads).toBeGreaterThan(100);
    expect(hammerReport.errors).toEqual([]);
    expect(hammerReport.non2xx).toEqual([]);
    expect(hammerReport.requests).toBeGreaterThan(100);
    expect(hammerReport.sseConnected).toBe(true);
    expect(hammerReport.sseEvents).toBeGreaterThan(0);

    const record = (id: string) =>
      JSON.parse(readFileSync(join(root, id, 'progress.json'), 'utf8'));
    for (let seed = 1; seed <= 9; seed++) {
      const train = record(`train/model_seed${seed}`);
      expect(train, `train/model_seed${seed}`).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        exitCode: 0,
      });
      expect(train.progress).toMatchObject({ current: 12, total: 12, percent: 100 });
      expect(train.metrics.loss).toBeTypeOf('number');
    }
    expect(record('eval/model_seed1')).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      progress: { percent: 100 },
    });
    expect(record('flaky/oom_then_ok')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      progress: { percent: 100 },
    });
    expect(record('broken/bad_config')).toMatchObject({
      status: 'failed',
      attempt: 2,
      exitCode: 3,
    });
  },
);
