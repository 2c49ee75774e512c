import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { test } from '../test/test-utils.js';
import {
  isTempFileName,
  sweepTempFiles,
  sweepTempFilesSync,
  TEMP_FILE_PATTERN,
  tempPathFor,
} from './temp-files.js';
import { writeJson, writeJsonSync } from './write-json.js';

const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
const sleepers: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const sleeper of sleepers.splice(0)) sleeper.kill('SIGKILL');
});

function livePid(): number {
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  sleepers.push(sleeper);
  return sleeper.pid!;
}

/** A temp name as another writer would make it; `host` defaults to this host's tag. */
function tempName(target: string, pid: number, host?: string): string {
  const ours = basename(tempPathFor(target)).split('.');
  ours[ours.length - 4] = String(pid);
  if (host) ours[ours.length - 3] = host;
  return ours.join('.');
}

function touch(dir: string, name: string, ageMs = 0): string {
  const path = join(dir, name);
  writeFileSync(path, '{"partial":');
  if (ageMs) utimesSync(path, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
  return path;
}

describe('temp file names', () => {
  test('are unique, hidden, beside the target, and recognised', ({ dir }) => {
    const target = join(dir, 'progress.json');
    const names = new Set(Array.from({ length: 100 }, () => tempPathFor(target)));
    expect(names.size).toBe(100);
    for (const path of names) {
      expect(path.startsWith(join(dir, '.progress.json.'))).toBe(true);
      expect(isTempFileName(path)).toBe(true);
      expect(TEMP_FILE_PATTERN.exec(basename(path))?.[2]).toBe(String(process.pid));
    }
  });

  test('cut very long target names so the temp name stays valid', async ({ dir }) => {
    const target = join(dir, `${'x'.repeat(240)}.json`);
    expect(basename(tempPathFor(target)).length).toBeLessThan(255);
    await writeJson(target, { ok: true });
    expect(readdirSync(dir)).toEqual([basename(target)]);
  });

  test('are not confused with ordinary files', () => {
    for (const name of [
      'progress.json',
      'progress.json.tmp',
      '.progress.json.swp',
      'x.runboard-tmp',
    ]) {
      expect(isTempFileName(name)).toBe(false);
    }
  });
});

describe.each([
  ['sweepTempFiles', sweepTempFiles],
  [
    'sweepTempFilesSync',
    async (dir: string, options?: { staleAfterMs?: number }) => sweepTempFilesSync(dir, options),
  ],
])('%s', (_name, sweep) => {
  test('removes temp files of dead writers and of nobody else', async ({ dir }) => {
    const target = join(dir, 'progress.json');
    const orphan = touch(dir, tempName(target, deadPid));
    const otherOrphan = touch(dir, tempName(join(dir, 'control.json'), deadPid));
    const live = touch(dir, tempName(target, livePid()));
    const ours = touch(dir, tempName(target, process.pid));
    const foreignHost = touch(dir, tempName(target, deadPid, '00000000'));
    const plain = touch(dir, 'progress.json.tmp');
    const removed = await sweep(dir);
    expect(removed.sort()).toEqual([orphan, otherOrphan].sort());
    expect(
      readdirSync(dir)
        .map((name) => join(dir, name))
        .sort(),
    ).toEqual([live, ours, foreignHost, plain].sort());
  });

  test('removes stale temp files of other hosts and reused pids after staleAfterMs', async ({
    dir,
  }) => {
    const target = join(dir, 'progress.json');
    const foreignOld = touch(dir, tempName(target, 1234, 'abcdef01'), 2 * 60 * 60 * 1000);
    const liveOld = touch(dir, tempName(target, livePid()), 2 * 60 * 60 * 1000);
    const foreignNew = touch(dir, tempName(target, 1234, 'abcdef01'));
    expect((await sweep(dir)).sort()).toEqual([foreignOld, liveOld].sort());
    expect(await sweep(dir, { staleAfterMs: 0 })).toEqual([foreignNew]);
  });

  test('ignores a missing folder and rejects a bad staleAfterMs', async ({ dir }) => {
    expect(await sweep(join(dir, 'nope'))).toEqual([]);
    await expect(sweep(dir, { staleAfterMs: -1 })).rejects.toThrow(TypeError);
  });
});

describe.each([
  ['writeJson', writeJson],
  ['writeJsonSync', async (file: string, value: unknown) => writeJsonSync(file, value)],
])('%s sweeps', (_name, write) => {
  test("the target's orphaned temp files on every write, and only those", async ({ dir }) => {
    const target = join(dir, 'progress.json');
    await write(target, { n: 1 });
    touch(dir, tempName(target, deadPid));
    const otherOrphan = touch(dir, tempName(join(dir, 'control.json'), deadPid));
    const live = touch(dir, tempName(target, livePid()));
    await write(target, { n: 2 });
    expect(readdirSync(dir).sort()).toEqual(
      ['progress.json', basename(otherOrphan), basename(live)].sort(),
    );
  });

  test('in a large folder too (read in the thread pool)', async ({ dir }) => {
    const target = join(dir, 'progress.json');
    const others = Array.from(
      { length: 800 },
      (_, index) => `metrics-${index}-${'x'.repeat(40)}.json`,
    );
    for (const name of others) writeFileSync(join(dir, name), '{}');
    expect(statSync(dir).size).toBeGreaterThan(16 * 1024);
    touch(dir, tempName(target, deadPid));
    await write(target, { n: 1 });
    expect(readdirSync(dir).sort()).toEqual(['progress.json', ...others].sort());
  });
});
