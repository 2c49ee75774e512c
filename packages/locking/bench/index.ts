// `npm run bench`: @runboard/locking (and updateJson) against the usual recipe, proper-lockfile
// with retries + `atomically`, in one run with interleaved rounds; prints Markdown tables.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock as recipeLock } from 'proper-lockfile';
import { acquireLock, withLock } from '../src/index.js';
import { createOwnerRecord } from '../src/owner.js';
import type { Fixture } from '../test/processes.js';
import { killAll, spawnFixture } from '../test/processes.js';

const here = import.meta.dirname;
const scripts = {
  oursCounter: join(here, '../../json-io/test/fixtures/update-counter.ts'),
  recipeCounter: join(here, 'workers/recipe-counter.ts'),
  oursHold: join(here, '../test/fixtures/hold-lock.ts'),
  recipeHold: join(here, 'workers/recipe-hold.ts'),
  oursRacer: join(here, '../test/fixtures/race-lock.ts'),
  recipeRacer: join(here, 'workers/recipe-racer.ts'),
};
// The recipe's waiting: jittered backoff from 5 to 100 ms, like ours. (`retry` precomputes one
// delay per retry on every call, so a huge count would slow the recipe down artificially.)
const recipeRetries = { retries: 1_000, minTimeout: 5, maxTimeout: 100, randomize: true };
const quick = process.env.BENCH_QUICK === '1';
/** How long to wait for a worker's line; contended rounds are slow on a loaded machine. */
const WAIT_MS = 120_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const format = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'runboard-locking-bench-'));
}

/** Uncontended lock + release in this process, µs per operation. */
async function uncontended(
  rounds: number,
  operations: number,
): Promise<{ ours: number[]; recipe: number[]; bare: number[] }> {
  const dir = await freshDir();
  const file = join(dir, 'progress.json');
  await writeFile(file, '0\n');
  const runs = {
    ours: async () => {
      for (let i = 0; i < operations; i++) await withLock(file, () => {});
    },
    recipe: async () => {
      for (let i = 0; i < operations; i++) {
        const release = await recipeLock(file, { retries: recipeRetries });
        await release();
      }
    },
    bare: async () => {
      for (let i = 0; i < operations; i++) {
        const release = await recipeLock(file);
        await release();
      }
    },
  };
  const results = { ours: [] as number[], recipe: [] as number[], bare: [] as number[] };
  await runs.ours();
  await runs.recipe();
  await runs.bare();
  for (let round = 0; round < rounds; round++) {
    const order =
      round % 2 ? (['bare', 'recipe', 'ours'] as const) : (['ours', 'recipe', 'bare'] as const);
    for (const name of order) {
      const started = performance.now();
      await runs[name]();
      results[name].push(((performance.now() - started) * 1000) / operations);
    }
  }
  await rm(dir, { recursive: true, force: true });
  return results;
}

interface CounterReport {
  ok: number;
  startedAt: number;
  endedAt: number;
}

/** 4 processes incrementing one JSON counter; updates per second over the whole run. */
async function contended(
  script: string,
  processes: number,
  perProcess: number,
  inflight: number,
): Promise<number> {
  const dir = await freshDir();
  const file = join(dir, 'counter.json');
  await writeFile(file, '0\n');
  const workers = Array.from({ length: processes }, () =>
    spawnFixture(script, [file, perProcess, inflight], { RUNBOARD_BENCH_BARRIER: '1' }),
  );
  try {
    await Promise.all(
      workers.map((worker) => worker.waitForLine((line) => line === 'ready', WAIT_MS)),
    );
    for (const worker of workers) worker.child.kill('SIGUSR1');
    const reports = await Promise.all(
      workers.map(
        async (worker) =>
          JSON.parse(
            await worker.waitForLine((line) => line.startsWith('{'), WAIT_MS),
          ) as CounterReport,
      ),
    );
    const total = processes * perProcess;
    const counter = JSON.parse(await readFile(file, 'utf8')) as number;
    if (counter !== total) throw new Error(`${script}: counter ${counter}, expected ${total}`);
    const seconds =
      (Math.max(...reports.map((r) => r.endedAt)) - Math.min(...reports.map((r) => r.startedAt))) /
      1000;
    return total / seconds;
  } finally {
    await killAll(workers);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from `kill -9` of a holder to the waiter's acquisition. */
async function takeover(kind: 'ours' | 'recipe', delayMs: number): Promise<number> {
  const dir = await freshDir();
  const file = join(dir, 'progress.json');
  await writeFile(file, '0\n');
  const holder = spawnFixture(kind === 'ours' ? scripts.oursHold : scripts.recipeHold, [file]);
  try {
    await holder.waitForLine((line) => line.startsWith('locked'));
    let acquiredAt = 0;
    const waiting =
      kind === 'ours'
        ? acquireLock(file, { timeout: 60_000 }).then(async (lock) => {
            acquiredAt = Date.now();
            await lock.release();
          })
        : recipeLock(file, { realpath: false, retries: recipeRetries }).then(async (release) => {
            acquiredAt = Date.now();
            await release();
          });
    // Kill at a random point of the holder's refresh cycle (the recipe refreshes every 5 s).
    await sleep(delayMs);
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await waiting;
    return acquiredAt - killedAt;
  } finally {
    await killAll([holder]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rounds in which two racers were inside the critical section at once. */
async function raceOverlaps(
  kind: 'ours' | 'recipe',
  racers: number,
  rounds: number,
): Promise<number> {
  const dir = await freshDir();
  const file = join(dir, 'progress.json');
  const lockDir = `${file}.lock`;
  const workers: Fixture[] = [];
  let overlaps = 0;
  try {
    for (let i = 0; i < racers; i++) {
      workers.push(
        spawnFixture(kind === 'ours' ? scripts.oursRacer : scripts.recipeRacer, [
          file,
          join(dir, 'log'),
          20,
          2_000,
        ]),
      );
    }
    await Promise.all(
      workers.map((worker) => worker.waitForLine((line) => line === 'ready', WAIT_MS)),
    );
    const longAgo = new Date(Date.now() - 60_000);
    for (let round = 0; round < rounds; round++) {
      await rm(join(dir, 'log'), { force: true });
      await mkdir(lockDir);
      if (kind === 'ours') {
        // A stale lock of another host, as @runboard/locking writes it.
        const owner = { ...createOwnerRecord(), hostname: 'elsewhere' };
        const record = join(lockDir, `owner-${owner.token}.json`);
        await writeFile(record, JSON.stringify(owner));
        await utimes(record, longAgo, longAgo);
      } else {
        await utimes(lockDir, longAgo, longAgo);
      }
      for (const worker of workers) worker.child.kill('SIGUSR1');
      await Promise.all(
        workers.map((worker) => worker.waitForLine((line) => line === `done ${round}`, WAIT_MS)),
      );
      let inside = 0;
      let overlapped = false;
      for (const line of (await readFile(join(dir, 'log'), 'utf8')).trim().split('\n')) {
        if (line.startsWith('enter')) overlapped ||= ++inside > 1;
        else inside--;
      }
      if (overlapped) overlaps++;
      await rm(lockDir, { recursive: true, force: true });
    }
    return overlaps;
  } finally {
    await killAll(workers);
    await rm(dir, { recursive: true, force: true });
  }
}

function machine(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  let fsType = '';
  try {
    fsType =
      execFileSync('df', ['-T', tmpdir()], { encoding: 'utf8' })
        .trim()
        .split('\n')[1]
        ?.split(/\s+/)[1] ?? '';
  } catch {
    // Not important.
  }
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  return `${availableParallelism()} CPUs (nproc), ${model}, Node ${process.version}, ${process.platform}, temp folder on ${fsType || 'unknown fs'}, load average at start ${load}`;
}

/** `BENCH_ONLY=uncontended,contended npm run bench` runs only those sections (also `takeover`, `winner`). */
const only = process.env.BENCH_ONLY?.split(',');
const selected = (section: string) => only === undefined || only.includes(section);

const rounds = quick ? 2 : 5;
console.log(`# @runboard/locking benchmark\n\n${new Date().toISOString()} · ${machine()}\n`);

if (selected('uncontended')) {
  const single = await uncontended(rounds, quick ? 100 : 300);
  console.log('## Uncontended lock + release (one process, µs per operation, median of rounds)\n');
  console.log(
    '| | @runboard/locking `withLock` | proper-lockfile, recipe retries | proper-lockfile, no retries |\n|---|---:|---:|---:|',
  );
  const perOp = {
    ours: median(single.ours),
    recipe: median(single.recipe),
    bare: median(single.bare),
  };
  console.log(
    `| µs per op | ${format(perOp.ours)} | ${format(perOp.recipe)} | ${format(perOp.bare)} |`,
  );
  console.log(
    `| ours / it | 1 | ${format(perOp.ours / perOp.recipe, 2)}× the time | ${format(perOp.ours / perOp.bare, 2)}× the time |\n`,
  );
}

if (selected('contended')) {
  console.log(
    '## Contended read-modify-write of one JSON counter, 4 processes (updates/s, median of rounds)\n',
  );
  console.log(
    '| in flight per process | `updateJson` | proper-lockfile + `atomically` | ours / recipe |\n|---|---:|---:|---:|',
  );
  for (const inflight of [1, 2, 8]) {
    const perProcess = quick ? 50 : 200;
    const results = { ours: [] as number[], recipe: [] as number[] };
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const order = round % 2 ? (['recipe', 'ours'] as const) : (['ours', 'recipe'] as const);
      for (const name of order) {
        const script = name === 'ours' ? scripts.oursCounter : scripts.recipeCounter;
        results[name].push(await contended(script, 4, perProcess, inflight));
      }
    }
    const ours = median(results.ours);
    const recipe = median(results.recipe);
    console.log(
      `| ${inflight} | ${format(ours)} | ${format(recipe)} | **${format(ours / recipe, 1)}×** |`,
    );
  }
}

if (selected('takeover')) {
  console.log(
    '\n## Takeover after `kill -9` of the holder (default `stale` 10 s; ms from the kill to the next owner)\n',
  );
  const takeovers = { ours: [] as number[], recipe: [] as number[] };
  const trials = quick ? 1 : 3;
  for (let trial = 0; trial < trials; trial++) {
    const delayMs = Math.round(Math.random() * 5_000);
    for (const kind of trial % 2 ? (['recipe', 'ours'] as const) : (['ours', 'recipe'] as const)) {
      takeovers[kind].push(await takeover(kind, delayMs));
    }
  }
  console.log('| | @runboard/locking | proper-lockfile |\n|---|---:|---:|');
  console.log(
    `| median ms | ${format(median(takeovers.ours))} | ${format(median(takeovers.recipe))} |`,
  );
  console.log(
    `| trials (ms) | ${takeovers.ours.map((ms) => format(ms)).join(', ')} | ${takeovers.recipe.map((ms) => format(ms)).join(', ')} |\n`,
  );
}

if (selected('winner')) {
  const raceRounds = quick ? 3 : 10;
  console.log(`## Single winner: 8 processes racing for one stale lock (${raceRounds} rounds)\n`);
  const oursOverlaps = await raceOverlaps('ours', 8, raceRounds);
  const recipeOverlaps = await raceOverlaps('recipe', 8, raceRounds);
  console.log('| | @runboard/locking | proper-lockfile |\n|---|---:|---:|');
  console.log(
    `| rounds with two holders at once | ${oursOverlaps} / ${raceRounds} | ${recipeOverlaps} / ${raceRounds} |`,
  );
}
