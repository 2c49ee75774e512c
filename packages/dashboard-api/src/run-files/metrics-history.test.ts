import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../../test/test-utils.js';
import { readMetricsHistory } from './metrics-history.js';

const line = (current: number): string =>
  `${JSON.stringify({ time: '2025-01-01T00:00:00Z', current })}\n`;

describe('readMetricsHistory', () => {
  test('reads every point and ignores a torn last line', async ({ root }) => {
    const file = join(root, 'metrics.jsonl');
    await writeFile(file, `${line(1)}${line(2)}{"time":"2025-01-01T00:0`);
    const history = await readMetricsHistory(file);
    expect(history.points.map((point) => point.current)).toEqual([1, 2]);
    expect(history).toMatchObject({
      count: 2,
      skipped: 0,
      truncated: false,
      thinned: false,
      exists: true,
    });
  });

  test('keeps a complete last line that only lacks its newline', async ({ root }) => {
    const file = join(root, 'metrics.jsonl');
    await writeFile(file, `${line(1)}${line(2).trim()}`);
    expect((await readMetricsHistory(file)).points).toHaveLength(2);
  });

  test('skips and counts lines that are not JSON objects', async ({ root }) => {
    const file = join(root, 'metrics.jsonl');
    await writeFile(file, `${line(1)}garbage\n[1,2]\n\n${line(2)}`);
    expect(await readMetricsHistory(file)).toMatchObject({ count: 2, skipped: 2 });
  });

  test('thins a long history evenly, keeping the first and last points', async ({ root }) => {
    const file = join(root, 'metrics.jsonl');
    await writeFile(file, Array.from({ length: 1001 }, (_, i) => line(i)).join(''));
    const history = await readMetricsHistory(file, { limit: 11 });
    expect(history.points.map((point) => point.current)).toEqual([
      0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000,
    ]);
    expect(history).toMatchObject({ count: 1001, thinned: true });
  });

  test('reads only the end of a huge file, without its partial first line', async ({ root }) => {
    const file = join(root, 'metrics.jsonl');
    await writeFile(file, Array.from({ length: 2000 }, (_, i) => line(i)).join(''));
    const history = await readMetricsHistory(file, { maxBytes: 10_000 });
    expect(history.truncated).toBe(true);
    expect(history.skipped).toBe(0);
    expect(history.points.at(-1)?.current).toBe(1999);
  });

  test('a missing file is an empty history; a symbolic link is refused', async ({ root }) => {
    expect(await readMetricsHistory(join(root, 'metrics.jsonl'))).toMatchObject({
      points: [],
      exists: false,
    });
    await writeFile(join(root, 'elsewhere'), line(1));
    await symlink(join(root, 'elsewhere'), join(root, 'metrics.jsonl'));
    await expect(readMetricsHistory(join(root, 'metrics.jsonl'))).rejects.toMatchObject({
      code: 'ELOOP',
    });
  });
});
