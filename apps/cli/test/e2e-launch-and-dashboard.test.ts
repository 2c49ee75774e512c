/**
 * The failure runboard exists to end, staged for real: a launcher and a dashboard as separate
 * processes over one root, a third process hammering the dashboard's API and a fourth reading
 * every progress.json with a plain readFileSync + JSON.parse — while runs start, report
 * progress, fail, retry and finish, and the launcher is killed with SIGKILL once and restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';

const cliBin = join(import.meta.dirname, '..', 'bin', 'runboard.js');
const fixtures = join(import.meta.dirname, 'fixtures');
const demoJobs = join(import.meta.dirname, '..', '..', '..', 'examples', 'demo', 'jobs');
const MIN_DURATION_MS = 20_000;

const children: ChildProcess[] = [];
let workDir: string | undefined;

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.length = 0;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
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

async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
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
    workDir = mkdtempSync(join(tmpdir(), 'runboard-e2e-'));
    const root = join(workDir, 'runs');
    const plan = writePlan(workDir);
    const began = Date.now();

    const dashboard = start([cliBin, 'dashboard', '--root', root, '--port', '0']);
    const baseUrl = await waitFor(
      'the dashboard URL',
      () => /http:\/\/127\.0\.0\.1:\d+/.exec(dashboard.output())?.[0],
    );
    const hammer = start([join(fixtures, 'api-hammer.mjs'), baseUrl]);
    const reader = start([join(fixtures, 'plain-reader.mjs'), root]);
    await waitFor('the hammer and the reader', () =>
      hammer.output().includes('ready') && reader.output().includes('ready') ? true : undefined,
    );

    const firstLauncher = start([cliBin, 'launch', plan], { cwd: workDir });
    await sleep(4_000 + Math.random() * 6_000);
    firstLauncher.kill('SIGKILL');
    await exited(firstLauncher);

    const secondLauncher = start([cliBin, 'launch', plan], { cwd: workDir });
    const launcherExit = await Promise.race([
      exited(secondLauncher),
      sleep(90_000).then(() => 'timeout' as const),
    ]);
    expect(launcherExit, secondLauncher.output()).toBe(1); // broken/bad_config fails for good
    const remaining = MIN_DURATION_MS - (Date.now() - began);
    if (remaining > 0) await sleep(remaining);

    const readerReport = await stopAndReport(reader);
    const hammerReport = await stopAndReport(hammer);
    console.log(
      `e2e: ${Math.round((Date.now() - began) / 1000)} s, launcher exit ${launcherExit}; ` +
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
    expect(Date.now() - began).toBeGreaterThanOrEqual(MIN_DURATION_MS);
  },
);
