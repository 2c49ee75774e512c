import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeJson } from '@runboard/json-io';
import { describe, expect } from 'vitest';
import {
  launch,
  loadPlan,
  RUN_RECORD_SCHEMA_VERSION,
  type Executor,
  type LaunchEvent,
  type RunRecord,
} from '../src/index.js';
import { localExecutor, markJob, readRecords, test, writePlan } from './launch-helpers.js';

/** Above Linux's largest `pid_max`: a supervisor that is surely gone. */
const GONE_PID = 5_000_000;

describe('judging records', () => {
  test('a record that keeps changing while it is judged: a warning names the run and the last decision, and the run is judged again later', async ({
    dir,
  }) => {
    const planFile = await writePlan(dir, {
      heartbeatSeconds: 1,
      retries: 1,
      runs: [{ id: 'contested', command: markJob(50) }],
    });
    const progressFile = join(dir, 'logs', 'contested', 'progress.json');
    const now = new Date().toISOString();
    const running = (supervisorPid: number): RunRecord => ({
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      id: 'contested',
      status: 'running',
      attempt: 1,
      maxAttempts: 2,
      command: markJob(50),
      host: hostname(),
      supervisorPid,
      pid: supervisorPid,
      startedAt: now,
      heartbeatAt: now,
      updatedAt: now,
    });
    await writeJson(progressFile, running(GONE_PID));
    // Another writer gets in between every judgement and its compare-and-set: each time the run
    // is about to be recorded lost, a new (also gone) supervisor has written the record.
    let interfering = true;
    let supervisors = 0;
    const local = await localExecutor();
    const executor: Executor = {
      ...local,
      async stopOrphanedJob(record, runDir) {
        if (interfering) await writeJson(progressFile, running(GONE_PID + ++supervisors));
        return local.stopOrphanedJob(record, runDir);
      },
    };
    const events: LaunchEvent[] = [];
    const result = await launch({
      plan: await loadPlan(planFile),
      executor,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'warning') interfering = false;
      },
    });

    expect(events.filter((event) => event.type === 'warning')).toEqual([
      {
        type: 'warning',
        runId: 'contested',
        message:
          'record kept changing during 8 rounds of judging (last decision: lost); looking at it again later',
      },
    ]);
    // Judged again once the record holds still: lost once, retried, succeeded.
    expect(events.filter((event) => event.type === 'lost')).toHaveLength(1);
    expect(result).toMatchObject({ completed: true, exitCode: 0, succeeded: 1 });
    expect(readRecords(join(dir, 'logs')).get('contested')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
    });
  });
});
