import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  acquireLock,
  LockAbortError,
  LockCompromisedError,
  LockTimeoutError,
} from '@runboard/locking';
import { describe, expect } from 'vitest';
import { blockEventLoop, expectFolderToHold, test } from '../test/test-utils.js';
import { JsonParseError, JsonSerializeError, JsonValidationError } from './errors.js';
import { updateJson } from './update-json.js';
import { createJson, getWriteStats } from './write-json.js';

describe('updateJson', () => {
  test('creates a missing file from `default` and resolves with the written value', async ({
    dir,
  }) => {
    const file = join(dir, 'counter.json');
    expect(await updateJson(file, (n: number) => n + 1, { default: 0 })).toBe(1);
    expect(await updateJson(file, (n: number) => n + 1, { default: 0 })).toBe(2);
    await expectFolderToHold(dir, { 'counter.json': '2\n' });
  });

  test('passes undefined for a missing file without `default`, and awaits async updaters', async ({
    dir,
  }) => {
    const file = join(dir, 'sub', 'state.json');
    const seen: unknown[] = [];
    const value = await updateJson(file, async (current: { runs: number } | undefined) => {
      seen.push(current);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { runs: (current?.runs ?? 0) + 1 };
    });
    expect(seen).toEqual([undefined]);
    expect(value).toEqual({ runs: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ runs: 1 });
  });

  test('hands each call a fresh copy of `default`', async ({ dir }) => {
    const fallback = { items: [] as number[] };
    await updateJson(
      join(dir, 'a.json'),
      (state) => {
        state.items.push(1);
        return state;
      },
      { default: fallback },
    );
    expect(fallback).toEqual({ items: [] });
  });

  test('passes write options through', async ({ dir }) => {
    const file = join(dir, 'state.json');
    await updateJson(file, () => ({ a: [1, 2] }), { space: 0, durable: false });
    expect(await readFile(file, 'utf8')).toBe('{"a":[1,2]}\n');
    await expect(updateJson(file, () => ({ loss: Number.NaN }))).rejects.toBeInstanceOf(
      JsonSerializeError,
    );
    await updateJson(file, () => ({ loss: Number.NaN }), { nonFinite: 'null' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ loss: null });
  });

  test('commits concurrent calls in call order with one write, each with its own result', async ({
    dir,
  }) => {
    const file = join(dir, 'log.json');
    await updateJson(file, () => [] as number[]);
    const before = getWriteStats().physicalWrites;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        updateJson(file, (log: number[] = []) => [...log, index]),
      ),
    );
    expect(getWriteStats().physicalWrites - before).toBe(1);
    results.forEach((result, index) =>
      expect(result).toEqual(Array.from({ length: index + 1 }, (_, i) => i)),
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(20);
    expect(await readdir(dir)).toEqual(['log.json']);
  });

  test('settles the callers of successive batches in call order', async ({ dir }) => {
    const file = join(dir, 'counter.json');
    const settled: number[] = [];
    const calls: Array<Promise<unknown>> = [];
    for (let index = 0; index < 12; index++) {
      const call = updateJson(file, (n: number) => n + 1, { default: 0 });
      calls.push(call.then((value) => settled.push(value)));
      // Let a batch start now and then, so that later calls form batches of their own while
      // earlier batches are still being committed.
      if (index % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(calls);
    expect(settled).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    await expectFolderToHold(dir, { 'counter.json': '12\n' });
  });

  test('creates a missing file exclusively: one created meanwhile without the lock is updated, not replaced', async ({
    dir,
  }) => {
    const file = join(dir, 'state.json');
    const seen: unknown[] = [];
    const value = await updateJson(file, async (current?: { n: number }) => {
      seen.push(current);
      // Another writer creates the file without the lock while this update holds it.
      if (seen.length === 1) await createJson(file, { n: 10 });
      return { n: (current?.n ?? 0) + 1 };
    });
    expect(seen).toEqual([undefined, { n: 10 }]);
    expect(value).toEqual({ n: 11 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 11 });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  test('waits out a file that a writer outside the lock left torn for a moment', async ({
    dir,
  }) => {
    const file = join(dir, 'state.json');
    await writeFile(file, '{"runs": ');
    const repair = new Promise((resolve) => setTimeout(resolve, 30)).then(() =>
      writeFile(file, '{"runs": 1}\n'),
    );
    const value = await updateJson(file, (state?: { runs: number }) => ({
      runs: (state?.runs ?? 0) + 1,
    }));
    await repair;
    expect(value).toEqual({ runs: 2 });
  });

  test('fails only the caller whose updater throws, and applies none of its change', async ({
    dir,
  }) => {
    const file = join(dir, 'state.json');
    await writeFile(file, '{"ids": []}');
    const calls = [1, 2, 3].map((id) =>
      updateJson(
        file,
        (state: { ids: number[] }) => {
          state.ids.push(id);
          if (id !== 2) throw new Error(`updater ${id} failed`);
          return state;
        },
        { default: { ids: [] } },
      ),
    );
    const [first, second, third] = await Promise.allSettled(calls);
    expect(first).toMatchObject({ status: 'rejected', reason: new Error('updater 1 failed') });
    expect(second).toEqual({ status: 'fulfilled', value: { ids: [2] } });
    expect(third).toMatchObject({ status: 'rejected', reason: new Error('updater 3 failed') });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ ids: [2] });
  });

  test('fails only the caller whose result JSON cannot hold', async ({ dir }) => {
    const file = join(dir, 'state.json');
    const results = await Promise.allSettled([
      updateJson(file, () => ({ n: 1 })),
      updateJson(file, () => ({ n: 2n })),
      updateJson(file, () => undefined),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { n: 1 } });
    expect(results[1]).toMatchObject({ reason: expect.any(JsonSerializeError) });
    expect(results[2]).toMatchObject({ reason: expect.any(JsonSerializeError) });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 1 });
  });

  test('validates what it reads and what the updater returns', async ({ dir }) => {
    const file = join(dir, 'state.json');
    const validate = (value: unknown) => {
      if (typeof value !== 'number') throw new Error('not a number');
      return value;
    };
    await writeFile(file, '"text"\n');
    await expect(updateJson(file, (n = 0) => n + 1, { validate })).rejects.toBeInstanceOf(
      JsonValidationError,
    );
    await writeFile(file, '1\n');
    await expect(
      updateJson(file, () => 'again text' as unknown as number, { validate }),
    ).rejects.toBeInstanceOf(JsonValidationError);
    expect(await updateJson(file, (n = 0) => n + 1, { validate: { parse: validate } })).toBe(2);
    expect(await readFile(file, 'utf8')).toBe('2\n');
  });

  test('fails every caller and writes nothing when the file is not valid JSON', async ({ dir }) => {
    const file = join(dir, 'state.json');
    await writeFile(file, '{"torn": ');
    const results = await Promise.allSettled([
      updateJson(file, () => 1),
      updateJson(file, () => 2),
    ]);
    for (const result of results) {
      expect(result).toMatchObject({ reason: expect.any(JsonParseError) });
    }
    await expectFolderToHold(dir, { 'state.json': '{"torn": ' });
  });

  test('refuses to commit with ECOMPROMISED after a stall past the lock window; the file is untouched', async ({
    dir,
  }) => {
    const file = join(dir, 'counter.json');
    await updateJson(file, () => 41);
    const error = await updateJson<number>(
      file,
      (n = 0) => {
        blockEventLoop(1_700); // stale 2 s: the owner stops trusting the lock after 1.5 s
        return n + 1;
      },
      { lock: { stale: 2_000 } },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(error).toMatchObject({ code: 'ECOMPROMISED' });
    await expectFolderToHold(dir, { 'counter.json': '41\n' });
  });

  test('times out each waiting caller after its own `lock.timeout`', async ({ dir }) => {
    const file = join(dir, 'counter.json');
    const held = await acquireLock(file);
    const impatient = updateJson(file, (n: number) => n + 1, {
      default: 0,
      lock: { timeout: 200 },
    });
    const patient = updateJson(file, (n: number) => n + 10, {
      default: 0,
      lock: { timeout: 10_000 },
    });
    const error = await impatient.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ code: 'ELOCKED' });
    await held.release();
    expect(await patient).toBe(10);
  });

  test('stops waiting when `lock.signal` aborts', async ({ dir }) => {
    const file = join(dir, 'counter.json');
    const held = await acquireLock(file);
    const controller = new AbortController();
    const waiting = updateJson(file, () => 1, { lock: { signal: controller.signal } });
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toBeInstanceOf(LockAbortError);
    await expect(
      updateJson(file, () => 1, { lock: { signal: AbortSignal.abort() } }),
    ).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await held.release();
    expect(await updateJson(file, () => 3)).toBe(3);
  });

  test('checks its arguments', async ({ dir }) => {
    const file = join(dir, 'x.json');
    await expect(updateJson('', () => 1)).rejects.toThrow(TypeError);
    await expect(updateJson(file, 1 as never)).rejects.toThrow(/updater/);
    await expect(updateJson(file, () => 1, { lock: { stale: 10 } })).rejects.toThrow(/stale/);
    await expect(updateJson(file, () => 1, { lock: { timeout: -1 } })).rejects.toThrow(/timeout/);
    await expect(updateJson(file, () => 1, { validate: 3 as never })).rejects.toThrow(/validate/);
    expect(await readdir(dir)).toEqual([]);
  });
});
