import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { jobComment, jobResources, jobScript, parseJobComment, sbatchArgs } from './sbatch-job.js';

describe('jobResources', () => {
  test("the run's slurm settings override the executor's; gresPerRun becomes gres", () => {
    expect(
      jobResources(
        {
          kind: 'slurm',
          partition: 'gpu',
          gresPerRun: 'gpu:1',
          timeLimit: '1:00:00',
          runboard: 'rb',
        },
        { gres: 'gpu:2', qos: 'high' },
      ),
    ).toEqual({ partition: 'gpu', gres: 'gpu:2', timeLimit: '1:00:00', qos: 'high' });
  });
});

describe('sbatchArgs', () => {
  test('names the job after the run, tags it with attempt and folder, then the resources', () => {
    expect(
      sbatchArgs(
        { runId: 'cdd/a_1', runDir: '/logs/cdd/a_1', attempt: 2 },
        {
          partition: 'gpu',
          cpusPerTask: 8,
          memPerNode: '64G',
          gres: 'gpu:1',
          extraArgs: ['--constraint=h100'],
        },
      ),
    ).toEqual([
      '--parsable',
      '--job-name=cdd/a_1',
      '--comment=runboard 2 /logs/cdd/a_1',
      '--output=/logs/cdd/a_1/slurm-%j.out',
      '--chdir=/logs/cdd/a_1',
      '--partition=gpu',
      '--cpus-per-task=8',
      '--mem=64G',
      '--gres=gpu:1',
      '--constraint=h100',
    ]);
  });

  test('requeue: true asks for --requeue, false for --no-requeue, unset for neither', () => {
    const tag = { runId: 'a', runDir: '/logs/a', attempt: 1 };
    const requeueFlags = (requeue?: boolean) =>
      sbatchArgs(tag, { requeue }).filter((arg) => arg.includes('requeue'));
    expect(requeueFlags(true)).toEqual(['--requeue']);
    expect(requeueFlags(false)).toEqual(['--no-requeue']);
    expect(requeueFlags(undefined)).toEqual([]);
  });

  test('the comment reads back; other jobs have none of ours', () => {
    expect(parseJobComment(jobComment({ runDir: '/logs/a b', attempt: 3 }))).toEqual({
      runDir: '/logs/a b',
      attempt: 3,
    });
    expect(parseJobComment('(null)')).toBeUndefined();
    expect(parseJobComment('runboard x /logs/a')).toBeUndefined();
  });
});

describe('jobScript', () => {
  const run = (env: Record<string, string>) =>
    execFileSync(
      'sh',
      ['-c', jobScript('/bin/echo', ['--run-dir', "/logs/it's", '--', 'sh', '-c', 'echo $HOME'])],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );

  test("passes Slurm's GPUs to runboard exec and quotes every argument", () => {
    expect(run({ SLURM_JOB_GPUS: '1,3', CUDA_VISIBLE_DEVICES: '1,3' })).toBe(
      "exec --gpus 1,3 --run-dir /logs/it's -- sh -c echo $HOME\n",
    );
  });

  test('passes no GPU ids without GPUs, or where the node renumbers them', () => {
    expect(run({})).toBe("exec --run-dir /logs/it's -- sh -c echo $HOME\n");
    expect(run({ SLURM_JOB_GPUS: '5', CUDA_VISIBLE_DEVICES: '0' })).toBe(
      "exec --run-dir /logs/it's -- sh -c echo $HOME\n",
    );
  });
});
