import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { isProcessAlive } from '@runboard/locking';
import { writeTestRecord } from '@runboard/test-kit';
import { RUN_RECORD_SCHEMA_VERSION } from '../src/index.js';
import {
  markJob,
  overlappingRuns,
  peakJobsPerGpu,
  readMarks,
  readRecords,
  runPlan,
  startLauncher,
  test,
  writePlan,
  type LauncherProcess,
} from './launch-helpers.js';

/** A seeded generator, so a failing round can be replayed (the seed is in the test's message). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

async function kill9(launcher: LauncherProcess): Promise<void> {
  launcher.child.kill('SIGKILL');
  await launcher.exited;
}

describe('launcher restarts', () => {
  test('kill -9 the launcher at random moments and restart: every run ends once, none ran twice at a time, GPUs never shared', async ({
    dir,
  }) => {
    const seed = Number(process.env.RUNBOARD_TEST_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const marks = join(dir, 'marks.log');
    const runs = Array.from({ length: 8 }, (_, index) => ({
      id: `sweep/run_${index}`,
      command: markJob(
        300 + Math.floor(next() * 500),
        // Every third run fails once, then its retry succeeds.
        ...(index % 3 === 0 ? ['--fail-times', '1', '--state', join(dir, `state-${index}`)] : []),
      ),
    }));
    const planFile = await writePlan(dir, {
      gpus: [0, 1],
      retries: 1,
      heartbeatSeconds: 1,
      stalledAfterSeconds: 10,
      runs,
    });
    const env = { MARK_LOG: marks };

    const kills: number[] = [];
    for (let round = 0; round < 4; round++) {
      const launcher = await startLauncher(planFile, env);
      const wait = 300 + Math.floor(next() * 1500);
      kills.push(wait);
      await Promise.race([sleep(wait), launcher.exited]);
      await kill9(launcher);
    }
    const last = await startLauncher(planFile, env);
    const exit = await Promise.race([last.exited, sleep(60_000).then(() => ({ code: 'timeout' }))]);
    const context = `seed ${seed}, kills after ${kills.join(', ')} ms; stderr: ${last.stderr()}`;
    expect(exit, context).toEqual({ code: 0, signal: null });

    const records = readRecords(join(dir, 'logs'));
    const log = readMarks(marks);
    expect(
      [...records.values()].map((record) => record.status),
      context,
    ).toEqual(Array(8).fill('succeeded'));
    expect(overlappingRuns(log), context).toEqual([]);
    for (const [index, run] of runs.entries()) {
      const starts = log.filter((mark) => mark.kind === 'start' && mark.runId === run.id).length;
      expect(starts, `${run.id}; ${context}`).toBe(index % 3 === 0 ? 2 : 1);
    }
    expect(Math.max(...peakJobsPerGpu(log).values()), context).toBe(1);
    const result = last.events.find((event) => event.type === 'result');
    expect(result, context).toMatchObject({ completed: true, exitCode: 0, succeeded: 8 });
  }, 120_000);

  test('SIGTERM stops new starts and exits; the running run goes on and the next launcher adopts it', async ({
    dir,
  }) => {
    const marks = join(dir, 'marks.log');
    const planFile = await writePlan(dir, {
      concurrency: 1,
      heartbeatSeconds: 1,
      runs: [
        { id: 'first', command: markJob(1500) },
        { id: 'second', command: markJob(50) },
      ],
    });
    const launcher = await startLauncher(planFile, { MARK_LOG: marks });
    await expect
      .poll(() => readRecords(join(dir, 'logs')).get('first')?.status, { timeout: 20_000 })
      .toBe('running');
    launcher.child.kill('SIGTERM');
    expect(await launcher.exited).toEqual({ code: 130, signal: null });
    expect(launcher.events.find((event) => event.type === 'result')).toMatchObject({
      completed: false,
      unfinished: 2,
    });
    expect(readRecords(join(dir, 'logs')).get('second')?.status).toBe('queued');

    const again = await startLauncher(planFile, { MARK_LOG: marks });
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(
      again.events.filter((event) => event.type === 'adopted').map((event) => event.runId),
    ).toEqual(['first']);
    const log = readMarks(marks);
    expect(log.filter((mark) => mark.kind === 'start').map((mark) => mark.runId)).toEqual([
      'first',
      'second',
    ]);
  }, 60_000);

  test('a run whose supervisor died while no launcher ran is recorded lost; its orphaned job is stopped before the retry', async ({
    dir,
  }) => {
    const marks = join(dir, 'marks.log');
    const root = join(dir, 'logs');
    const planFile = await writePlan(dir, {
      retries: 1,
      heartbeatSeconds: 1,
      runs: [{ id: 'victim', command: markJob(4000) }],
    });
    const launcher = await startLauncher(planFile, { MARK_LOG: marks });
    await expect.poll(() => readMarks(marks).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await kill9(launcher);
    // Only the supervisor dies (a crash, an OOM kill): its job runs on in its own process group.
    const first = readRecords(root).get('victim')!;
    process.kill(first.supervisorPid!, 'SIGKILL');
    await expect.poll(() => isProcessAlive(first.supervisorPid!)).toBe(false);

    const again = await startLauncher(planFile, { MARK_LOG: marks });
    expect(await again.exited, again.stderr()).toEqual({ code: 0, signal: null });
    expect(readRecords(root).get('victim')).toMatchObject({ status: 'succeeded', attempt: 2 });
    const log = readMarks(marks);
    expect(log.map((mark) => [mark.kind, mark.pid === first.pid])).toEqual([
      ['start', true],
      ['stopped', true],
      ['start', false],
      ['end', false],
    ]);
    expect(overlappingRuns(log)).toEqual([]);
  }, 60_000);

  test('a claim left by a dead launcher is taken over without using up an attempt', async ({
    dir,
  }) => {
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) =>
      dead.once('exit', () => resolve(dead.pid!)),
    );
    const now = new Date().toISOString();
    await writeTestRecord(join(dir, 'logs'), {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      id: 'orphan',
      status: 'starting',
      attempt: 1,
      maxAttempts: 1,
      command: markJob(50),
      launcher: { host: hostname(), pid: deadPid },
      gpus: [],
      updatedAt: now,
    });
    const { result, records } = await runPlan(dir, {
      heartbeatSeconds: 1,
      runs: [{ id: 'orphan', command: markJob(50) }],
    });
    expect(result).toMatchObject({ exitCode: 0, succeeded: 1 });
    expect(records.get('orphan')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      firstAttempt: 2,
      maxAttempts: 2,
    });
  }, 60_000);

  test('two launchers on one root start every run exactly once', async ({ dir }) => {
    const marks = join(dir, 'marks.log');
    const runs = Array.from({ length: 8 }, (_, index) => ({
      id: `pair/run_${index}`,
      command: markJob(200),
    }));
    const planFile = await writePlan(dir, { concurrency: 3, heartbeatSeconds: 1, runs });
    const [one, two] = await Promise.all([
      startLauncher(planFile, { MARK_LOG: marks }),
      startLauncher(planFile, { MARK_LOG: marks }),
    ]);
    const exits = await Promise.all([one.exited, two.exited]);
    expect(exits, one.stderr() + two.stderr()).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    const log = readMarks(marks);
    for (const run of runs) {
      expect(
        log.filter((mark) => mark.kind === 'start' && mark.runId === run.id),
        run.id,
      ).toHaveLength(1);
    }
    expect(overlappingRuns(log)).toEqual([]);
    const startedBy = [one, two].map(
      (launcher) => launcher.events.filter((event) => event.type === 'started').length,
    );
    expect(startedBy[0] + startedBy[1]).toBe(8);
  }, 60_000);
});
