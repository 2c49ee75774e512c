import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { makeRecord, test, writeRun } from '../../test/test-utils.js';
import { readRecordAsync, readRecordNow, recordHash } from './read-record-now.js';

// The synchronous read (walks) and the asynchronous one (events) answer alike.
describe.for([
  ['readRecordNow', async (file: string) => readRecordNow(file)],
  ['readRecordAsync', readRecordAsync],
] as const)('%s', ([, read]) => {
  test('reads a valid record with the identity of the file read and a hash of its text', async ({
    root,
  }) => {
    const record = await writeRun(root, 'sweep/a', { progress: { current: 3, total: 10 } });
    const file = join(root, 'sweep', 'a', 'progress.json');
    const got = await read(file);
    const stats = await stat(file);
    expect(got?.record).toEqual(record);
    expect(got?.stamp).toEqual({
      ino: stats.ino,
      size: stats.size,
      mtimeMs: stats.mtimeMs,
      ctimeMs: stats.ctimeMs,
    });
    expect(got?.hash).toBe(recordHash(await readFile(file, 'utf8')));
  });

  test('leaves everything but a valid regular file to the retrying read', async ({
    root,
    outside,
  }) => {
    const cases: Record<string, (file: string) => Promise<void>> = {
      missing: async () => {},
      empty: (file) => writeFile(file, ''),
      torn: (file) => writeFile(file, '{"schemaVersion": 1, "id": "x", "sta'),
      invalid: (file) => writeFile(file, JSON.stringify({ ...makeRecord('x'), status: 'done' })),
      folder: (file) => mkdir(file),
      link: async (file) => {
        await writeRun(outside, 'target');
        await symlink(join(outside, 'target', 'progress.json'), file);
      },
      fifo: async (file) => {
        execFileSync('mkfifo', [file]);
      },
    };
    for (const [name, make] of Object.entries(cases)) {
      await mkdir(join(root, name));
      const file = join(root, name, 'progress.json');
      await make(file);
      expect([name, await read(file)]).toEqual([name, undefined]);
    }
  });
});
