import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonParseError, JsonReadError, JsonValidationError } from '@runboard/json-io';
import { testRunRecord, testWithTempDir } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { tryReadRunRecord } from './run-records.js';

const test = testWithTempDir('runboard-try-read-');

const record = testRunRecord('cdd/run_2');

describe('tryReadRunRecord', () => {
  test('a valid record', async ({ dir }) => {
    await writeFile(join(dir, 'progress.json'), JSON.stringify(record));
    const result = await tryReadRunRecord(dir, { deadlineMs: 0 });
    expect(result).toEqual({ kind: 'record', record: expect.objectContaining(record) });
  });

  test('no progress.json: missing, after the deadline', async ({ dir }) => {
    const started = performance.now();
    expect(await tryReadRunRecord(dir, { deadlineMs: 100 })).toEqual({ kind: 'missing' });
    // A file briefly missing while a foreign writer replaces it is waited for.
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  test('a file that is not a record, not JSON, or not a file: unreadable with the typed error, never a rejection', async ({
    dir,
  }) => {
    await writeFile(join(dir, 'progress.json'), '{"hello": "world"}');
    const invalid = await tryReadRunRecord(dir, { deadlineMs: 0 });
    expect(invalid.kind).toBe('unreadable');
    expect(invalid.kind === 'unreadable' && invalid.error).toBeInstanceOf(JsonValidationError);
    expect(invalid).toMatchObject({ error: { code: 'RUNBOARD_JSON_VALIDATION' } });

    await writeFile(join(dir, 'progress.json'), '{"schemaVersion": 1, "id"');
    const torn = await tryReadRunRecord(dir, { deadlineMs: 20 });
    expect(torn.kind === 'unreadable' && torn.error).toBeInstanceOf(JsonParseError);

    const folder = join(dir, 'nested');
    await mkdir(join(folder, 'progress.json'), { recursive: true });
    const notAFile = await tryReadRunRecord(folder, { deadlineMs: 0 });
    expect(notAFile.kind === 'unreadable' && notAFile.error).toBeInstanceOf(JsonReadError);
    expect(notAFile).toMatchObject({ error: { systemCode: 'EISDIR' } });
  });
});
