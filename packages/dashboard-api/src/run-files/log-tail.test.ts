import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test as base } from '../../test/test-utils.js';
import { MAX_LOG_BYTES, readLog } from './log-tail.js';

/** `log`: the path of a `run.log` in a fresh folder (not created). */
const test = base.extend<{ log: string }>({
  log: async ({ root }, use) => use(join(root, 'run.log')),
});

describe('readLog', () => {
  test('gives the last lines and where they start and end', async ({ log: file }) => {
    await writeFile(file, 'one\ntwo\nthree\nfour\n');
    const chunk = await readLog(file, { tail: 2 });
    expect(chunk).toEqual({
      text: 'three\nfour\n',
      start: 8,
      end: 19,
      size: 19,
      exists: true,
      reset: false,
    });
    expect((await readLog(file, { tail: 10 })).text).toBe('one\ntwo\nthree\nfour\n');
    expect((await readLog(file, { tail: 0 })).text).toBe('');
  });

  test('counts an unterminated last line (a progress bar being drawn) as a line', async ({
    log: file,
  }) => {
    await writeFile(file, 'a\nb\n 45%|████▌ | 45/100');
    expect((await readLog(file, { tail: 2 })).text).toBe('b\n 45%|████▌ | 45/100');
  });

  test('follows a growing log from an offset, and starts over when it was truncated', async ({
    log: file,
  }) => {
    await writeFile(file, 'first\n');
    const first = await readLog(file, { tail: 100 });
    await writeFile(file, 'first\nsecond\n');
    const next = await readLog(file, { from: first.end });
    expect(next).toMatchObject({ text: 'second\n', start: 6, end: 13, reset: false });
    await writeFile(file, 'new\n');
    expect(await readLog(file, { from: next.end })).toMatchObject({
      text: 'new\n',
      start: 0,
      reset: true,
    });
  });

  test('reads at most 1 MiB, dropping the partial first line', async ({ log: file }) => {
    const line = `${'x'.repeat(99)}\n`;
    await writeFile(file, line.repeat(30_000)); // 3 MB
    const chunk = await readLog(file, { tail: 100_000 });
    expect(chunk.end - chunk.start).toBeLessThanOrEqual(MAX_LOG_BYTES);
    expect(chunk.text.length).toBeGreaterThan(MAX_LOG_BYTES - 200);
    expect(chunk.text.startsWith('x'.repeat(99))).toBe(true);
    expect(chunk.text.split('\n').every((piece) => piece === '' || piece.length === 99)).toBe(true);
    const followed = await readLog(file, { from: 0 });
    expect(followed.end).toBe(MAX_LOG_BYTES);
  });

  test('never splits a UTF-8 character at the 1 MiB bound', async ({ log: file }) => {
    // 'é' is 2 bytes: put one across the 1 MiB boundary of a read from 1.
    await writeFile(
      file,
      Buffer.concat([Buffer.from('a'), Buffer.from('é'.repeat(MAX_LOG_BYTES))]),
    );
    const chunk = await readLog(file, { from: 1 });
    expect(chunk.text).not.toContain('\uFFFD');
    expect(chunk.end - chunk.start).toBe(MAX_LOG_BYTES);
    const shifted = await readLog(file, { from: 0 });
    expect(shifted.text).not.toContain('\uFFFD');
    expect(shifted.end).toBe(MAX_LOG_BYTES - 1);
  });

  test('a missing log is empty, not an error', async ({ root }) => {
    expect(await readLog(join(root, 'run.log'))).toEqual({
      text: '',
      start: 0,
      end: 0,
      size: 0,
      exists: false,
      reset: false,
    });
  });

  test('refuses a symbolic link and a folder', async ({ root }) => {
    await writeFile(join(root, 'secret'), 'secret\n');
    await symlink(join(root, 'secret'), join(root, 'run.log'));
    await expect(readLog(join(root, 'run.log'))).rejects.toMatchObject({ code: 'ELOOP' });
    await mkdir(join(root, 'dir.log'));
    await expect(readLog(join(root, 'dir.log'))).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
