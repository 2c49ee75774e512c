import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { clearCancelRequest, readControlRequest, requestCancel } from './control-request.js';

const test = testWithTempDir('runboard-control-');

describe('cancel requests in control.json', () => {
  test('requestCancel writes control.json, never progress.json; the first request time stands', async ({
    dir,
  }) => {
    const first = await requestCancel(dir, {
      requestedBy: 'dashboard',
      now: new Date('2026-11-27T10:00:00Z'),
    });
    expect(first).toEqual({
      cancel: { requestedAt: '2026-11-27T10:00:00.000Z', requestedBy: 'dashboard' },
    });
    await requestCancel(dir, { now: new Date('2026-11-27T11:00:00Z') });
    expect(JSON.parse(await readFile(join(dir, 'control.json'), 'utf8'))).toEqual(first);
    await expect(stat(join(dir, 'progress.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('other requests in control.json are kept', async ({ dir }) => {
    await writeFile(
      join(dir, 'control.json'),
      JSON.stringify({ pause: { requestedAt: '2026-11-27T09:00:00Z' } }),
    );
    await requestCancel(dir);
    const control = await readControlRequest(dir);
    expect(control.pause).toEqual({ requestedAt: '2026-11-27T09:00:00Z' });
    expect(control.cancel?.requestedAt).toMatch(/^\d{4}-/);
  });

  test('readControlRequest gives {} without a control.json', async ({ dir }) => {
    expect(await readControlRequest(dir)).toEqual({});
  });

  test('clearCancelRequest removes only the cancel request, and writes nothing when there is none', async ({
    dir,
  }) => {
    expect(await clearCancelRequest(dir)).toBe(false);
    await expect(stat(join(dir, 'control.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(
      join(dir, 'control.json'),
      JSON.stringify({ note: 'keep', cancel: { requestedAt: '2026-11-27T09:00:00Z' } }),
    );
    expect(await clearCancelRequest(dir)).toBe(true);
    expect(await readControlRequest(dir)).toEqual({ note: 'keep' });
  });

  test('concurrent requests from many callers leave one valid request', async ({ dir }) => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        requestCancel(dir, { requestedBy: `caller-${index}` }),
      ),
    );
    const control = await readControlRequest(dir);
    expect(control.cancel?.requestedBy).toMatch(/^caller-\d+$/);
  });
});
