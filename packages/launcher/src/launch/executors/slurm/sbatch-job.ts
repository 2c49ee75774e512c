import { join } from 'node:path';
import type { SlurmExecutorSettings, SlurmResources } from '../../../plan/executor-schema.js';

/** What identifies a runboard job in Slurm's queue: its run folder and attempt. */
export interface SlurmJobTag {
  runDir: string;
  attempt: number;
}

const COMMENT_PREFIX = 'runboard';

/**
 * A run's Slurm resources: the plan's executor settings with the run's `slurm` over them.
 *
 * @example
 * jobResources({ kind: 'slurm', partition: 'gpu', gresPerRun: 'gpu:1' }, { gres: 'gpu:2' });
 * // { partition: 'gpu', gres: 'gpu:2' }
 */
export function jobResources(
  settings: SlurmExecutorSettings,
  run: SlurmResources | undefined,
): SlurmResources {
  const { kind: _kind, runboard: _runboard, gresPerRun, ...shared } = settings;
  const resources: SlurmResources = { ...shared };
  if (gresPerRun !== undefined) resources.gres = gresPerRun;
  return { ...resources, ...run };
}

/** The `sbatch` flags for `resources` (extra arguments last, so they can override). */
export function resourceArgs(resources: SlurmResources): string[] {
  const args: string[] = [];
  const flag = (name: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(`--${name}=${value}`);
  };
  flag('partition', resources.partition);
  flag('account', resources.account);
  flag('qos', resources.qos);
  flag('time', resources.timeLimit);
  flag('cpus-per-task', resources.cpusPerTask);
  flag('mem', resources.memPerNode);
  flag('gres', resources.gres);
  if (resources.requeue !== undefined) args.push(resources.requeue ? '--requeue' : '--no-requeue');
  return [...args, ...(resources.extraArgs ?? [])];
}

/**
 * The `sbatch` arguments of one attempt: `--parsable`, the job name (the run id, readable in
 * `squeue`), a comment that tags the job with its attempt and run folder (how a restarted
 * launcher finds its jobs), Slurm's own output file in the run folder (what a job that never
 * reached `runboard exec` printed), then the resources. The script comes on stdin.
 *
 * @example
 * sbatchArgs({ runId: 'a', runDir: '/logs/a', attempt: 1 }, { partition: 'gpu' });
 * // ['--parsable', '--job-name=a', '--comment=runboard 1 /logs/a', '--output=/logs/a/slurm-%j.out', '--chdir=/logs/a', '--partition=gpu']
 */
export function sbatchArgs(
  job: SlurmJobTag & { runId: string },
  resources: SlurmResources,
): string[] {
  return [
    '--parsable',
    `--job-name=${job.runId}`,
    `--comment=${jobComment(job)}`,
    `--output=${join(job.runDir, 'slurm-%j.out')}`,
    `--chdir=${job.runDir}`,
    ...resourceArgs(resources),
  ];
}

/** The comment that tags a runboard job: `runboard <attempt> <runDir>`. */
export function jobComment(job: SlurmJobTag): string {
  return `${COMMENT_PREFIX} ${job.attempt} ${job.runDir}`;
}

/** The tag of a job from its comment; `undefined` for jobs runboard did not submit. */
export function parseJobComment(comment: string): SlurmJobTag | undefined {
  const match = /^runboard (\d+) (\/.*)$/.exec(comment);
  return match ? { attempt: Number(match[1]), runDir: match[2] } : undefined;
}

/**
 * The batch script: runs `runboard exec` with `execArgs` on the compute node. The GPUs are
 * Slurm's: when the node gave some (`SLURM_JOB_GPUS`, the same ids as `CUDA_VISIBLE_DEVICES`
 * where devices are not renumbered), they are passed on with `--gpus` so the record shows them.
 *
 * @example
 * jobScript('runboard', ['--run-dir', '/logs/a', '--', 'python', 'train.py']);
 */
export function jobScript(runboard: string, execArgs: readonly string[]): string {
  return [
    '#!/bin/sh',
    'set --',
    'if [ -n "${SLURM_JOB_GPUS:-}" ] && [ "${SLURM_JOB_GPUS}" = "${CUDA_VISIBLE_DEVICES:-}" ]; then',
    '  set -- --gpus "$SLURM_JOB_GPUS"',
    'fi',
    `exec ${[runboard, 'exec'].map(shellQuote).join(' ')} "$@" ${execArgs.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
