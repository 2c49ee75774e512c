import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { acquireLock } from '../src/acquire-lock.js';
import { readLockOwner } from '../src/lock-status.js';
import type { Fixture } from './support.js';
import {
  deadPid,
  fabricateLock,
  findOverlaps,
  hasPython,
  killAll,
  spawnFixture,
  test,
} from './support.js';

const fixtures: Fixture[] = [];
function start(name: string, args: string[]): Fixture {
  const fixture = spawnFixture(name, args);
  fixtures.push(fixture);
  return fixture;
}

afterEach(() => killAll(fixtures));

/**
 * Starts `count` racers and, for each of `rounds` rounds, sets up a lock with `prepare` and then
 * releases all racers at once (SIGUSR1) to fight for it. Returns the enter/exit log.
 */
async function race(
  dir: string,
  options: {
    count: number;
    rounds: number;
    stale: number;
    prepare: (file: string) => Promise<unknown>;
  },
): Promise<string> {
  const file = join(dir, 'progress.json');
  const log = join(dir, 'log');
  const racers = Array.from({ length: options.count }, () =>
    start('race-lock.ts', [file, log, '20', String(options.stale)]),
  );
  await Promise.all(racers.map((racer) => racer.waitForLine((line) => line === 'ready')));
  for (let round = 0; round < options.rounds; round++) {
    await options.prepare(file);
    for (const racer of racers) racer.child.kill('SIGUSR1');
    await Promise.all(
      racers.map((racer) => racer.waitForLine((line) => line === `done ${round}`, 30_000)),
    );
  }
  return readFile(log, 'utf8');
}

describe('across processes', () => {
  test(
    'a process that dies holding the lock (kill -9) hands it on within 1 s',
    { timeout: 30_000 },
    async ({ dir }) => {
      const file = join(dir, 'progress.json');
      const holder = start('hold-lock.ts', [file]);
      await holder.waitForLine((line) => line.startsWith('locked'));
      const waiting = acquireLock(file, { timeout: 20_000 });
      // Let the waiter back off to its longest delay first.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const killedAt = Date.now();
      holder.child.kill('SIGKILL');
      const lock = await waiting;
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs).toBeLessThan(1_000);
      expect(await readLockOwner(file)).toMatchObject({ pid: process.pid, state: 'held' });
      await lock.release();
      expect(await readdir(dir)).toEqual([]);
    },
  );

  test(
    "8 processes racing for a dead owner's lock: one winner at a time (5 rounds)",
    { timeout: 60_000 },
    async ({ dir }) => {
      const pid = await deadPid();
      const log = await race(dir, {
        count: 8,
        rounds: 5,
        stale: 10_000,
        prepare: (file) => fabricateLock(file, { pid }),
      });
      expect(findOverlaps(log)).toEqual([]);
      expect(log.trim().split('\n')).toHaveLength(5 * 8 * 2);
      expect((await readdir(dir)).sort()).toEqual(['log']);
    },
  );

  test(
    '8 processes racing for a stale lock of another host: one winner at a time (5 rounds)',
    { timeout: 60_000 },
    async ({ dir }) => {
      const log = await race(dir, {
        count: 8,
        rounds: 5,
        stale: 2_000,
        prepare: (file) =>
          fabricateLock(file, { hostname: 'elsewhere' }, new Date(Date.now() - 60_000)),
      });
      expect(findOverlaps(log)).toEqual([]);
      expect(log.trim().split('\n')).toHaveLength(5 * 8 * 2);
    },
  );

  const counters = {
    runboard: (file: string) => start('count-with-lock.ts', [file, '200']),
    // A client in another language, written from the README's protocol (test/interop.test.ts).
    python: (file: string) => start('python-lock-client.py', ['count', file, '200']),
  };
  const mixes: Array<[string, Array<keyof typeof counters>]> = [
    ['4 processes', ['runboard', 'runboard', 'runboard', 'runboard']],
    ['2 runboard and 2 Python processes', ['runboard', 'python', 'runboard', 'python']],
  ];
  test.for(mixes)(
    '%s x 200 locked increments lose nothing',
    { timeout: 60_000 },
    async ([, kinds], { dir, skip }) => {
      if (kinds.includes('python') && !hasPython) skip('python3 is not installed');
      const file = join(dir, 'counter');
      const workers = kinds.map((kind) => counters[kind](file));
      expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0, 0, 0]);
      expect(await readFile(file, 'utf8')).toBe('800');
      expect(await readdir(dir)).toEqual(['counter']);
    },
  );

  test(
    'a holder suspended past `stale` loses the lock, notices, and its release spares the new owner',
    { timeout: 30_000 },
    async ({ dir }) => {
      const file = join(dir, 'progress.json');
      const holder = start('hold-lock.ts', [file, '2000']);
      await holder.waitForLine((line) => line.startsWith('locked'));
      holder.child.kill('SIGSTOP');
      const lock = await acquireLock(file, { stale: 2_000, timeout: 15_000 });
      holder.child.kill('SIGCONT');
      await holder.waitForLine((line) => line === 'compromised ECOMPROMISED', 10_000);
      await holder.waitForLine((line) => line === 'released', 10_000);
      await lock.verify();
      await stat(join(lock.lockDir, `owner-${lock.owner.token}.json`));
      await lock.release();
    },
  );
});
