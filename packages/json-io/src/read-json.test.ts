import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { test } from '../test/test-utils.js';
import { JsonNotFoundError, JsonParseError, JsonReadError, JsonValidationError } from './errors.js';
import type { ReadJsonOptions } from './read-json.js';
import { readJson, readJsonSync } from './read-json.js';

const Record = z.object({ status: z.enum(['running', 'failed']), attempt: z.number().int() });

/** Writes `text` into `file` after `ms`, like a foreign writer finishing its in-place rewrite. */
function later(ms: number, action: () => void): void {
  setTimeout(action, ms).unref();
}

describe.each([
  ['readJson', <T>(file: string, options?: ReadJsonOptions<T>) => readJson(file, options)],
  [
    'readJsonSync',
    async <T>(file: string, options?: ReadJsonOptions<T>) => readJsonSync(file, options),
  ],
])('%s', (_name, read) => {
  test('reads and parses', async ({ dir }) => {
    const file = join(dir, 'a.json');
    writeFileSync(file, '{"status":"running","attempt":1}');
    expect(await read(file)).toEqual({ status: 'running', attempt: 1 });
  });

  test('returns `default` at once when the file does not exist', async ({ dir }) => {
    const started = performance.now();
    expect(await read(join(dir, 'missing.json'), { default: { cancel: null } })).toEqual({
      cancel: null,
    });
    expect(await read(join(dir, 'missing.json'), { default: undefined })).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });

  test('throws JsonNotFoundError after the deadline', async ({ dir }) => {
    const file = join(dir, 'missing.json');
    const started = performance.now();
    const error = await read(file, { deadlineMs: 100 }).catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(JsonNotFoundError);
    expect(error).toMatchObject({ code: 'RUNBOARD_JSON_NOT_FOUND', file });
    expect((error as Error).message).toContain(file);
    expect((error as Error).cause).toMatchObject({ code: 'ENOENT' });
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(2000);
  });

  test('throws JsonParseError with position and excerpt after the deadline', async ({ dir }) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "loss": 0.5,\n  "acc": ,\n}');
    const error = (await read(file, { deadlineMs: 50 }).catch(
      (caught: unknown) => caught,
    )) as JsonParseError;
    expect(error).toBeInstanceOf(JsonParseError);
    expect(error.code).toBe('RUNBOARD_JSON_PARSE');
    expect(error).toMatchObject({ position: 26, line: 3, column: 10 });
    expect(error.excerpt).toContain('"acc": ,');
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3 column 10');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  test('says so when the file stays empty', async ({ dir }) => {
    const file = join(dir, 'empty.json');
    writeFileSync(file, '');
    await expect(read(file, { deadlineMs: 20 })).rejects.toThrow(/empty/);
  });

  test('validates with a function or a zod schema', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    writeFileSync(file, '{"status":"running","attempt":1}');
    expect(await read(file, { validate: Record })).toEqual({ status: 'running', attempt: 1 });
    const attempt = await read(file, {
      validate: (value) => (value as { attempt: number }).attempt,
    });
    expect(attempt).toBe(1);
  });

  test('wraps a validation failure in JsonValidationError, without retrying', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    writeFileSync(file, '{"status":"exploded","attempt":1}');
    const started = performance.now();
    const error = await read(file, { validate: Record, deadlineMs: 5000 }).catch(
      (caught: unknown) => caught,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(JsonValidationError);
    expect(error).toMatchObject({ code: 'RUNBOARD_JSON_VALIDATION', file });
    expect((error as Error).cause).toBeInstanceOf(z.ZodError);
    const failing = () => {
      throw new Error('attempt must be 2');
    };
    await expect(read(file, { validate: failing })).rejects.toThrow(/attempt must be 2/);
  });

  test('throws JsonReadError for a folder, without retrying', async ({ dir }) => {
    const folder = join(dir, 'folder.json');
    mkdirSync(folder);
    const started = performance.now();
    const error = await read(folder, { deadlineMs: 5000 }).catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(JsonReadError);
    expect(error).toMatchObject({ code: 'RUNBOARD_JSON_READ', systemCode: 'EISDIR' });
  });

  test('rejects invalid arguments with a TypeError', async ({ dir }) => {
    const file = join(dir, 'x.json');
    await expect(read('')).rejects.toThrow(TypeError);
    await expect(read(file, { deadlineMs: -1 })).rejects.toThrow(/deadlineMs/);
    await expect(read(file, { validate: {} as never })).rejects.toThrow(/validate/);
  });

  test('stops retrying when the signal aborts', async ({ dir }) => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(read(join(dir, 'missing.json'), { signal: controller.signal })).rejects.toBe(
      reason,
    );
  });
});

describe('readJson retries what a foreign writer causes for a moment', () => {
  test('retries an empty file until a foreign writer has filled it', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    writeFileSync(file, '');
    later(30, () => writeFileSync(file, '{"status":"running","attempt":2}'));
    expect(await readJson(file)).toEqual({ status: 'running', attempt: 2 });
  });

  test('retries a half-written file and a briefly missing file', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    writeFileSync(file, '{"status":"runn');
    later(20, () => rmSync(file));
    later(60, () => writeFileSync(file, '{"status":"running","attempt":3}'));
    expect(await readJson(file)).toEqual({ status: 'running', attempt: 3 });
  });

  test('retries a missing file until it is renamed into place', async ({ dir }) => {
    const file = join(dir, 'x.json');
    writeFileSync(`${file}.new`, '{"ok":true}');
    later(20, () => renameSync(`${file}.new`, file));
    expect(await readJson(file)).toEqual({ ok: true });
  });
});

test('readJsonSync blocks between attempts until another process creates the file', async ({
  dir,
}) => {
  const file = join(dir, 'late.json');
  const script = `setTimeout(() => { fs.writeFileSync(process.argv[1] + '.new', '[1]'); fs.renameSync(process.argv[1] + '.new', process.argv[1]); }, 150)`;
  const writer = spawn(process.execPath, ['-e', script, file]);
  try {
    expect(readJsonSync(file, { deadlineMs: 10_000 })).toEqual([1]);
  } finally {
    writer.kill('SIGKILL');
  }
});
