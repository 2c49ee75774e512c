import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import type { MetricsLine } from '../progress/metrics-line.js';
import { MetricsLog } from './metrics-log.js';

const test = testWithTempDir('runboard-metrics-');

const START = Date.parse('2026-01-01T00:00:00.000Z');

/** Report `index` of a job reporting every `everyMs`, as the supervisor writes it. */
function report(index: number, everyMs: number, attempt = 1): MetricsLine {
  return {
    time: new Date(START + index * everyMs).toISOString(),
    attempt,
    source: 'marker',
    current: index,
    metrics: { loss: 1 / (index + 1) },
  };
}

function readLines(file: string): MetricsLine[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MetricsLine);
}

describe('MetricsLog cap', () => {
  test('stays under the cap and keeps the whole history: recent points all, older ones evenly spaced', ({
    dir,
  }) => {
    const file = join(dir, 'metrics.jsonl');
    const cap = 64 * 1024;
    const log = new MetricsLog(file, cap);
    const count = 20_000; // 10 reports a second for ~33 minutes, ~2 MB of lines
    for (let index = 0; index < count; index += 1) {
      log.append(report(index, 100));
      expect(log.size).toBeLessThanOrEqual(cap);
    }
    log.close();
    expect(statSync(file).size).toBeLessThanOrEqual(cap);
    const lines = readLines(file);
    const times = lines.map((line) => Date.parse(line.time));
    // The first and the last report are there, in order.
    expect(lines[0].current).toBe(0);
    expect(lines.at(-1)?.current).toBe(count - 1);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The newest part is line for line (every 100 ms) …
    const tail = lines.slice(-100).map((line) => line.current);
    expect(tail).toEqual(tail.map((_, index) => count - 100 + index));
    // … and the older part spreads over the whole run, no gap much wider than its spacing.
    const older = times.filter((time) => time < times.at(-1)! - 60_000);
    const gaps = older.slice(1).map((time, index) => time - older[index]);
    const typical = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
    expect(older.length).toBeGreaterThan(50);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * typical);
  });

  test('keeps the first and last report of every attempt', ({ dir }) => {
    const file = join(dir, 'metrics.jsonl');
    const log = new MetricsLog(file, 16 * 1024);
    for (const attempt of [1, 2, 3])
      for (let index = 0; index < 1000; index += 1)
        log.append(report((attempt - 1) * 1000 + index, 50, attempt));
    log.close();
    const lines = readLines(file);
    for (const attempt of [1, 2, 3]) {
      const ofAttempt = lines
        .filter((line) => line.attempt === attempt)
        .map((line) => line.current);
      expect(ofAttempt[0]).toBe((attempt - 1) * 1000);
      expect(ofAttempt.at(-1)).toBe(attempt * 1000 - 1);
    }
    expect(statSync(file).size).toBeLessThanOrEqual(16 * 1024);
  });

  test('rejects a cap below 1 KiB', ({ dir }) => {
    const file = join(dir, 'metrics.jsonl');
    expect(() => new MetricsLog(file, 100)).toThrow(/`maxBytes` to be an integer ≥ 1024/);
  });
});
