import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { MAX_SWEEP_RUNS } from './expand-sweeps.js';
import { substitute } from './sweep-template.js';
import { loadPlan } from './load-plan.js';
import { PlanError } from './plan-error.js';
import { resolvePlan } from './resolve-plan.js';

const test = testWithTempDir('runboard-plan-');

describe('loadPlan', () => {
  test('reads a plan file; relative paths start from its folder', async ({ dir }) => {
    const file = join(dir, 'plan.json');
    await writeFile(file, JSON.stringify({ runs: [{ id: 'a', command: 'true', cwd: 'code' }] }));
    const plan = await loadPlan(file, { concurrency: 2 });
    expect(plan).toMatchObject({ file, root: join(dir, 'logs'), concurrency: 2 });
    expect(plan.runs[0].cwd).toBe(join(dir, 'code'));
  });

  test('a missing file is a PlanError naming the file', async ({ dir }) => {
    const file = join(dir, 'nope.json');
    await expect(loadPlan(file)).rejects.toMatchObject({
      name: 'PlanError',
      file,
      problems: [{ path: '(plan)', message: 'cannot be read (ENOENT)' }],
    });
  });

  test('invalid JSON gives the line and column', async ({ dir }) => {
    const file = join(dir, 'plan.json');
    await writeFile(file, '{\n  "runs": [\n    { "id": "a", }\n  ]\n}\n');
    const error = await loadPlan(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).problems[0].message).toMatch(
      /^is not valid JSON: .* at line 3, column \d+$/,
    );
    expect((error as PlanError).cause).toBeInstanceOf(SyntaxError);
  });
});

describe('sweep templates', () => {
  test('substitute replaces known keys only', () => {
    expect(substitute('{a}-{b}-{c}-${a}', { a: 1, b: true })).toBe('1-true-{c}-$1');
  });

  test('sweeps larger than the limit are refused before expanding', () => {
    const values = Array.from({ length: 400 }, (_, index) => index);
    expect(() =>
      resolvePlan(
        { sweeps: [{ id: 's/{a}_{b}', command: ['x'], matrix: { a: values, b: values } }] },
        { baseDir: '/' },
      ),
    ).toThrow(`makes 160000 runs; at most ${MAX_SWEEP_RUNS} are allowed`);
  });
});
