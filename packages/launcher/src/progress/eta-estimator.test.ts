import { describe, expect, test } from 'vitest';
import { EtaEstimator } from './eta-estimator.js';

describe('EtaEstimator', () => {
  test('has no rate or ETA from one observation', () => {
    const estimator = new EtaEstimator();
    estimator.observe(5, 0);
    expect(estimator.ratePerSecond).toBeUndefined();
    expect(estimator.etaSeconds(100)).toBeUndefined();
  });

  test('gives the exact ETA at a steady rate', () => {
    const estimator = new EtaEstimator();
    for (let second = 0; second <= 10; second += 1) estimator.observe(second * 2, second * 1000);
    expect(estimator.ratePerSecond).toBeCloseTo(2, 10);
    expect(estimator.etaSeconds(100)).toBeCloseTo(40, 6);
  });

  test('follows a change of rate smoothly, by the half-life', () => {
    const estimator = new EtaEstimator({ halfLifeSeconds: 10 });
    let current = 0;
    for (let second = 0; second <= 60; second += 1) {
      estimator.observe(current, second * 1000);
      current += 1;
    }
    // The rate doubles; after one half-life the estimate is about half way there.
    for (let second = 61; second <= 70; second += 1) {
      current += 2;
      estimator.observe(current, second * 1000);
    }
    expect(estimator.ratePerSecond).toBeGreaterThan(1.4);
    expect(estimator.ratePerSecond).toBeLessThan(1.6);
  });

  test('merges observations closer than the minimum sample time', () => {
    const estimator = new EtaEstimator({ minSampleSeconds: 1 });
    estimator.observe(0, 0);
    estimator.observe(1, 100);
    expect(estimator.ratePerSecond).toBeUndefined();
    estimator.observe(10, 1000);
    expect(estimator.ratePerSecond).toBeCloseTo(10, 10);
  });

  test('starts over when the counter goes back, and is 0 when done', () => {
    const estimator = new EtaEstimator();
    estimator.observe(0, 0);
    estimator.observe(50, 1000);
    estimator.observe(1, 2000);
    expect(estimator.ratePerSecond).toBeUndefined();
    estimator.observe(100, 3000);
    expect(estimator.etaSeconds(100)).toBe(0);
  });

  test('rejects bad settings', () => {
    expect(() => new EtaEstimator({ halfLifeSeconds: 0 })).toThrow(TypeError);
    expect(() => new EtaEstimator({ minSampleSeconds: -1 })).toThrow(TypeError);
  });
});
