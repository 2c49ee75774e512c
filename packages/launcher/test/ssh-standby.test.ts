import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeOrSkip } from '@runboard/test-kit';
import { expect } from 'vitest';
import { overlappingRuns, markJob } from './launch-helpers.js';
import {
  runSshPlan,
  server,
  sshExecutor,
  standbysOn,
  sshSkipReason,
  sshTest as test,
  writeSshPlan,
} from './ssh-helpers.js';

const describeOnHosts = describeOrSkip(sshSkipReason(), 'SSH standby tests');

describeOnHosts('SSH standbys', { timeout: 120_000 }, () => {
  test('runs start on a standby waiting on their server, as its supervisor, with their own GPUs and variables', async ({
    dir,
  }) => {
    const plan = {
      servers: [await server(dir, 'gpu-a', { gpus: [0], maxRuns: 1, env: { FROM_SERVER: 'a' } })],
      runs: [1, 2, 3, 4, 5].map((index) => ({
        id: `standby/run_${index}`,
        // What the job saw of its variables, then the marks.
        command: `echo "$FROM_SERVER $FROM_RUN $CUDA_VISIBLE_DEVICES" > ${join(dir, `env-${index}`)} && exec ${markJob(300).join(' ')}`,
        env: { FROM_RUN: String(index) },
      })),
    };
    const executor = await sshExecutor(await writeSshPlan(dir, plan));
    const { result, events, marks, records } = await runSshPlan(dir, plan, { executor });

    expect(result.exitCode).toBe(0);
    // Every run found a standby there: the launch starts one before its first run, and
    // another after each start (one still coming up takes the run as well).
    expect(executor.standbys.started).toBe(5);
    expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(5);
    expect(overlappingRuns(marks)).toEqual([]);
    for (const mark of marks) expect(mark.gpus).toBe('0');
    for (const index of [1, 2, 3, 4, 5])
      expect(readFileSync(join(dir, `env-${index}`), 'utf8')).toBe(`a ${index} 0\n`);
    for (const event of events.filter((event) => event.type === 'started')) {
      // The standby's pid is the supervisor's: probes follow the run by it.
      expect(records.get(event.runId)).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        server: 'gpu-a',
        host: 'gpu-a',
        supervisorPid: event.pid,
      });
    }
    // The launch is over: the last standby was dismissed and has exited.
    await expect.poll(() => standbysOn('gpu-a'), { timeout: 10_000 }).toBe('');
  });

  test('two runs of a server that end together both start on standbys', async ({ dir }) => {
    const { result, marks, executor } = await runSshPlan(dir, {
      servers: [await server(dir, 'gpu-a', { gpus: [0, 1], maxRuns: 2 })],
      runs: [1, 2, 3, 4, 5, 6].map((index) => ({
        id: `pair/run_${index}`,
        // Each pair starts together, so it ends together.
        command: markJob(300, '--wait-for-starts', String(2 * Math.ceil(index / 2))),
      })),
    });
    expect(result.exitCode).toBe(0);
    expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(6);
    expect(executor.standbys.started).toBe(6);
  });

  test('a server whose runboard has no standby is said once and started cold', async ({ dir }) => {
    const { result, events, records, executor } = await runSshPlan(dir, {
      servers: [await server(dir, 'gpu-b', { maxRuns: 1, env: { RB_NO_STANDBY: '1' } })],
      runs: [1, 2, 3, 4, 5, 6].map((index) => ({ id: `cold/run_${index}`, command: markJob(100) })),
    });
    expect(result.exitCode).toBe(0);
    expect([...records.values()].map((record) => record.status)).toEqual(
      Array(6).fill('succeeded'),
    );
    expect(executor.standbys.started).toBe(0);
    const warnings = events.filter(
      (event) => event.type === 'warning' && /runboard standby/.test(event.message),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      message: expect.stringMatching(
        /server gpu-b: .*unknown command 'standby'.*without a standby/,
      ),
    });
  });
});
