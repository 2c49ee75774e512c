// Copying the mode and owner onto the replacement is best effort. No file system that refuses
// chmod (FAT, some FUSE and network mounts) can be mounted here, so these tests inject the
// refusal, and only that: `fchmod`/`fchown` throw the chosen code; every other step is real.
import type * as NodeFs from 'node:fs';
import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, vi } from 'vitest';
import { tempFilesIn, test } from '../test/test-utils.js';
import { JsonWriteError } from './errors.js';
import { writeJson, writeJsonSync } from './write-json.js';

const refuse = vi.hoisted(() => ({ fchmod: '', fchown: '' }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  const refused = (syscall: 'fchmod' | 'fchown') =>
    Object.assign(new Error(`${refuse[syscall]}: refused (injected), ${syscall}`), {
      code: refuse[syscall],
      syscall,
    });
  return {
    ...fs,
    fchmodSync: (...args: Parameters<typeof fs.fchmodSync>) => {
      if (refuse.fchmod) throw refused('fchmod');
      return fs.fchmodSync(...args);
    },
    fchownSync: (...args: Parameters<typeof fs.fchownSync>) => {
      if (refuse.fchown) throw refused('fchown');
      return fs.fchownSync(...args);
    },
  };
});

afterEach(() => {
  refuse.fchmod = '';
  refuse.fchown = '';
});

const isRoot = process.getuid?.() === 0;
const writers = [
  ['writeJson', writeJson],
  ['writeJsonSync', async (file: string, value: unknown) => writeJsonSync(file, value)],
] as const;

describe.each(writers)('%s on a file system that refuses chmod or chown', (_name, write) => {
  test.for(['EPERM', 'EINVAL', 'ENOSYS', 'ENOTSUP'])(
    'writes anyway when fchmod fails with %s',
    async (code, { dir }) => {
      const file = join(dir, 'progress.json');
      writeFileSync(file, '{}', { mode: 0o600 });
      refuse.fchmod = code;
      await write(file, { v: 1 });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 1 });
      expect(tempFilesIn(dir)).toEqual([]);
    },
  );

  test.runIf(isRoot).for(['EPERM', 'EINVAL', 'ENOSYS', 'ENOTSUP'])(
    'writes anyway when fchown fails with %s (as root, replacing a file of another owner)',
    async (code, { dir }) => {
      const file = join(dir, 'progress.json');
      writeFileSync(file, '{}');
      chownSync(file, 4321, 4322);
      refuse.fchown = code;
      await write(file, { v: 2 });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 2 });
      expect(statSync(file).uid).toBe(0);
    },
  );

  test('still fails on any other error, the target untouched', async ({ dir }) => {
    const file = join(dir, 'progress.json');
    writeFileSync(file, '{"v": 0}');
    refuse.fchmod = 'EIO';
    const error = await write(file, { v: 3 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JsonWriteError);
    expect(error).toMatchObject({ systemCode: 'EIO', syscall: 'fchmod' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 0 });
    expect(tempFilesIn(dir)).toEqual([]);
  });
});
