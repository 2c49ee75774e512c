// Slurm executor benchmarks (issue 11), on the single-node cluster of tools/ci/start-slurm.sh:
// - submit → running: 50 runs of `true`, from the launcher's start of each attempt (the
//   `started` event: sbatch has returned, or the local supervisor is spawned) to the
//   supervisor's `running` record (`startedAt`), through the Slurm executor (all 50 in Slurm's
//   queue, the node runs 16 at a time: its declared CPUs) and, in the same benchmark, through
//   the local executor at concurrency 16. Slurm's figure includes the wait for a CPU.
// - queue polling while 500 jobs are pending (submitted held, `--hold`): squeue calls per
//   minute by the launch (one call per interval for all jobs, whatever their number), and what
//   one such call costs.
// Skipped with the reason when no cluster answers.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLocalExecutor,
  createSlurmExecutor,
  launch,
  readRunRecord,
  resolvePlan,
  type Executor,
  type ResolvedPlan,
} from '../src/index.js';
import { distBuilt, execCommand, standbyEntry } from './exec-command.js';
import { percentile } from './percentile.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNBOARD_EXEC = join(here, '..', 'test', 'fixtures', 'slurm', 'runboard-exec.sh');
const LATENCY_RUNS = 50;
const PENDING_JOBS = 500;
const POLL_WINDOW_MS = 30_000;

function planOf(root: string, runs: number, executor?: Record<string, unknown>): ResolvedPlan {
  return resolvePlan(
    {
      root,
      // Slurm: every run in its queue (it schedules); local: as many at once as the node's CPUs.
      concurrency: executor ? runs : 16,
      heartbeatSeconds: 5,
      ...(executor ? { executor: { kind: 'slurm', runboard: RUNBOARD_EXEC, ...executor } } : {}),
      runs: Array.from({ length: runs }, (_, index) => ({ id: `r${index}`, command: ['true'] })),
    },
    { baseDir: root },
  );
}

/** Latencies (ms) from each run's `started` event to its record's `startedAt`. */
async function startLatencies(plan: ResolvedPlan, executor: Executor): Promise<number[]> {
  const started = new Map<string, number>();
  await launch({
    plan,
    executor,
    onEvent: (event) => {
      if (event.type === 'started') started.set(event.runId, Date.now());
    },
  });
  const latencies: number[] = [];
  for (const run of plan.runs) {
    const record = await readRunRecord(join(plan.root, run.id));
    const at = started.get(run.id);
    if (record?.startedAt && at !== undefined) latencies.push(Date.parse(record.startedAt) - at);
  }
  return latencies;
}

function slurmEnv(): NodeJS.ProcessEnv {
  return { ...process.env, RB_NODE: process.execPath, RB_EXEC_BUNDLE: execCommand()[1] };
}

async function latencyTable(dir: string): Promise<string> {
  const slurmPlan = planOf(join(dir, 'slurm'), LATENCY_RUNS, { cpusPerTask: 1 });
  const slurm = await startLatencies(
    slurmPlan,
    await createSlurmExecutor({ plan: slurmPlan, env: slurmEnv(), pollIntervalMs: 2000 }),
  );
  const localPlan = planOf(join(dir, 'local'), LATENCY_RUNS);
  const local = await startLatencies(
    localPlan,
    createLocalExecutor({ execCommand: execCommand(), standbyEntry: standbyEntry() }),
  );
  const row = (name: string, values: number[]) =>
    `| ${name} | ${values.length} | ${percentile(values, 0.5).toFixed(0)} | ${percentile(values, 0.95).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`;
  return [
    `### Submit → running, ${LATENCY_RUNS} runs of \`true\` (Slurm: all queued, 16 CPUs; local: concurrency 16)\n`,
    '| executor | runs | p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    row('slurm (sbatch → supervisor running on the node)', slurm),
    row('local (spawn → supervisor running)', local),
    '',
  ].join('\n');
}

async function pollingTable(dir: string): Promise<string> {
  const plan = planOf(join(dir, 'pending'), PENDING_JOBS, { extraArgs: ['--hold'] });
  const executor = await createSlurmExecutor({ plan, env: slurmEnv() });
  const controller = new AbortController();
  const submitStart = Date.now();
  let submitted = 0;
  let windowStart = 0;
  let callsAtWindowStart = 0;
  const launched = launch({
    plan,
    executor,
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type === 'started' && ++submitted === PENDING_JOBS) {
        windowStart = Date.now();
        callsAtWindowStart = executor.slurm.calls.squeue;
      }
    },
  });
  while (windowStart === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  const submitSeconds = (windowStart - submitStart) / 1000;
  await new Promise((resolve) => setTimeout(resolve, POLL_WINDOW_MS));
  const calls = executor.slurm.calls.squeue - callsAtWindowStart;
  const callMs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    execFileSync('squeue', [
      '--me',
      '--noheader',
      '--Format=JobID:|,State:|,Reason:|,RestartCnt:|,Comment:',
    ]);
    callMs.push(performance.now() - start);
  }
  controller.abort(new Error('benchmark over'));
  await launched;
  executor.close();
  const ids = execFileSync('squeue', ['--me', '--noheader', '--format=%i %k'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(plan.root))
    .map((line) => line.split(' ')[0]);
  if (ids.length > 0) spawnSync('scancel', ids);
  return [
    `### Queue polling with ${PENDING_JOBS} pending jobs (held)\n`,
    '| measure | value |',
    '|---|---|',
    `| submissions (sbatch + record) | ${PENDING_JOBS} in ${submitSeconds.toFixed(1)} s |`,
    `| squeue calls per minute by the launch | ${((calls * 60_000) / POLL_WINDOW_MS).toFixed(0)} |`,
    `| one squeue call over ${PENDING_JOBS} jobs (p50 of 5) | ${percentile(callMs, 0.5).toFixed(0)} ms |`,
    '',
  ].join('\n');
}

/** Runs the Slurm benchmarks; returns Markdown tables, or why they were skipped. */
export async function runSlurmBench(): Promise<string> {
  const sinfo = spawnSync('sinfo', ['--noheader', '--format=%T'], { encoding: 'utf8' });
  if (sinfo.error || sinfo.status !== 0)
    return `_Skipped: no Slurm cluster answers (${sinfo.error?.message ?? sinfo.stderr.trim()})._\n`;
  if (!distBuilt) return '_Skipped: needs the built package (nx build @runboard/launcher)._\n';
  const dir = mkdtempSync(join(tmpdir(), 'runboard-bench-slurm-'));
  try {
    return `${await latencyTable(dir)}\n${await pollingTable(dir)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await runSlurmBench());
