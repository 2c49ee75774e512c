import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import { launch, loadPlan, readAttemptOutcome, type LaunchEvent } from '../src/index.js';
import { killRunProcesses, localExecutor, readRecords, writePlan } from './launch-helpers.js';
import { jobPath, test } from './supervisor-helpers.js';

/** Lines of `file`, none when it does not exist. */
function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('launch on a full disk (a real 2 MiB tmpfs)', () => {
  test('a job that succeeded while the disk was full, whose supervisor then died, is recorded succeeded from outcome.json and never run again', async ({
    dir,
    smallDisk,
  }) => {
    // The repro of issue 12 (plan with one retry, the job fills the disk and exits 0), with the
    // supervisor killed while it still retries its final write: the launcher alone must tell.
    const marks = join(dir, 'marks.log');
    const filler = join(smallDisk.dir, 'filler');
    const planFile = await writePlan(dir, {
      root: smallDisk.dir,
      retries: 1,
      heartbeatSeconds: 1,
      stalledAfterSeconds: 2,
      runs: [
        {
          id: 'once',
          command: `echo start >> '${marks}'; exec '${process.execPath}' '${jobPath('fill-disk.mjs')}' --dir '${smallDisk.dir}'`,
        },
      ],
    });
    const events: LaunchEvent[] = [];
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error('test timeout')), 40_000);
    const runDir = join(smallDisk.dir, 'once');
    try {
      const launched = launch({
        plan: await loadPlan(planFile),
        executor: await localExecutor(),
        signal: controller.signal,
        onEvent: (event) => events.push(event),
      });
      const ended = await vi.waitFor(
        async () => {
          const outcome = await readAttemptOutcome(runDir);
          // Ended, and the supervisor found it cannot write progress.json.
          if (outcome?.status !== 'succeeded' || !outcome.recordError)
            throw new Error('the job has not ended yet');
          return outcome;
        },
        { timeout: 20_000, interval: 50 },
      );
      process.kill(ended.supervisorPid, 'SIGKILL');
      // The launcher keeps failing to write while the disk is full: one warning, not a flood.
      await vi.waitFor(
        () => {
          const warning = events.find((event) => event.type === 'warning' && event.code);
          if (!warning) throw new Error('no warning yet');
        },
        { timeout: 10_000, interval: 50 },
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      unlinkSync(filler);
      const result = await launched;

      expect(result).toMatchObject({ completed: true, exitCode: 0 });
      expect(lines(marks)).toEqual(['start']);
      const record = readRecords(smallDisk.dir).get('once');
      expect(record).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        exitCode: 0,
        error: null,
        finishedAt: ended.finishedAt,
        finalWriteError: { code: 'ENOSPC', file: join(runDir, 'progress.json') },
      });
      expect(events.filter((event) => event.type === 'lost')).toEqual([]);
      const warnings = events.filter(
        (event): event is Extract<LaunchEvent, { type: 'warning' }> =>
          event.type === 'warning' && event.runId === 'once',
      );
      const failing = warnings.filter((event) => event.code && !event.cleared);
      expect(failing).toHaveLength(1);
      expect(failing[0]).toMatchObject({ code: 'ENOSPC' });
      const cleared = warnings.filter((event) => event.cleared);
      expect(cleared).toHaveLength(1);
      expect(cleared[0].failures).toBeGreaterThanOrEqual(2);
      expect(cleared[0].message).toMatch(/^cleared after \d+ failures: /);
      expect(warnings.map((event) => event.message)).toContainEqual(
        expect.stringMatching(/recorded succeeded from outcome\.json$/),
      );
    } finally {
      clearTimeout(timeout);
      controller.abort();
      killRunProcesses(smallDisk.dir);
    }
  });
});
