import { describe, expect, test } from 'vitest';
import { PLAN_BASE as base, planProblems as problems } from '../../test/plan-problems.js';
import { resolvePlan } from './resolve-plan.js';

const run = { id: 'a', command: ['python', 'train.py'] };

describe('resolvePlan: servers', () => {
  test('servers imply the ssh executor; defaults per server; concurrency is the sum of maxRuns', () => {
    const plan = resolvePlan(
      {
        servers: [
          {
            name: 'gpu-a',
            host: '10.0.0.5',
            user: 'alice',
            port: 22,
            gpus: [0, 1, 2, 3],
            maxRuns: 4,
          },
          { host: 'gpu-b.lab', gpus: [0, 1], env: { A: '1' }, runboard: '/opt/rb' },
          { name: 'cpu', host: 'localhost' },
        ],
        runs: [run, { id: 'b', command: 'true', servers: ['gpu-a', 'gpu-a'], gpus: [3] }],
      },
      base,
    );
    expect(plan.executor).toEqual({ kind: 'ssh' });
    expect(plan.gpus).toEqual([]);
    expect(plan.concurrency).toBe(4 + 2 + 1);
    expect(plan.servers).toEqual([
      {
        name: 'gpu-a',
        host: '10.0.0.5',
        local: false,
        user: 'alice',
        port: 22,
        gpus: [0, 1, 2, 3],
        env: {},
        maxRuns: 4,
      },
      {
        name: 'gpu-b.lab',
        host: 'gpu-b.lab',
        local: false,
        gpus: [0, 1],
        env: { A: '1' },
        runboard: '/opt/rb',
        maxRuns: 2,
      },
      { name: 'cpu', host: 'localhost', local: true, gpus: [], env: {}, maxRuns: 1 },
    ]);
    expect(plan.runs[0]).toMatchObject({ gpuCount: 1 });
    expect(plan.runs[0].servers).toBeUndefined();
    expect(plan.runs[1]).toMatchObject({ gpuCount: 1, pinnedGpus: [3], servers: ['gpu-a'] });
  });

  test('problems by JSON path', () => {
    expect(
      problems({
        gpus: [0],
        executor: { kind: 'local' },
        servers: [{ name: 'a', gpus: [0, 0] }, { name: 'a' }, { port: 22 }, { name: 'bad name' }],
        runs: [{ ...run, servers: ['a', 'nope'] }],
      }),
    ).toEqual([
      'servers[2]: set name or host',
      'servers[3].name: expected letters, digits and ._@-',
    ]);
    expect(
      problems({
        gpus: [0],
        executor: { kind: 'local' },
        servers: [{ name: 'a', gpus: [0, 0] }, { name: 'a' }],
        runs: [
          { ...run, servers: ['a', 'nope'] },
          { id: 'b', command: 'x', gpus: 3 },
          { id: 'c', command: 'x', gpus: [5] },
        ],
      }),
    ).toEqual([
      "gpus: servers replace gpus: list each server's gpus",
      'executor: servers need executor kind "ssh" (or none)',
      'servers[0].gpus: lists a GPU id twice',
      'servers[1].name: duplicate server name "a", first at servers[0]',
      'runs[0].servers: unknown server "nope"',
      'runs[1].gpus: needs 3 GPUs but no server of the run has that many',
      'runs[2].gpus: no server of the run has GPU 5',
    ]);
    expect(problems({ executor: { kind: 'ssh' }, runs: [{ ...run, servers: ['a'] }] })).toEqual([
      'executor: kind "ssh" needs the plan to list servers',
      'runs[0].servers: the plan has no servers',
    ]);
    expect(problems({ gpus: [0], gpuPolicy: { maxCpuPercent: 80 }, runs: [run] })).toEqual([
      'gpuPolicy: maxCpuPercent and minFreeRamMiB need servers',
    ]);
  });
});
