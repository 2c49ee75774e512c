import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { tempFilesIn, test } from '../test/test-utils.js';
import { JsonSerializeError, JsonWriteError } from './errors.js';
import {
  commitJsonText,
  createJson,
  getWriteStats,
  writeJson,
  writeJsonSync,
} from './write-json.js';

const readBack = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const isRoot = process.getuid?.() === 0;

describe.each([
  ['writeJson', (file: string, value: unknown, options = {}) => writeJson(file, value, options)],
  [
    'writeJsonSync',
    async (file: string, value: unknown, options = {}) => writeJsonSync(file, value, options),
  ],
])('%s', (_name, write) => {
  test('writes 2-space indented JSON and replaces the previous content', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    await write(file, { status: 'queued' });
    expect(readFileSync(file, 'utf8')).toBe('{\n  "status": "queued"\n}\n');
    await write(file, { status: 'running' }, { durable: false, space: 0 });
    expect(readFileSync(file, 'utf8')).toBe('{"status":"running"}\n');
    expect(tempFilesIn(dir)).toEqual([]);
  });

  test('creates missing parent folders', async ({ dir }) => {
    const file = join(dir, 'a', 'b', 'c', 'progress.json');
    await write(file, [1, 2, 3]);
    expect(readBack(file)).toEqual([1, 2, 3]);
  });

  test('keeps the mode of the file it replaces', async ({ dir }) => {
    const file = join(dir, 'secret.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o640);
    await write(file, { v: 1 });
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    chmodSync(file, 0o604);
    await write(file, { v: 2 }, { durable: false });
    expect(statSync(file).mode & 0o7777).toBe(0o604);
  });

  test.runIf(isRoot)('keeps the owner of the file it replaces (as root)', async ({ dir }) => {
    const file = join(dir, 'owned.json');
    writeFileSync(file, '{}');
    chownSync(file, 4321, 4322);
    await write(file, { v: 1 });
    expect(statSync(file)).toMatchObject({ uid: 4321, gid: 4322 });
  });

  test('writes through a symlink, which stays a symlink', async ({ dir }) => {
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'data.json');
    writeFileSync(real, '{"old":true}');
    const link = join(dir, 'link.json');
    symlinkSync('real/data.json', link);
    await write(link, { new: true });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('real/data.json');
    expect(readBack(real)).toEqual({ new: true });
    expect(tempFilesIn(dir)).toEqual([]);
    expect(tempFilesIn(join(dir, 'real'))).toEqual([]);
  });

  test('creates the file a dangling symlink names', async ({ dir }) => {
    const link = join(dir, 'link.json');
    symlinkSync('target.json', link);
    await write(link, { created: true });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readBack(join(dir, 'target.json'))).toEqual({ created: true });
  });

  test('refuses an unserializable value before touching the disk', async ({ dir }) => {
    const file = join(dir, 'nested', 'metrics.json');
    await expect(write(file, { loss: Number.NaN })).rejects.toThrow(JsonSerializeError);
    await expect(write(file, { big: 2n })).rejects.toMatchObject({ jsonPath: '$.big' });
    expect(() => statSync(join(dir, 'nested'))).toThrow(/ENOENT/);
  });

  test('fails with JsonWriteError and leaves no temp file when the target is a folder', async ({
    dir,
  }) => {
    const file = join(dir, 'taken');
    mkdirSync(file);
    const error = await write(file, { a: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JsonWriteError);
    expect(error).toMatchObject({ code: 'RUNBOARD_JSON_WRITE', file, syscall: 'rename' });
    expect((error as JsonWriteError).systemCode).toMatch(/^E(ISDIR|EXIST|NOTEMPTY)$/);
    expect((error as Error).message).toContain(file);
    expect((error as Error).cause).toMatchObject({ code: (error as JsonWriteError).systemCode });
    expect(tempFilesIn(dir)).toEqual([]);
  });

  test('fails with JsonWriteError (ENOTDIR) when a parent is a file', async ({ dir }) => {
    writeFileSync(join(dir, 'file'), 'x');
    await expect(write(join(dir, 'file', 'x.json'), {})).rejects.toMatchObject({
      name: 'JsonWriteError',
      systemCode: 'ENOTDIR',
    });
  });

  test('rejects invalid arguments with a TypeError', async ({ dir }) => {
    const file = join(dir, 'x.json');
    await expect(write('', {})).rejects.toThrow(TypeError);
    await expect(write(file, {}, { durable: 'yes' })).rejects.toThrow(/durable/);
    await expect(write(file, {}, { nonFinite: 'zero' })).rejects.toThrow(/nonFinite/);
    await expect(write(file, {}, { space: {} })).rejects.toThrow(/space/);
  });
});

describe('writeJson coalescing', () => {
  test('1,000 concurrent writes: the last value wins, every promise resolves after a value at least as new is on disk', async ({
    dir,
  }) => {
    const file = join(dir, 'progress.json');
    const before = getWriteStats();
    const seenOnResolve: number[] = [];
    await Promise.all(
      Array.from({ length: 1000 }, (_, index) =>
        writeJson(file, { index }).then(() => {
          seenOnResolve[index] = (readBack(file) as { index: number }).index;
        }),
      ),
    );
    const after = getWriteStats();
    expect(readBack(file)).toEqual({ index: 999 });
    expect(seenOnResolve.every((seen, index) => seen >= index)).toBe(true);
    expect(seenOnResolve).toHaveLength(1000);
    expect(after.requested - before.requested).toBe(1000);
    const physical = after.physicalWrites - before.physicalWrites;
    expect(physical).toBeGreaterThanOrEqual(1);
    expect(physical).toBeLessThan(1000);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  test('snapshots the value at call time', async ({ dir }) => {
    const file = join(dir, 'state.json');
    const value = { n: 1 };
    const written = writeJson(file, value);
    value.n = 2;
    await written;
    expect(readBack(file)).toEqual({ n: 1 });
  });

  test('calls made in one synchronous burst share a single physical write', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    const before = getWriteStats().physicalWrites;
    await Promise.all([writeJson(file, 1), writeJson(file, 2), writeJson(file, 3)]);
    expect(getWriteStats().physicalWrites - before).toBe(1);
    expect(readBack(file)).toBe(3);
  });

  test('a failed physical write rejects every caller it carried', async ({ dir }) => {
    const file = join(dir, 'taken');
    mkdirSync(file);
    const results = await Promise.allSettled([
      writeJson(file, 1),
      writeJson(file, 2),
      writeJson(file, 3),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});

describe('sync and async writes share one queue per real path', () => {
  test('an async write under way does not overwrite a later sync write', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    const early = writeJson(file, { n: 1, pad: 'x'.repeat(200_000) });
    await new Promise((resolve) => setImmediate(resolve)); // the async write is now under way
    writeJsonSync(file, { n: 2 });
    expect(readBack(file)).toEqual({ n: 2 });
    await early;
    expect(readBack(file)).toEqual({ n: 2 });
    expect(tempFilesIn(dir)).toEqual([]);
  });

  test('pending async writes are superseded by a sync write; later async writes win again', async ({
    dir,
  }) => {
    const file = join(dir, 'progress.json');
    const first = writeJson(file, { n: 1 });
    const pending = writeJson(file, { n: 2 });
    writeJsonSync(file, { n: 3 });
    await Promise.all([first, pending]);
    expect(readBack(file)).toEqual({ n: 3 });
    await writeJson(file, { n: 4 });
    expect(readBack(file)).toEqual({ n: 4 });
  });

  test('a path and a symlink to it share the queue', async ({ dir }) => {
    const file = join(dir, 'real.json');
    writeFileSync(file, '{}');
    const link = join(dir, 'link.json');
    symlinkSync('real.json', link);
    const writes = Array.from({ length: 50 }, (_, index) =>
      writeJson(index % 2 ? link : file, { index }),
    );
    await Promise.all(writes);
    expect(readBack(file)).toEqual({ index: 49 });
  });
});

describe('commitJsonText (the commit step of updateJson)', () => {
  test('a guard that throws right before the rename cancels it: its error, the target untouched', async ({
    dir,
  }) => {
    const file = join(dir, 'progress.json');
    writeFileSync(file, '{"v": 1}\n');
    const refusal = new Error('the lock was lost');
    const refuse = () => {
      throw refusal;
    };
    const afterRename = vi.fn();
    await expect(
      commitJsonText(file, '{"v": 2}', {
        durable: true,
        exclusive: false,
        beforeRename: refuse,
        afterRename,
      }),
    ).rejects.toBe(refusal);
    expect(readBack(file)).toEqual({ v: 1 });
    expect(tempFilesIn(dir)).toEqual([]);
    expect(afterRename).not.toHaveBeenCalled();
    await commitJsonText(file, '{"v": 3}', {
      durable: false,
      exclusive: false,
      beforeRename: () => {},
      afterRename,
    });
    expect(readBack(file)).toEqual({ v: 3 });
    expect(afterRename).toHaveBeenCalledOnce();
  });
});

describe('createJson', () => {
  test('creates a missing file (and its folders), then refuses to replace it', async ({ dir }) => {
    const file = join(dir, 'runs', 'a', 'progress.json');
    await createJson(file, { status: 'queued' }, { space: 0 });
    expect(readFileSync(file, 'utf8')).toBe('{"status":"queued"}\n');
    const error = await createJson(file, { status: 'other' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JsonWriteError);
    expect(error).toMatchObject({ systemCode: 'EEXIST', file });
    expect(readBack(file)).toEqual({ status: 'queued' });
    expect(tempFilesIn(join(dir, 'runs', 'a'))).toEqual([]);
    await expect(createJson(join(dir, 'nan.json'), { loss: Number.NaN })).rejects.toBeInstanceOf(
      JsonSerializeError,
    );
    expect(existsSync(join(dir, 'nan.json'))).toBe(false);
  });
});
