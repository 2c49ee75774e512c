import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { updateJson } from '../src/update-json.js';
import { killChildren, outputOf, startFixture, test } from './test-utils.js';

afterEach(() => killChildren());

/** Resolves once the child has printed `text`. */
function printed(child: ChildProcess, text: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

interface CounterReport {
  ok: number;
  failed: Record<string, number>;
  ms: number;
}

describe('updateJson across processes', () => {
  test(
    '4 processes x 200 increments: the counter is exact',
    { timeout: 90_000 },
    async ({ dir }) => {
      const file = join(dir, 'counter.json');
      const workers = Array.from({ length: 4 }, () =>
        startFixture('update-counter.ts', [file, 200]),
      );
      const reports = (await Promise.all(workers.map((worker) => outputOf(worker, 80_000)))).map(
        (output) => JSON.parse(output) as CounterReport,
      );
      expect(reports.map((report) => report.ok)).toEqual([200, 200, 200, 200]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toBe(800);
      expect(await readdir(dir)).toEqual(['counter.json']);
    },
  );

  test(
    '4 processes x 200 increments, 8 in flight each (group commit): the counter is exact',
    { timeout: 90_000 },
    async ({ dir }) => {
      const file = join(dir, 'counter.json');
      const workers = Array.from({ length: 4 }, () =>
        startFixture('update-counter.ts', [file, 200, 8]),
      );
      const reports = (await Promise.all(workers.map((worker) => outputOf(worker, 80_000)))).map(
        (output) => JSON.parse(output) as CounterReport,
      );
      expect(reports.map((report) => report.ok)).toEqual([200, 200, 200, 200]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toBe(800);
    },
  );

  test(
    'a process killed (kill -9) inside its update hands the lock on within 1 s',
    { timeout: 30_000 },
    async ({ dir }) => {
      const file = join(dir, 'counter.json');
      const holder = startFixture('update-hold.ts', [file]);
      await printed(holder, 'inside');
      const waiting = updateJson(file, (n: number) => n + 1, { default: 0 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const killedAt = Date.now();
      holder.kill('SIGKILL');
      expect(await waiting).toBe(1);
      expect(Date.now() - killedAt).toBeLessThan(1_000);
      expect(await readdir(dir)).toEqual(['counter.json']);
    },
  );

  test(
    'an 8 s event-loop stall (stale 5 s) while another process updates loses nothing',
    { timeout: 40_000 },
    async ({ dir }) => {
      const file = join(dir, 'counter.json');
      const staller = startFixture('update-stall.ts', [file, 8_000, 5_000]);
      const stallerOutput = outputOf(staller, 30_000);
      await printed(staller, 'stalling');
      // The other process keeps updating for 10 s: it takes the lock over once it is stale (5 s)
      // and is still updating when the staller wakes up at 8 s and tries to commit.
      const updater = startFixture('update-counter.ts', [file, 1_000_000, 1, 5_000, 10_000]);
      const report = JSON.parse(await outputOf(updater, 30_000)) as CounterReport;
      expect((await stallerOutput).trim().split('\n').at(-1)).toBe('failed ECOMPROMISED');
      expect(report.ok).toBeGreaterThan(0);
      expect(report.failed).toEqual({});
      expect(JSON.parse(await readFile(file, 'utf8'))).toBe(report.ok);
    },
  );
});
