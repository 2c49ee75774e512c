import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import {
  createSlurmExecutor,
  launch,
  loadPlan,
  type LaunchEvent,
  type LaunchOptions,
  type SlurmExecutor,
} from '../src/index.js';
import { entryBundles, FIXTURES, readMarks, readRecords, writePlan } from './launch-helpers.js';

/** `runboard exec` on the node: the bundled supervisor (see fixtures/slurm/runboard-exec.sh). */
export const RUNBOARD_EXEC = join(FIXTURES, 'slurm', 'runboard-exec.sh');
const LAUNCHER_ENTRY = join(FIXTURES, 'slurm', 'slurm-launcher-entry.ts');
/** The single-node cluster's job completion log (tools/ci/start-slurm.sh). */
export const JOBCOMP_LOG = '/var/log/slurm/jobcomp.log';

/**
 * Why the Slurm tests cannot run here, or `undefined` when the cluster answers with an idle or
 * busy node (tools/ci/start-slurm.sh starts it; CI must).
 */
export function slurmSkipReason(): string | undefined {
  const answer = spawnSync('sinfo', ['--noheader', '--format=%T'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (answer.error) return `sinfo is not available (${answer.error.message})`;
  if (answer.status !== 0) return `the Slurm cluster is not up: ${answer.stderr.trim()}`;
  if (!/^(idle|mixed|allocated|completing)/m.test(answer.stdout))
    return `no Slurm node is up (sinfo: ${answer.stdout.trim() || 'nothing'})`;
  return undefined;
}

/** The environment jobs get (sbatch exports it): the stand-in's node and bundle, the mark log. */
export async function slurmJobEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    RB_NODE: process.execPath,
    RB_EXEC_BUNDLE: (await entryBundles()).exec,
    MARK_LOG: join(dir, 'marks.log'),
  };
}

/** Writes a Slurm plan (partition gpu, one fake GPU a run, heartbeat every second) into `dir`. */
export function writeSlurmPlan(dir: string, plan: Record<string, unknown>): Promise<string> {
  return writePlan(dir, {
    heartbeatSeconds: 1,
    stalledAfterSeconds: 20,
    ...plan,
    executor: {
      kind: 'slurm',
      partition: 'gpu',
      gresPerRun: 'gpu:1',
      runboard: RUNBOARD_EXEC,
      ...(plan.executor as object | undefined),
    },
  });
}

/** Launches a Slurm plan in this process; resolves with the result, events, marks and records. */
export async function runSlurmPlan(
  dir: string,
  plan: Record<string, unknown>,
  options: Partial<LaunchOptions> & { onExecutor?: (executor: SlurmExecutor) => void } = {},
) {
  const loaded = await loadPlan(await writeSlurmPlan(dir, plan));
  const executor = await createSlurmExecutor({
    plan: loaded,
    pollIntervalMs: 300,
    cancelGraceSeconds: 5,
    env: await slurmJobEnv(dir),
  });
  options.onExecutor?.(executor);
  const events: LaunchEvent[] = [];
  const result = await launch({
    plan: loaded,
    executor,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return {
    result,
    events,
    executor,
    marks: readMarks(join(dir, 'marks.log')),
    records: readRecords(join(dir, 'logs')),
  };
}

/** Runboard jobs in the queue whose run folder is under `dir`: job id → Slurm state. */
export function queuedJobsUnder(dir: string): Map<string, string> {
  const output = execFileSync('squeue', ['--me', '--noheader', '--format=%i %T %k'], {
    encoding: 'utf8',
  });
  const jobs = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [jobId, state, ...comment] = line.trim().split(' ');
    if (comment.join(' ').includes(dir)) jobs.set(jobId, state);
  }
  return jobs;
}

/** Cancels every job a test left under `dir` (clean-up). */
export function cancelJobsUnder(dir: string): void {
  const jobs = [...queuedJobsUnder(dir).keys()];
  if (jobs.length > 0) spawnSync('scancel', jobs);
}

/** The jobs Slurm completed under `dir` (from its jobcomp log): job id → run folder and state. */
export function completedJobsUnder(
  dir: string,
): { jobId: string; runDir: string; state: string }[] {
  if (!existsSync(JOBCOMP_LOG)) return [];
  return readFileSync(JOBCOMP_LOG, 'utf8')
    .split('\n')
    .map((line) => ({
      jobId: /^JobId=(\d+) /.exec(line)?.[1] ?? '',
      runDir: / WorkDir=(\S+)/.exec(line)?.[1] ?? '',
      state: / JobState=(\S+)/.exec(line)?.[1] ?? '',
    }))
    .filter((job) => job.jobId && job.runDir.startsWith(dir));
}

/**
 * A fresh temp folder per test, removed afterwards with every job the test left in Slurm's
 * queue cancelled first.
 */
export const slurmTest = testWithTempDir('runboard-slurm-', (dir) => cancelJobsUnder(dir));

/**
 * A launcher process with the Slurm executor (fixtures/slurm/slurm-launcher-entry.ts, through
 * tsx: two launcher starts do not earn a bundle).
 */
export async function startSlurmLauncher(dir: string, planFile: string) {
  const args = ['--import', 'tsx', '--conditions=@runboard/source', LAUNCHER_ENTRY, planFile];
  const child = spawn(process.execPath, args, {
    env: { ...(await slurmJobEnv(dir)), RB_SLURM_POLL_MS: '300' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const events = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, events, stderr: () => stderr };
}
