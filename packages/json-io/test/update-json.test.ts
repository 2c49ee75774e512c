import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { updateJson } from '../src/update-json.js';
import {
  expectFolderToHold,
  killChildren,
  lineFrom,
  outputOf,
  startFixture,
  test,
} from './test-utils.js';

afterEach(() => killChildren());

interface CounterReport {
  ok: number;
  failed: Record<string, number>;
  ms: number;
}

describe('updateJson across processes', () => {
  test.for([1, 8])(
    '4 processes x 200 increments, %i in flight each (group commit from 2): the counter is exact',
    { timeout: 90_000 },
    async (inflight, { dir }) => {
      const file = join(dir, 'counter.json');
      const workers = Array.from({ length: 4 }, () =>
        startFixture('update-counter.ts', [file, 200, inflight]),
      );
      const reports = (await Promise.all(workers.map((worker) => outputOf(worker, 80_000)))).map(
        (output) => JSON.parse(output) as CounterReport,
      );
      expect(reports.map((report) => report.ok)).toEqual([200, 200, 200, 200]);
      await expectFolderToHold(dir, { 'counter.json': '800\n' });
    },
  );

  test(
    'a process killed (kill -9) inside its update hands the lock on within 1 s',
    { timeout: 30_000 },
    async ({ dir }) => {
      const file = join(dir, 'counter.json');
      const holder = startFixture('update-hold.ts', [file]);
      await lineFrom(holder, 'inside', 20_000);
      let lockedAt = 0;
      const waiting = updateJson(
        file,
        (n: number) => {
          lockedAt = Date.now();
          return n + 1;
        },
        { default: 0 },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const killedAt = Date.now();
      holder.kill('SIGKILL');
      expect(await waiting).toBe(1);
      // Measured inside the updater: the durable write that follows is not part of the handover.
      expect(lockedAt - killedAt).toBeLessThan(1_000);
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
      await lineFrom(staller, 'stalling', 20_000);
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
