import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect } from 'vitest';
import { createJson, writeJson, writeJsonSync } from '../src/write-json.js';
import { killChildren, lineFrom, outputOf, startFixture, tempFilesIn, test } from './test-utils.js';

afterEach(killChildren);

type ReaderCounts = Record<'reads' | 'writerReads' | 'torn' | 'missing', number>;
type WriterCounts = Record<'writes' | 'errors', number>;

/** Writers of one style and plain readers on one file; returns what the readers saw. */
async function hammer(dir: string, style: 'runboard' | 'naive') {
  const file = join(dir, 'progress.json');
  const stopFile = join(dir, 'stop');
  writeJsonSync(file, { writer: 'init', seq: 0, length: 0, payload: '' });
  const readers = [1, 2].map(() =>
    outputOf(startFixture('plain-reader.mjs', [file, stopFile]), 60_000),
  );
  const writers = ['a', 'b', 'c'].map((writer) =>
    outputOf(startFixture('hammer-writer.ts', [file, style, 1500, 64 * 1024, writer]), 30_000),
  );
  const written = (await Promise.all(writers)).map((out) => JSON.parse(out) as WriterCounts);
  writeFileSync(stopFile, '');
  const seen = (await Promise.all(readers)).map((out) => JSON.parse(out) as ReaderCounts);
  return { written, seen, file };
}

function sum<K extends string>(counts: Array<Record<K, number>>, key: K): number {
  return counts.reduce((total, count) => total + count[key], 0);
}

describe('several writer processes and plain readers on one file', () => {
  test(
    'runboard writers: zero torn or missing reads, no errors, no temp files',
    { timeout: 60_000 },
    async ({ dir }) => {
      const { written, seen, file } = await hammer(dir, 'runboard');
      expect(sum(written, 'errors')).toBe(0);
      expect(sum(written, 'writes')).toBeGreaterThan(30);
      expect(sum(seen, 'writerReads')).toBeGreaterThan(30);
      expect(sum(seen, 'torn')).toBe(0);
      expect(sum(seen, 'missing')).toBe(0);
      expect(JSON.parse(readFileSync(file, 'utf8')).writer).toMatch(/^[abc]$/);
      expect(tempFilesIn(dir)).toEqual([]);
    },
  );

  test(
    "the naive `path + '.tmp'` fix tears reads or fails its writers (the problem is real)",
    { timeout: 60_000 },
    async ({ dir }) => {
      const { written, seen } = await hammer(dir, 'naive');
      expect(sum(written, 'writes')).toBeGreaterThan(30);
      expect(sum(seen, 'torn') + sum(seen, 'missing') + sum(written, 'errors')).toBeGreaterThan(0);
    },
  );
});

/** Starts a big writer per file, kills each with SIGKILL at a random moment, and checks the files. */
async function killWritersMidWrite(files: string[]): Promise<number> {
  await Promise.all(
    files.map(async (file) => {
      const writer = startFixture('big-writer.ts', [file, 2 * 1024 * 1024]);
      await lineFrom(writer, 'started', 30_000);
      await sleep(Math.random() * 300);
      const exited = new Promise((resolve) => writer.once('exit', resolve));
      writer.kill('SIGKILL');
      await exited;
    }),
  );
  let orphans = 0;
  for (const file of files) {
    const value = JSON.parse(readFileSync(file, 'utf8'));
    expect(value.payload === value.writer.repeat(value.length)).toBe(true);
    expect(value.length).toBe(2 * 1024 * 1024);
    const folder = dirname(file);
    orphans += tempFilesIn(folder).length;
    await writeJson(file, { next: true });
    expect(tempFilesIn(folder)).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ next: true });
  }
  return orphans;
}

test(
  'kill -9 during large durable writes: the file always holds one complete value, and the next write sweeps the temp files',
  { timeout: 60_000 },
  async ({ dir }) => {
    // Writers spend most of their time between creating and renaming the temp file, so kills
    // leave orphans often; rounds go on until one did, so that the sweep is surely exercised.
    let orphansSeen = 0;
    for (let round = 0; round < 4 && orphansSeen === 0; round++) {
      const files = [0, 1, 2, 3].map((index) =>
        join(dir, `round-${round}`, `run-${index}`, 'progress.json'),
      );
      orphansSeen += await killWritersMidWrite(files);
    }
    expect(orphansSeen).toBeGreaterThan(0);
  },
);

test(
  'createJson: of six processes creating one file at once, exactly one wins, every round',
  { timeout: 60_000 },
  async ({ dir }) => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const rounds = 40;
    const racers = names.map((name) => startFixture('create-race.ts', [dir, name, rounds]));
    const outputs = racers.map((racer) => outputOf(racer, 45_000));
    await Promise.all(racers.map((racer) => lineFrom(racer, 'ready', 30_000)));
    for (const racer of racers) racer.kill('SIGUSR1');
    const results = (await Promise.all(outputs)).map(
      (output) =>
        JSON.parse(output.trim().split('\n').at(-1) as string) as {
          won: number[];
          lost: Record<string, number>;
        },
    );
    for (let round = 0; round < rounds; round++) {
      const winners = names.filter((_, index) => results[index]?.won.includes(round));
      expect(winners).toHaveLength(1);
      const onDisk = JSON.parse(readFileSync(join(dir, `round-${round}.json`), 'utf8'));
      expect(onDisk).toEqual({ winner: winners[0], round });
    }
    for (const { won, lost } of results) {
      expect(Object.keys(lost).filter((code) => code !== 'EEXIST')).toEqual([]);
      expect(won.length + (lost.EEXIST ?? 0)).toBe(rounds);
    }
    expect(tempFilesIn(dir)).toEqual([]);
    // A plain call on an existing file: untouched, and the error says why.
    const error = await createJson(join(dir, 'round-0.json'), { winner: 'late' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'RUNBOARD_JSON_WRITE', systemCode: 'EEXIST' });
    expect(JSON.parse(readFileSync(join(dir, 'round-0.json'), 'utf8')).winner).not.toBe('late');
  },
);
