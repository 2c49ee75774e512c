import { describe, expect, test } from 'vitest';
import { PLAN_BASE, planProblems } from '../../test/plan-problems.js';
import { resolvePlan } from './resolve-plan.js';

const runs = [{ id: 'a', command: ['true'] }];

describe('plan caps of the run files', () => {
  test('logMaxBytes and metricsMaxBytes reach the resolved plan; absent, the supervisor decides', () => {
    expect(
      resolvePlan({ runs, logMaxBytes: 4096, metricsMaxBytes: 65536 }, PLAN_BASE),
    ).toMatchObject({ logMaxBytes: 4096, metricsMaxBytes: 65536 });
    expect('metricsMaxBytes' in resolvePlan({ runs }, PLAN_BASE)).toBe(false);
  });

  test('metricsMaxBytes follows the supervisor rule: an integer of at least 1024', () => {
    expect(planProblems({ runs, metricsMaxBytes: 1000 })).toEqual([
      'metricsMaxBytes: too small: expected number to be >=1024',
    ]);
    expect(planProblems({ runs, metricsMaxBytes: 2048.5 })).toEqual([
      'metricsMaxBytes: expected int, received number',
    ]);
    expect(resolvePlan({ runs, metricsMaxBytes: 1024 }, PLAN_BASE).metricsMaxBytes).toBe(1024);
  });
});
