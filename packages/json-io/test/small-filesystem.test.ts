import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { JsonWriteError } from '../src/errors.js';
import { writeJson, writeJsonSync } from '../src/write-json.js';
import {
  killChildren,
  outputOf,
  startFixture,
  tempFilesIn,
  test as testInDir,
} from './test-utils.js';

// A real, tiny tmpfs, so ENOSPC and EROFS come from the kernel rather than from a mock.
// Mounting needs root (CAP_SYS_ADMIN); elsewhere these tests are skipped with the reason.
const mountPoint = mkdtempSync(join(tmpdir(), 'json-io-tmpfs-'));
let notMounted: string | undefined = 'not mounted yet';

function mount(options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint], { stdio: 'pipe' });
}

beforeAll(() => {
  try {
    mount('size=64k,mode=0755');
    notMounted = undefined;
  } catch (error) {
    notMounted = `cannot mount a 64 KiB tmpfs here (${String((error as Error).message).split('\n')[0]})`;
  }
});

afterAll(() => {
  if (!notMounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

const writers = [
  ['writeJson', writeJson],
  ['writeJsonSync', async (file: string, value: unknown) => writeJsonSync(file, value)],
] as const;

describe.each(writers)('%s on a full or read-only file system', (name, write) => {
  const file = join(mountPoint, `${name}.json`);

  test('ENOSPC: typed error with the errno code, target untouched, temp file removed', async (context) => {
    if (notMounted) context.skip(notMounted);
    await write(file, { version: 1 });
    const error = await write(file, { version: 2, blob: 'x'.repeat(256 * 1024) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(JsonWriteError);
    expect(error).toMatchObject({ code: 'RUNBOARD_JSON_WRITE', systemCode: 'ENOSPC', file });
    expect((error as Error).message).toContain('ENOSPC');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1 });
    expect(tempFilesIn(mountPoint)).toEqual([]);
  });

  test('EROFS: typed error, target untouched', async (context) => {
    if (notMounted) context.skip(notMounted);
    await write(file, { version: 3 });
    mount('remount,ro');
    try {
      await expect(write(file, { version: 4 })).rejects.toMatchObject({
        name: 'JsonWriteError',
        systemCode: 'EROFS',
      });
    } finally {
      mount('remount,rw');
    }
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 3 });
  });
});

// Runs everywhere, root or not: a real kernel error in the middle of writing the temp file.
describe('a write that fails midway (EFBIG under a file size limit)', () => {
  afterEach(killChildren);

  testInDir(
    'writeJson and writeJsonSync: typed error, target untouched, temp file removed',
    { timeout: 30_000 },
    async ({ dir }) => {
      const file = join(dir, 'progress.json');
      // Files stop growing at 64 KiB; the second value is 256 KiB.
      const child = startFixture('write-past-limit.ts', [file, 256 * 1024], {
        fileSizeLimitKiB: 64,
      });
      const results = JSON.parse(await outputOf(child, 25_000));
      for (const result of results) {
        expect(result).toMatchObject({
          name: 'JsonWriteError',
          code: 'RUNBOARD_JSON_WRITE',
          systemCode: 'EFBIG',
          content: { version: 1 },
          tempFiles: [],
        });
        expect(result.message).toContain(file);
      }
    },
  );
});
