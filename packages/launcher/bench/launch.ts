// Launcher benchmarks (issue 4 budgets):
// - run end → next run's job start, p50 ≤ 250 ms (the tool runboard replaces looked every 180 s):
//   a plan of short sequential jobs (concurrency 1); each job stamps its start and end with
//   `date +%s%N`, the gap between one job's end and the next one's start is the latency. Against
//   a bare loop that spawns the same jobs back to back (no records, no supervisor): the floor.
// - reconciling a plan of 1,000 runs ≤ 2 s: a fresh root (every record created), a restart with
//   every run queued, and a relaunch of a finished plan.
// - plan size: a plan of 30,000 runs of `true` at concurrency 2 against one of 40 (issue 12 item 6:
//   ≥ 0.8× the throughput, launcher RSS ≤ 250 MB), throughput over the same number of completed
//   runs (the first 40), then the launch is stopped through its AbortSignal.
// Rounds are interleaved across variants; medians are reported.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJson } from '@runboard/json-io';
import {
  createLocalExecutor,
  launch,
  reconcilePlan,
  resolvePlan,
  type ResolvedPlan,
} from '../src/index.js';
import { distBuilt, execCommand, standbyEntry } from './exec-command.js';
import { percentile } from './percentile.js';

const here = dirname(fileURLToPath(import.meta.url));
const launcher = { host: 'bench', pid: process.pid };

const preload = distBuilt ? [join(here, '..', 'dist', 'index.js')] : [];

// Jobs last long enough for the standby to be warm again by the next start, as real runs do.
const JOBS = 10;
const JOB_SECONDS = 1;

function jobScript(log: string, index: number): string {
  return `echo "start ${index} $(date +%s%N)" >> ${log}; sleep ${JOB_SECONDS}; echo "end ${index} $(date +%s%N)" >> ${log}`;
}

/** Gaps (ms) between job i's end and job i+1's start, from the stamps in `log`. */
function gaps(log: string): number[] {
  const stamps = new Map<string, number>();
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [kind, index, nanoseconds] = line.split(' ');
    stamps.set(`${kind} ${index}`, Number(BigInt(nanoseconds) / 1000n) / 1000);
  }
  const result: number[] = [];
  for (let index = 0; index + 1 < JOBS; index++) {
    result.push(stamps.get(`start ${index + 1}`)! - stamps.get(`end ${index}`)!);
  }
  return result;
}

async function launcherRound(dir: string, warmStandby: boolean): Promise<number[]> {
  const log = join(dir, 'stamps.log');
  const plan = resolvePlan(
    {
      concurrency: 1,
      heartbeatSeconds: 5,
      runs: Array.from({ length: JOBS }, (_, index) => ({
        id: `bench/run_${String(index).padStart(2, '0')}`,
        command: jobScript(log, index),
      })),
    },
    { baseDir: dir },
  );
  const result = await launch({
    plan,
    executor: createLocalExecutor({
      execCommand: execCommand(),
      warmStandby,
      preload,
      standbyEntry: standbyEntry(),
    }),
  });
  if (result.exitCode !== 0)
    throw new Error(
      `bench plan failed: ${JSON.stringify(result.runs.filter((run) => run.outcome !== 'succeeded'))}`,
    );
  return gaps(log);
}

async function bareLoopRound(dir: string): Promise<number[]> {
  const log = join(dir, 'stamps.log');
  for (let index = 0; index < JOBS; index++) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('sh', ['-c', jobScript(log, index)], { stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', () => resolve());
    });
  }
  return gaps(log);
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

const format = (ms: number) => `${ms.toFixed(0)} ms`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'runboard-bench-launch-'));
}

async function latencyTable(rounds: number): Promise<string> {
  const variants: Record<string, (dir: string) => Promise<number[]>> = {
    'runboard launch, warm standby (default)': (dir) => launcherRound(dir, true),
    'runboard launch, a fresh exec process per run': (dir) => launcherRound(dir, false),
    'bare loop: spawn the next job on exit': bareLoopRound,
  };
  const samples = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const dir = tempDir();
      try {
        samples.get(name)!.push(...(await run(dir)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const floor = median(samples.get('bare loop: spawn the next job on exit')!);
  const rows = [...samples].map(
    ([name, values]) =>
      `| ${name} | ${format(median(values))} | ${format(percentile(values, 0.95))} | ${format(median(values) - floor)} |`,
  );
  return [
    `Run end → next run's job start (${rounds} rounds × ${JOBS - 1} gaps, ${JOB_SECONDS} s jobs, concurrency 1, supervisor ${distBuilt ? 'from dist' : 'from source via tsx: build first for deployed numbers'}):`,
    '',
    '| variant | p50 | p95 | p50 over the bare loop |',
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function thousandRunPlan(dir: string): ResolvedPlan {
  return resolvePlan(
    {
      sweeps: [
        {
          id: 'sweep/{model}/run_{seed}',
          command: ['python', 'train.py', '--model', '{model}', '--seed', '{seed}'],
          matrix: {
            model: Array.from({ length: 20 }, (_, index) => `m${index}`),
            seed: Array.from({ length: 50 }, (_, index) => index),
          },
        },
      ],
    },
    { baseDir: dir },
  );
}

async function reconcileTable(rounds: number): Promise<string> {
  const variants: Record<string, (dir: string) => Promise<number>> = {
    'fresh root: 1,000 records created': async (dir) => {
      const plan = thousandRunPlan(dir);
      const started = performance.now();
      await reconcilePlan(plan, { launcher });
      return performance.now() - started;
    },
    'restart: 1,000 queued records read': async (dir) => {
      const plan = thousandRunPlan(dir);
      await reconcilePlan(plan, { launcher });
      const started = performance.now();
      await reconcilePlan(plan, { launcher });
      return performance.now() - started;
    },
    'relaunch of a finished plan: 1,000 succeeded': async (dir) => {
      const plan = thousandRunPlan(dir);
      const now = new Date().toISOString();
      await Promise.all(
        plan.runs.map((run) =>
          writeJson(
            join(plan.root, ...run.id.split('/'), 'progress.json'),
            {
              schemaVersion: 1,
              id: run.id,
              status: 'succeeded',
              attempt: 1,
              command: run.command,
              finishedAt: now,
              updatedAt: now,
            },
            { durable: false },
          ),
        ),
      );
      const started = performance.now();
      await reconcilePlan(plan, { launcher });
      return performance.now() - started;
    },
  };
  const samples = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const dir = tempDir();
      try {
        samples.get(name)!.push(await run(dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return [
    `Reconciling a plan of 1,000 runs (${rounds} rounds, median; budget 2 s):`,
    '',
    '| case | median | slowest |',
    '|---|---:|---:|',
    ...[...samples].map(
      ([name, values]) =>
        `| ${name} | ${format(median(values))} | ${format(Math.max(...values))} |`,
    ),
  ].join('\n');
}

const SCALE_COMPLETED = 40;

interface ScaleSample {
  runsPerSecond: number;
  reconcileMs: number;
  peakRssMb: number;
}

/**
 * Launches `size` runs of `true` at concurrency 2 and measures, from the first start, how fast
 * the first {@link SCALE_COMPLETED} runs complete, and the launcher's peak RSS (this process).
 */
async function scaleRound(dir: string, size: number): Promise<ScaleSample> {
  const plan = resolvePlan(
    {
      concurrency: 2,
      heartbeatSeconds: 5,
      runs: Array.from({ length: size }, (_, index) => ({
        id: `sweep/run_${String(index).padStart(5, '0')}`,
        command: ['true'],
      })),
    },
    { baseDir: dir },
  );
  const controller = new AbortController();
  let firstStart: number | undefined;
  let completed = 0;
  let lastCompletion = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const began = performance.now();
  let reconciledAt = began;
  await launch({
    plan,
    executor: createLocalExecutor({
      execCommand: execCommand(),
      preload,
      standbyEntry: standbyEntry(),
    }),
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type === 'reconciled') reconciledAt = performance.now();
      if (event.type === 'started') firstStart ??= performance.now();
      if (event.type === 'finished' && event.final && completed < SCALE_COMPLETED) {
        completed++;
        lastCompletion = performance.now();
        if (completed === SCALE_COMPLETED) controller.abort(new Error('measured'));
      }
    },
  });
  clearInterval(sampler);
  return {
    runsPerSecond: (completed / (lastCompletion - (firstStart ?? lastCompletion))) * 1000,
    reconcileMs: reconciledAt - began,
    peakRssMb: Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20,
  };
}

async function scaleTable(rounds: number): Promise<string> {
  const sizes = [40, 30_000];
  const samples = new Map<number, ScaleSample[]>(sizes.map((size) => [size, []]));
  for (let round = 0; round < rounds; round++) {
    for (const size of sizes) {
      const dir = tempDir();
      try {
        samples.get(size)!.push(await scaleRound(dir, size));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const rate = (size: number) => median(samples.get(size)!.map((sample) => sample.runsPerSecond));
  return [
    `Plan size (runs of \`true\`, concurrency 2, throughput over the first ${SCALE_COMPLETED} completed runs, ${rounds} rounds, median; target: 30,000 ≥ 0.8× of 40, RSS ≤ 250 MB):`,
    '',
    '| plan | runs/s | × the 40-run plan | reconcile | launcher peak RSS |',
    '|---|---:|---:|---:|---:|',
    ...sizes.map((size) => {
      const values = samples.get(size)!;
      return `| ${size.toLocaleString('en-US')} runs | ${rate(size).toFixed(2)} | ${(rate(size) / rate(40)).toFixed(2)} | ${format(median(values.map((v) => v.reconcileMs)))} | ${Math.max(...values.map((v) => v.peakRssMb)).toFixed(0)} MB |`;
    }),
  ].join('\n');
}

/** Runs the launcher benchmarks and returns their Markdown tables. */
export async function runLaunchBench(): Promise<string> {
  return `${await latencyTable(3)}\n\n${await reconcileTable(5)}\n\n${await scaleTable(1)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `… bench/launch.ts scale`: only the plan-size case.
  console.log(
    process.argv[2] === 'scale'
      ? await scaleTable(Number(process.argv[3] ?? 1))
      : await runLaunchBench(),
  );
}
