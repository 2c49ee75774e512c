import { describe, expect, test } from 'vitest';
import { PLAN_BASE as base, planProblems as problems } from '../../test/plan-problems.js';
import { resolvePlan } from './resolve-plan.js';
import { substitute, unknownPlaceholders } from './sweep-template.js';

describe('sweep templates', () => {
  test('{{ and }} are literal braces; ${NAME} stays a shell variable unless NAME is a key', () => {
    const values = { lr: 0.1, seed: 2 };
    expect(substitute("awk '{{print}}' {lr}", values)).toBe("awk '{print}' 0.1");
    expect(substitute('{{{seed}}}', values)).toBe('{2}');
    expect(substitute('${HOME}/${seed}/${{seed}}', values)).toBe('${HOME}/$2/${seed}');
    expect(substitute('{ "a": 1 } {0} }{', values)).toBe('{ "a": 1 } {0} }{');
    expect(unknownPlaceholders('{bs} {lr} ${HOME} {{x}} {bs} {y}', ['lr', 'seed'])).toEqual([
      'bs',
      'y',
    ]);
  });

  test('an unknown placeholder anywhere in a sweep is a plan error at its JSON path', () => {
    expect(
      problems({
        sweeps: [
          {
            id: 'a/{lr}_{seed}',
            command: ['python', 'train.py', '{bs}', '--lr={lr}', '${HOME}', '{{bs}}'],
            matrix: { lr: [0.1], seed: [1] },
            env: { BATCH: '{bs}', 'MY-VAR': '{x}{y}' },
            cwd: 'work/{model}',
            dependsOn: ['prep/{data}'],
            progress: { epochDirs: { expectedFiles: ['{ckpt}.pth'], total: 2, dir: '{out}' } },
          },
          { id: 'b/{lr}', command: 'echo {lr} {bs}', matrix: { lr: [1] } },
        ],
      }),
    ).toEqual([
      "sweeps[0].command[2]: unknown placeholder {bs}; the sweep's keys are lr, seed (write {{bs}} for a literal {bs})",
      "sweeps[0].env.BATCH: unknown placeholder {bs}; the sweep's keys are lr, seed (write {{bs}} for a literal {bs})",
      'sweeps[0].env["MY-VAR"]: unknown placeholder {x}, {y}; the sweep\'s keys are lr, seed (write {{x}} for a literal {x})',
      "sweeps[0].cwd: unknown placeholder {model}; the sweep's keys are lr, seed (write {{model}} for a literal {model})",
      "sweeps[0].dependsOn[0]: unknown placeholder {data}; the sweep's keys are lr, seed (write {{data}} for a literal {data})",
      "sweeps[0].progress.epochDirs.expectedFiles[0]: unknown placeholder {ckpt}; the sweep's keys are lr, seed (write {{ckpt}} for a literal {ckpt})",
      "sweeps[0].progress.epochDirs.dir: unknown placeholder {out}; the sweep's keys are lr, seed (write {{out}} for a literal {out})",
      "sweeps[1].command: unknown placeholder {bs}; the sweep's keys are lr (write {{bs}} for a literal {bs})",
    ]);
  });

  test('escaped braces reach the command as single braces', () => {
    const plan = resolvePlan(
      {
        sweeps: [
          {
            id: 's/{n}',
            command: "awk '{{ print {n} }}' data.txt",
            env: { FORMAT: '{{n}}={n}' },
            matrix: { n: [3] },
          },
        ],
      },
      base,
    );
    expect(plan.runs[0]).toMatchObject({
      id: 's/3',
      argv: ['sh', '-c', "awk '{ print 3 }' data.txt"],
      env: { FORMAT: '{n}=3' },
    });
  });
});

describe('run id segments longer than a folder name may be', () => {
  test('are plan errors at their JSON path, for runs and for expanded sweep ids', () => {
    const long = 'x'.repeat(300);
    expect(
      problems({
        runs: [
          { id: `a/${long}`, command: ['true'] },
          { id: `ok/${'y'.repeat(255)}`, command: ['true'] },
        ],
        sweeps: [{ id: `s/{v}`, command: ['true'], matrix: { v: [long.slice(0, 200), long] } }],
      }),
    ).toEqual([
      `runs[0].id: invalid run id "a/${long}": segment "${'x'.repeat(32)}…" is 300 bytes long; a folder name may have at most 255`,
      `sweeps[0].id: invalid run id "s/${long}" (v=${long}): segment "${'x'.repeat(32)}…" is 300 bytes long; a folder name may have at most 255`,
    ]);
  });
});
