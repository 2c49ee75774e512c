import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cancelSlurmJobsUnder, testWithTempDir } from '@runboard/test-kit';
import {
  createSlurmExecutor,
  loadPlan,
  runRecordSchema,
  type LaunchOptions,
  type RunRecord,
  type SlurmExecutor,
} from '../src/index.js';
import { entryBundles, FIXTURES, launchAndCollect, writePlan } from './launch-helpers.js';

/** `runboard exec` on the node: the bundled supervisor (see fixtures/slurm/runboard-exec.sh). */
export const RUNBOARD_EXEC = join(FIXTURES, 'slurm', 'runboard-exec.sh');
const LAUNCHER_ENTRY = join(FIXTURES, 'slurm', 'slurm-launcher-entry.ts');
/** The single-node cluster's job completion log (tools/ci/start-slurm.sh). */
export const JOBCOMP_LOG = '/var/log/slurm/jobcomp.log';

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
  return { ...(await launchAndCollect(dir, { plan: loaded, executor, ...options })), executor };
}

/** The record of run `id` under `root`, or undefined while it cannot be read. */
export function readRecordIn(root: string, id: string): RunRecord | undefined {
  try {
    return runRecordSchema.parse(JSON.parse(readFileSync(join(root, id, 'progress.json'), 'utf8')));
  } catch {
    return undefined;
  }
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
export const slurmTest = testWithTempDir('runboard-slurm-', cancelSlurmJobsUnder);

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
