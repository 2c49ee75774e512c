import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { readAttemptOutcome, RUN_FILES } from '../src/run-folder/index.js';
import type { SupervisorResult } from '../src/index.js';
import {
  exitOf,
  nodeJob,
  readMetricsLines,
  readRecord,
  test,
  type SupervisorTestContext,
} from './supervisor-helpers.js';

/** The lines print-lines.mjs has printed so far. */
function printed(countFile: string): number {
  try {
    return Number(readFileSync(countFile, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

async function waitForLines(countFile: string, atLeast: number): Promise<void> {
  await expect
    .poll(() => printed(countFile), { timeout: 20_000, interval: 20, message: 'lines printed' })
    .toBeGreaterThanOrEqual(atLeast);
}

const LINE_BYTES = 100;

/** Waits until `outcome.json` says the job ended, and returns that outcome. */
async function waitForEnding(runDir: string) {
  return vi.waitFor(
    async () => {
      const outcome = await readAttemptOutcome(runDir);
      if (!outcome || outcome.status === 'running') throw new Error('the job has not ended');
      return outcome;
    },
    { timeout: 20_000, interval: 50 },
  );
}

/**
 * Runs print-lines.mjs (one line every 2 ms, `flags` added) under an in-process supervisor on
 * the small disk: fills the disk after 20 lines, frees it 200 lines later (a page of a file
 * may have had room left: well past it, output is being dropped), and stops the job 50 lines
 * after that. Resolves with the run folder, the result and the lines printed in all.
 */
async function printThroughFullDisk(
  { dir, smallDisk, supervise }: Pick<SupervisorTestContext, 'dir' | 'smallDisk' | 'supervise'>,
  flags: Record<string, true> = {},
): Promise<{ runDir: string; result: SupervisorResult; total: number }> {
  const runDir = join(smallDisk.dir, 'run');
  const countFile = join(dir, 'count');
  const stopFile = join(dir, 'stop');
  const running = supervise({
    runDir,
    heartbeatSeconds: 60,
    command: nodeJob('print-lines.mjs', {
      ...flags,
      'interval-ms': 2,
      'count-file': countFile,
      'stop-file': stopFile,
    }),
  });
  await waitForLines(countFile, 20);
  smallDisk.fill();
  await waitForLines(countFile, printed(countFile) + 200);
  smallDisk.free();
  await waitForLines(countFile, printed(countFile) + 50);
  writeFileSync(stopFile, '');
  const result = await running;
  return { runDir, result, total: printed(countFile) };
}

/**
 * Starts a real `runboard exec` on the small disk over fill-disk.mjs: a job that fills the
 * disk, prints `markers` progress lines, and exits 0.
 */
function startFillDiskJob(
  { smallDisk, startExec }: Pick<SupervisorTestContext, 'smallDisk' | 'startExec'>,
  markers = 0,
): { runDir: string; exec: ChildProcess } {
  const runDir = join(smallDisk.dir, 'run');
  const job = nodeJob('fill-disk.mjs', { dir: smallDisk.dir, markers });
  const exec = startExec(['--run-dir', runDir, '--quiet', '--', ...job], { stdio: 'ignore' });
  return { runDir, exec };
}

describe('superviseRun on a full disk (a real 2 MiB tmpfs)', () => {
  test('run.log resumes once space is freed, with a line saying how many bytes were dropped', async ({
    dir,
    smallDisk,
    supervise,
  }) => {
    const { runDir, result, total } = await printThroughFullDisk({ dir, smallDisk, supervise });

    expect(result.status).toBe('succeeded');
    const log = readFileSync(join(runDir, RUN_FILES.log), 'utf8');
    const lines = log.split('\n').slice(0, -1);
    const jobLines = lines.filter((line) => !line.startsWith('[runboard]'));
    // No line cut short or glued to another: every job line is whole.
    for (const line of jobLines) expect(line).toMatch(/^line \d{10} x{83}$/);
    const markers = lines.filter((line) => line.includes('bytes of output dropped'));
    expect(markers).toHaveLength(1);
    const match =
      /^\[runboard\] (\d+) bytes of output dropped: could not write .*run\.log from \S+ to \S+ \(ENOSPC\)$/.exec(
        markers[0],
      );
    expect(match).not.toBeNull();
    const dropped = Number(match?.[1]);
    expect(dropped).toBeGreaterThanOrEqual(100 * LINE_BYTES);
    expect(dropped % LINE_BYTES).toBe(0);
    // Every line printed is either in run.log or counted as dropped, and the log goes on after the gap.
    expect(jobLines.length + dropped / LINE_BYTES).toBe(total);
    expect(jobLines.at(-1)).toMatch(new RegExp(`^line ${String(total).padStart(10, '0')} `));
    expect(log.indexOf(markers[0])).toBeLessThan(log.lastIndexOf('line '));
    expect(readRecord(runDir)?.status).toBe('succeeded');
  });

  test('metrics.jsonl keeps whole lines only: none torn in the middle, the rest go on after', async ({
    dir,
    smallDisk,
    supervise,
  }) => {
    const { runDir, result, total } = await printThroughFullDisk(
      { dir, smallDisk, supervise },
      { marker: true },
    );

    expect(result.status).toBe('succeeded');
    const text = readFileSync(join(runDir, RUN_FILES.metrics), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    // Every line parses as a whole metrics line (a torn one would fail here).
    const counts = readMetricsLines(runDir).map((line) => line.current as number);
    expect(counts.length).toBeLessThan(total);
    expect(counts.at(-1)).toBe(total);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    // The gap is where the disk was full; lines before and after it are all there.
    const gapStart = counts.findIndex((count, index) => counts[index + 1] !== count + 1);
    expect(counts.slice(0, gapStart + 1)).toEqual(
      counts.slice(0, gapStart + 1).map((_, i) => i + 1),
    );
    expect(counts.slice(gapStart + 1)).toEqual(
      counts.slice(gapStart + 1).map((_, i) => counts[gapStart + 1] + i),
    );
    expect(readFileSync(join(runDir, RUN_FILES.log), 'utf8')).toMatch(
      /\[runboard\] metrics\.jsonl is written again; \d+ lines were dropped/,
    );
  });

  test('a job that succeeds on a full disk: the supervisor keeps trying and records it once space is freed', async ({
    smallDisk,
    startExec,
  }) => {
    const { runDir, exec } = startFillDiskJob({ smallDisk, startExec }, 3);
    const ended = await waitForEnding(runDir);
    // outcome.json knows (it needed no new blocks); progress.json cannot be written yet.
    expect(ended).toMatchObject({
      attempt: 1,
      supervisorPid: exec.pid,
      status: 'succeeded',
      exitCode: 0,
    });
    expect(readRecord(runDir)?.status).toBe('running');
    // Longer than the supervisor used to try (4 s): it must still be there, trying.
    await sleep(5000);
    expect(exec.exitCode).toBeNull();
    const trying = await readAttemptOutcome(runDir);
    expect(trying?.recordError).toMatch(/^ENOSPC .*progress\.json/);
    expect(Date.parse(trying?.updatedAt ?? '')).toBeGreaterThan(Date.parse(ended.updatedAt));
    smallDisk.free();
    expect(await exitOf(exec)).toEqual({ code: 0, signal: null });
    const record = readRecord(runDir);
    expect(record).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      error: null,
      finishedAt: ended.finishedAt,
      finalWriteError: { code: 'ENOSPC', file: expect.stringContaining(runDir) },
    });
    expect(record?.finalWriteError?.tries).toBeGreaterThanOrEqual(4);
    expect(Date.parse(record?.finalWriteError?.firstFailedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(ended.finishedAt ?? ''),
    );
    expect(await readAttemptOutcome(runDir)).toMatchObject({
      status: 'succeeded',
      recordError: null,
    });
  });

  test('when the supervisor dies before space is freed, outcome.json still tells how the attempt ended', async ({
    smallDisk,
    startExec,
  }) => {
    const { runDir, exec } = startFillDiskJob({ smallDisk, startExec });
    await waitForEnding(runDir);
    exec.kill('SIGKILL');
    await exitOf(exec);
    smallDisk.free();
    const record = readRecord(runDir);
    expect(record).toMatchObject({ status: 'running', attempt: 1, supervisorPid: exec.pid });
    // What a launcher judging this record finds: the same attempt and supervisor, and its end.
    expect(await readAttemptOutcome(runDir)).toMatchObject({
      attempt: record?.attempt,
      supervisorPid: record?.supervisorPid,
      host: record?.host,
      status: 'succeeded',
      exitCode: 0,
      signal: null,
      error: null,
      recordError: expect.stringMatching(/^ENOSPC/),
    });
  });
});
