import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { makeTempDir, removeTempDir } from '@runboard/test-kit';
import { afterEach, expect, test } from 'vitest';
import { SYSTEM_CHROMIUM, extractNpmChromium, resolveChromium } from './support/chromium-binary.js';

const savedTmpdir = process.env['TMPDIR'];
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmpdir;
});

test('by default the browser is the npm one, extracted under the temp folder, not the system one', async () => {
  const chromium = await resolveChromium({});
  expect(chromium).toMatchObject({ ok: true, source: 'npm' });
  const path = chromium.ok ? chromium.executablePath : '';
  expect(path).toMatch(/\/runboard-chromium-[\d.]+-\w+\/chromium$/);
  expect(path.startsWith(tmpdir())).toBe(true);
  expect(existsSync(path)).toBe(true);
  expect(await resolveChromium({ RUNBOARD_CHROMIUM: 'npm' })).toEqual(chromium);
});

test('RUNBOARD_CHROMIUM=system picks Debian’s, a path picks that binary, and a missing one says why', async () => {
  expect(await resolveChromium({ RUNBOARD_CHROMIUM: 'system' })).toEqual(
    existsSync(SYSTEM_CHROMIUM)
      ? { ok: true, executablePath: SYSTEM_CHROMIUM, source: 'system' }
      : {
          ok: false,
          source: 'system',
          problem: `RUNBOARD_CHROMIUM=system: there is no Chromium at ${SYSTEM_CHROMIUM} (apt-get install chromium); unset it to use the npm one`,
        },
  );
  expect(await resolveChromium({ RUNBOARD_CHROMIUM: process.execPath })).toEqual({
    ok: true,
    executablePath: process.execPath,
    source: 'path',
  });
  expect(await resolveChromium({ RUNBOARD_CHROMIUM: '/nowhere/chrome' })).toEqual({
    ok: false,
    source: 'path',
    problem:
      'RUNBOARD_CHROMIUM=/nowhere/chrome: there is no Chromium at /nowhere/chrome; unset it to use the npm one',
  });
});

test('extractions that race end with one complete binary and no leftovers', async () => {
  const reference = await resolveChromium({});
  if (!reference.ok) throw new Error(reference.problem);
  const folder = await makeTempDir('runboard-chromium-race-');
  try {
    process.env['TMPDIR'] = folder;
    const paths = await Promise.all([extractNpmChromium(), extractNpmChromium()]);
    expect(paths[0]).toBe(paths[1]);
    expect(paths[0]!.startsWith(folder)).toBe(true);
    expect((await stat(paths[0]!)).size).toBe((await stat(reference.executablePath)).size);
    expect(await readdir(folder)).toEqual([paths[0]!.split('/').at(-2)]);
    // Once there, it is used as it is.
    expect(await extractNpmChromium()).toBe(paths[0]);
  } finally {
    await removeTempDir(folder);
  }
}, 60_000);
