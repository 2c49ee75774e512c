import { availableParallelism } from 'node:os';
import { describe, expect, test } from 'vitest';
import { PLAN_BASE as base, planProblems as problems } from '../../test/plan-problems.js';
import { resolvePlan } from './resolve-plan.js';

describe('resolvePlan: defaults', () => {
  test('a minimal plan', () => {
    const plan = resolvePlan({ runs: [{ id: 'a', command: ['python', 'train.py'] }] }, base);
    expect(plan).toMatchObject({
      file: '/work/exp/plan.json',
      root: '/work/exp/logs',
      concurrency: availableParallelism(),
      gpus: [],
      gpusPerRun: 1,
      runsPerGpu: 1,
      heartbeatSeconds: 10,
      stalledAfterSeconds: 60,
      stuckAfterSeconds: 1800,
    });
    expect(plan.gpuPolicy).toBeUndefined();
    expect(plan.runs).toEqual([
      {
        id: 'a',
        command: ['python', 'train.py'],
        argv: ['python', 'train.py'],
        env: {},
        cwd: '/work/exp',
        gpuCount: 0,
        retries: 0,
        maxAttempts: 1,
        retryDelaySeconds: 0,
        dependsOn: [],
        source: 'runs[0]',
      },
    ]);
  });

  test('a string command runs with sh -c; paths are relative to the plan folder; run settings override the plan', () => {
    const plan = resolvePlan(
      {
        root: '../out',
        cwd: 'code',
        env: { A: '1', B: '1' },
        retries: 2,
        timeoutSeconds: 60,
        runs: [
          {
            id: 'a',
            command: 'python train.py > x',
            env: { B: '2' },
            cwd: '/abs',
            retries: 0,
            timeoutSeconds: 5,
          },
          { id: 'b', command: ['x'] },
        ],
      },
      base,
    );
    expect(plan.root).toBe('/work/out');
    expect(plan.runs[0]).toMatchObject({
      argv: ['sh', '-c', 'python train.py > x'],
      env: { A: '1', B: '2' },
      cwd: '/abs',
      maxAttempts: 1,
      timeoutSeconds: 5,
    });
    expect(plan.runs[1]).toMatchObject({
      cwd: '/work/exp/code',
      maxAttempts: 3,
      timeoutSeconds: 60,
    });
  });

  test('--root and --concurrency override the plan', () => {
    const plan = resolvePlan(
      { root: 'x', concurrency: 3, runs: [{ id: 'a', command: ['x'] }] },
      { ...base, root: '/elsewhere', concurrency: 7 },
    );
    expect(plan).toMatchObject({ root: '/elsewhere', concurrency: 7 });
  });

  test('GPU plans: concurrency defaults to the GPU slots; gpus per run as a count or pinned ids', () => {
    const plan = resolvePlan(
      {
        gpus: [0, 1, 2, 3],
        runsPerGpu: 2,
        gpuPolicy: { maxUtilizationPercent: 10 },
        runs: [
          { id: 'a', command: ['x'] },
          { id: 'b', command: ['x'], gpus: 2 },
          { id: 'c', command: ['x'], gpus: [3] },
          { id: 'd', command: ['x'], gpus: 0 },
        ],
      },
      base,
    );
    expect(plan.concurrency).toBe(8);
    expect(plan.gpuPolicy).toEqual({ maxUtilizationPercent: 10, checkIntervalSeconds: 10 });
    expect(plan.runs.map((run) => [run.gpuCount, run.pinnedGpus])).toEqual([
      [1, undefined],
      [2, undefined],
      [1, [3]],
      [0, undefined],
    ]);
  });
});

describe('resolvePlan: sweeps', () => {
  test('matrix: the cartesian product, first key slowest, values put into id, command, env, cwd, dependsOn and progress', () => {
    const plan = resolvePlan(
      {
        runs: [{ id: 'data', command: ['prep'] }],
        sweeps: [
          {
            id: 'cdd/{model}_run_{seed}',
            command: [
              'python',
              'train.py',
              '--model',
              '{model}',
              '--seed',
              '{seed}',
              '${HOME}/{{other}}',
            ],
            matrix: { model: ['Changer', 'BIT'], seed: [1, 2] },
            env: { SEED: '{seed}' },
            cwd: 'work/{model}',
            dependsOn: ['data'],
            progress: { epochDirs: { expectedFiles: ['{model}.pth'], total: 5 } },
          },
        ],
      },
      base,
    );
    expect(plan.runs.map((run) => run.id)).toEqual([
      'data',
      'cdd/Changer_run_1',
      'cdd/Changer_run_2',
      'cdd/BIT_run_1',
      'cdd/BIT_run_2',
    ]);
    expect(plan.runs[4]).toMatchObject({
      command: ['python', 'train.py', '--model', 'BIT', '--seed', '2', '${HOME}/{other}'],
      env: { SEED: '2' },
      cwd: '/work/exp/work/BIT',
      dependsOn: ['data'],
      epochDirs: { expectedFiles: ['BIT.pth'], total: 5 },
      source: 'sweeps[0] (model=BIT, seed=2)',
    });
  });

  test('zip pairs lists by position; with a matrix, each zipped row is crossed with it', () => {
    const plan = resolvePlan(
      {
        sweeps: [
          {
            id: 'eval/{model}_{ckpt}',
            command: 'eval {model} {ckpt}',
            zip: { model: ['a', 'b'], ckpt: ['a.pth', 'b.pth'] },
          },
          {
            id: 'x/{lr}_{seed}_{bs}',
            command: ['t'],
            zip: { lr: [0.1, 0.01] },
            matrix: { seed: [1], bs: [8, 16] },
          },
        ],
      },
      base,
    );
    expect(plan.runs.map((run) => run.id)).toEqual([
      'eval/a_a.pth',
      'eval/b_b.pth',
      'x/0.1_1_8',
      'x/0.1_1_16',
      'x/0.01_1_8',
      'x/0.01_1_16',
    ]);
    expect(plan.runs[1].argv).toEqual(['sh', '-c', 'eval b b.pth']);
  });

  test('a run can depend on swept runs and the other way round', () => {
    const plan = resolvePlan(
      {
        sweeps: [
          { id: 'train/{m}', command: ['t'], matrix: { m: ['a', 'b'] } },
          { id: 'eval/{m}', command: ['e'], matrix: { m: ['a', 'b'] }, dependsOn: ['train/{m}'] },
        ],
        runs: [{ id: 'report', command: ['r'], dependsOn: ['eval/a', 'eval/b'] }],
      },
      base,
    );
    expect(plan.runs.find((run) => run.id === 'eval/b')!.dependsOn).toEqual(['train/b']);
  });
});

describe('resolvePlan: invalid plans list every problem by JSON path', () => {
  test('types and unknown keys', () => {
    expect(
      problems({
        retry: 1,
        concurrency: 0,
        gpus: [0, 'one'],
        runs: [
          { id: 'a', command: ['x'] },
          { id: 'b', command: ['x'] },
          { id: 'c', command: ['x'] },
          { id: 'd', command: 42 },
          { id: 'e', command: ['x', 1] },
          { id: 'f' },
        ],
      }),
    ).toEqual([
      'concurrency: too small: expected number to be >0',
      'gpus[1]: expected number, received string',
      'runs[3].command: expected array or string',
      'runs[4].command[1]: expected string, received number',
      'runs[5].command: expected array or string',
      'retry: unknown key',
    ]);
  });

  test('not an object at all', () => {
    expect(problems([1, 2])).toEqual(['(plan): expected object, received array']);
    expect(problems(null)).toEqual(['(plan): expected object, received null']);
  });

  test('ids: invalid, duplicated, also from sweeps', () => {
    expect(
      problems({
        runs: [
          { id: '../escape', command: ['x'] },
          { id: 'a', command: ['x'] },
          { id: 'a', command: ['x'] },
          { id: 'x/log', command: ['x'] },
        ],
        sweeps: [
          { id: 's/{m}', command: ['x'], matrix: { m: ['ok', 'bad value'] } },
          { id: 'a', command: ['x'], matrix: { m: [1] } },
          { id: 'same', command: ['x'], matrix: { m: [1, 2] } },
        ],
      }),
    ).toEqual([
      'runs[0].id: invalid run id "../escape": segment ".." is not allowed',
      'runs[3].id: invalid run id "x/log": its last segment "log" is reserved (log, metrics and cancel name dashboard routes)',
      'runs[2].id: duplicate run id "a", first at runs[1]',
      'sweeps[0].id: invalid run id "s/bad value" (m=bad value): segment "bad value" may only contain letters, digits and ._=+,@-',
      'sweeps[1].id: duplicate run id "a" (m=1), first at runs[1]',
      'sweeps[2].id: duplicate run id "same" (m=2), first at sweeps[2] (m=1)',
    ]);
  });

  test('sweeps: unknown placeholders, unequal zip lists, no lists, key clashes', () => {
    expect(
      problems({
        sweeps: [
          { id: 'a/{model}_{sede}', command: ['x'], matrix: { model: ['m'], seed: [1] } },
          { id: 'b/{x}_{y}', command: ['x'], zip: { x: [1, 2], y: [1] } },
          { id: 'c', command: ['x'] },
          { id: 'd/{x}', command: ['x'], zip: { x: [1] }, matrix: { x: [2] } },
          { id: 'e/{x}', command: ['x'], matrix: { x: [], 'bad-key': [1] } },
        ],
      }),
    ).toEqual([
      'sweeps[4].matrix.x: must not be empty',
      'sweeps[4].matrix["bad-key"]: invalid key: expected a name of letters, digits and _',
      "sweeps[0].id: unknown placeholder {sede}; the sweep's keys are model, seed",
      'sweeps[1].zip.y: has 1 values but "x" has 2; zip lists must be equally long',
      'sweeps[2]: needs a matrix or a zip with at least one list',
      'sweeps[3].zip.x: "x" is also a matrix key',
    ]);
  });

  test('dependencies: unknown ids and cycles', () => {
    expect(
      problems({
        runs: [
          { id: 'a', command: ['x'], dependsOn: ['b'] },
          { id: 'b', command: ['x'], dependsOn: ['c'] },
          { id: 'c', command: ['x'], dependsOn: ['a', 'ghost'] },
          { id: 'self', command: ['x'], dependsOn: ['self'] },
        ],
      }),
    ).toEqual([
      'runs[2].dependsOn[1]: unknown run id "ghost" (in c)',
      'runs[0].dependsOn: dependency cycle: a → b → c → a',
      'runs[3].dependsOn: dependency cycle: self → self',
    ]);
  });

  test('a dependency on an entry that is itself invalid is not reported as unknown', () => {
    expect(
      problems({
        runs: [
          { id: 'a', command: 1 },
          { id: 'b', command: ['x'], dependsOn: ['a'] },
        ],
      }),
    ).toEqual(['runs[0].command: expected array or string']);
  });

  test('GPU settings', () => {
    expect(
      problems({
        gpus: [0, 0],
        gpusPerRun: 3,
        runs: [
          { id: 'a', command: ['x'], gpus: 4 },
          { id: 'b', command: ['x'], gpus: [7] },
        ],
      }),
    ).toEqual([
      'gpus: lists a GPU id twice',
      'gpusPerRun: is 3 but the plan lists 2 GPUs',
      'runs[0].gpus: needs 4 GPUs but the plan lists 2',
      "runs[1].gpus: GPU 7 not in the plan's gpus",
    ]);
    expect(
      problems({ gpuPolicy: { maxUtilizationPercent: 5 }, runs: [{ id: 'a', command: ['x'] }] }),
    ).toEqual(['gpuPolicy: needs the plan to list gpus']);
    expect(problems({ gpus: [0], gpuPolicy: {}, runs: [{ id: 'a', command: ['x'] }] })).toEqual([
      'gpuPolicy: set maxUtilizationPercent, minFreeMemoryMiB, maxCpuPercent or minFreeRamMiB',
    ]);
  });

  test('heartbeat and stall thresholds must make sense together; an empty plan is an error', () => {
    expect(
      problems({
        heartbeatSeconds: 30,
        stalledAfterSeconds: 20,
        runs: [{ id: 'a', command: ['x'] }],
      }),
    ).toEqual([
      'stalledAfterSeconds: stalledAfterSeconds (20) must be longer than heartbeatSeconds (30)',
    ]);
    expect(problems({})).toEqual(['runs: the plan has no runs (add runs or sweeps)']);
  });

  test('PlanError names the file and lists the problems in its message', () => {
    try {
      resolvePlan({ runs: [{ id: 'a', command: 3 }] }, base);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        name: 'PlanError',
        code: 'RUNBOARD_INVALID_PLAN',
        file: '/work/exp/plan.json',
      });
      expect((error as Error).message).toBe(
        'Invalid plan /work/exp/plan.json (1 problem):\n  runs[0].command: expected array or string',
      );
    }
  });

  test('arguments are checked', () => {
    expect(() => resolvePlan({}, {} as never)).toThrow(TypeError);
    expect(() => resolvePlan({}, { baseDir: '/x', concurrency: 0 })).toThrow(/concurrency/);
  });
});
