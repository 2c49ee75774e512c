import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import {
  readControlRequest,
  requestCancel,
  RUN_FILES,
  RUN_RECORD_SCHEMA_VERSION,
  runRecordSchema,
} from '../run-folder/index.js';
import { InvalidRunRecordError } from './errors.js';
import {
  checkRunRecord,
  readCancelRequest,
  SUPERVISOR_RECORD_SCHEMA_VERSION,
} from './record-check.js';

const test = testWithTempDir('runboard-check-');

const valid = {
  schemaVersion: 1,
  id: 'cdd/run_1',
  status: 'running',
  attempt: 2,
  command: ['python', 'train.py'],
  supervisorPid: 42,
  updatedAt: '2026-01-01T00:00:00.000Z',
  extra: { kept: true },
};

describe('checkRunRecord', () => {
  test('writes the schema version of the format', () => {
    expect(SUPERVISOR_RECORD_SCHEMA_VERSION).toBe(RUN_RECORD_SCHEMA_VERSION);
  });

  test('accepts what the schema accepts and keeps every field', () => {
    expect(runRecordSchema.safeParse(valid).success).toBe(true);
    expect(checkRunRecord('f', valid)).toEqual(valid);
    expect(checkRunRecord('f', { ...valid, command: 'sh -c x', supervisorPid: null }).command).toBe(
      'sh -c x',
    );
  });

  test.each([
    ['not an object', []],
    ['another schema version', { ...valid, schemaVersion: 2 }],
    ['no id', { ...valid, id: '' }],
    ['an unknown status', { ...valid, status: 'done' }],
    ['a fractional attempt', { ...valid, attempt: 1.5 }],
    ['an empty command', { ...valid, command: [] }],
    ['a command of numbers', { ...valid, command: [1] }],
    ['a bad supervisor pid', { ...valid, supervisorPid: 0 }],
  ])('rejects %s, as the schema does', (_name, value) => {
    expect(runRecordSchema.safeParse(value).success).toBe(false);
    expect(() => checkRunRecord('/runs/a/progress.json', value)).toThrow(InvalidRunRecordError);
    expect(() => checkRunRecord('/runs/a/progress.json', value)).toThrow('/runs/a/progress.json');
  });
});

describe('readCancelRequest', () => {
  test('finds nothing without control.json, and what requestCancel wrote', async ({ dir }) => {
    expect(await readCancelRequest(dir)).toBeUndefined();
    await requestCancel(dir, { requestedBy: 'dashboard' });
    const request = await readCancelRequest(dir);
    expect(request).toEqual((await readControlRequest(dir)).cancel);
    expect(request?.requestedBy).toBe('dashboard');
  });

  test('ignores other requests and malformed cancel entries; fails on broken JSON', async ({
    dir,
  }) => {
    const file = join(dir, RUN_FILES.control);
    writeFileSync(file, JSON.stringify({ pause: {}, cancel: { requestedAt: 5 } }));
    expect(await readCancelRequest(dir)).toBeUndefined();
    writeFileSync(file, '{"cancel": ');
    await expect(readCancelRequest(dir)).rejects.toMatchObject({ code: 'RUNBOARD_JSON_PARSE' });
  });
});
