import type { SlurmExecutorSettings, SlurmResources } from '../../../plan/executor-schema.js';
import { PlanError } from '../../../plan/plan-error.js';
import type { PlanProblem } from '../../../plan/plan-problem.js';
import type { ResolvedPlan } from '../../../plan/resolve-plan.js';
import { jobResources, resourceArgs } from './sbatch-job.js';
import type { SlurmCommandRunner } from './slurm-commands.js';
import { SlurmCommandError } from './slurm-errors.js';

/** At most this many distinct resource sets are tried with `sbatch --test-only`. */
const MAX_TEST_SUBMITS = 16;

/**
 * Checks a Slurm plan against the cluster before anything is submitted: every partition it
 * names exists (`sinfo`), and Slurm accepts each distinct set of resources
 * (`sbatch --test-only`, which submits nothing). Problems are the plan's: exit 2.
 *
 * @throws {PlanError} naming `executor` or the run's `slurm`, with Slurm's own message.
 * @throws {SlurmMissingError} when `sinfo` or `sbatch` is not installed.
 * @example
 * await checkSlurmPlan(plan, plan.executor, createSlurmCommandRunner());
 */
export async function checkSlurmPlan(
  plan: ResolvedPlan,
  settings: SlurmExecutorSettings,
  slurm: SlurmCommandRunner,
): Promise<void> {
  const partitions = new Set(
    (await slurm.run('sinfo', ['--noheader', '--format=%R']))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
  const sets = new Map<string, { path: string; resources: SlurmResources }>();
  sets.set('', { path: 'executor', resources: jobResources(settings, undefined) });
  for (const run of plan.runs) {
    if (!run.slurm) continue;
    const resources = jobResources(settings, run.slurm);
    const key = JSON.stringify(resources);
    if (!sets.has(key)) sets.set(key, { path: `${run.source.split(' ')[0]}.slurm`, resources });
  }
  const problems: PlanProblem[] = [];
  for (const { path, resources } of [...sets.values()].slice(0, MAX_TEST_SUBMITS)) {
    const { partition } = resources;
    if (partition !== undefined && !partitions.has(partition)) {
      problems.push({
        path: `${path}.partition`,
        message: `partition "${partition}" does not exist (sinfo lists ${[...partitions].join(', ') || 'none'})`,
      });
      continue;
    }
    try {
      await slurm.run('sbatch', ['--test-only', ...resourceArgs(resources)], {
        input: '#!/bin/sh\ntrue\n',
      });
    } catch (error) {
      if (!(error instanceof SlurmCommandError)) throw error;
      problems.push({ path, message: `Slurm rejects these resources: ${slurmMessage(error)}` });
    }
  }
  if (problems.length > 0) throw new PlanError(plan.file ?? '(plan)', problems);
}

/** Slurm's own words from a failed command: its `error:` lines, joined. */
export function slurmMessage(error: SlurmCommandError): string {
  const lines = error.stderr
    .split('\n')
    .map((line) => line.replace(/^\w+: error: /, '').trim())
    .filter(Boolean);
  return lines.join('; ') || error.message;
}
