import { describeOrSkip } from '@runboard/test-kit';
import { expect } from 'vitest';
import { launch, loadPlan, type LaunchEvent } from '../src/index.js';
import {
  launchAndCollect,
  markJob,
  overlappingRuns,
  readMarks,
  readRecords,
  type Mark,
} from './launch-helpers.js';
import { join } from 'node:path';
import {
  killHost,
  server,
  sshExecutor,
  sshSkipReason,
  standbysOn,
  sshTest as test,
  HOSTS,
  startHost,
  startSshLauncher,
  writeSshPlan,
} from './ssh-helpers.js';

// gpu-c is this file's own host: killing it does not disturb the other files' hosts.
const describeOnHosts = describeOrSkip(
  sshSkipReason() ?? (process.getuid?.() === 0 ? startHost('gpu-c', '127.0.0.4') : 'not root'),
  'SSH failure tests',
);

const warnings = (events: readonly LaunchEvent[], pattern: RegExp) =>
  events.filter((event) => event.type === 'warning' && pattern.test(event.message));

/**
 * The marks with the job of `runId` that was running on the dead host closed where the host
 * died: a SIGKILLed job writes no end mark (and its start may or may not have been logged).
 */
const closedByDeath = (marks: readonly Mark[], marksAtDeath: number, runId: string): Mark[] => {
  const before = marks.slice(0, marksAtDeath);
  // Hosts have their own pid namespaces: a pid names a job only together with its run.
  const job = (mark: Mark) => `${mark.runId} ${mark.pid}`;
  const ended = new Set(before.filter((mark) => mark.kind !== 'start').map(job));
  const died = before
    .filter((mark) => mark.runId === runId && mark.kind === 'start' && !ended.has(job(mark)))
    .map((mark): Mark => ({ ...mark, kind: 'stopped' }));
  return [...before, ...died, ...marks.slice(marksAtDeath)];
};

describeOnHosts('SSH server failures', () => {
  test(
    'a server that dies mid-plan leaves scheduling with one warning, its run is retried elsewhere, and it comes back',
    { timeout: 240_000 },
    async ({ dir }) => {
      const file = await writeSshPlan(dir, {
        stalledAfterSeconds: 6,
        retries: 1,
        servers: [
          await server(dir, 'gpu-a', { maxRuns: 1 }),
          await server(dir, 'gpu-c', { maxRuns: 1 }),
        ],
        sweeps: [
          {
            id: 'down/run_{seed}',
            command: markJob(3000),
            matrix: { seed: [1, 2, 3, 4, 5, 6, 7, 8] },
          },
        ],
      });
      const executor = await sshExecutor(file);
      const events: LaunchEvent[] = [];
      const launched = launch({
        plan: await loadPlan(file),
        executor,
        onEvent: (event) => events.push(event),
      });
      const root = join(dir, 'logs');
      const onC = () =>
        [...readRecords(root).values()].find(
          (record) => record.server === 'gpu-c' && record.status === 'running',
        );
      await expect.poll(onC, { timeout: 60_000 }).toBeDefined();
      const killed = onC()!;
      const markLog = join(dir, 'marks.log');
      killHost('gpu-c');
      // Nothing on gpu-c writes after this; the retry elsewhere starts seconds later.
      const marksAtDeath = readMarks(markLog).length;
      await expect
        .poll(() => warnings(events, /server gpu-c is out of scheduling/).length, {
          timeout: 30_000,
        })
        .toBe(1);
      expect(startHost('gpu-c', '127.0.0.4')).toBeUndefined();
      const backAt = Date.now();
      await expect
        .poll(() => warnings(events, /server gpu-c answers again/).length, { timeout: 60_000 })
        .toBe(1);
      const result = await launched;
      await executor.shutdown();

      expect(result.exitCode).toBe(0);
      expect(warnings(events, /server gpu-c is out of scheduling/)).toHaveLength(1);
      const records = readRecords(root);
      const retried = records.get(killed.id)!;
      expect(retried).toMatchObject({ status: 'succeeded', attempt: 2 });
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'lost', runId: killed.id, attempt: 1 }),
      );
      expect(overlappingRuns(closedByDeath(readMarks(markLog), marksAtDeath, killed.id))).toEqual(
        [],
      );
      // Back in scheduling: runs started there after it answered again.
      const laterOnC = [...records.values()].filter(
        (record) => record.server === 'gpu-c' && Date.parse(record.startedAt ?? '') > backAt,
      );
      expect(laterOnC.length).toBeGreaterThan(0);
    },
  );

  test(
    'a launcher killed with SIGKILL and started again adopts remote runs without starting them again',
    { timeout: 120_000 },
    async ({ dir }) => {
      const file = await writeSshPlan(dir, {
        sweeps: [
          {
            id: 'adopt/run_{seed}',
            command: markJob(5000, '--wait-for-starts', '4'),
            matrix: { seed: [1, 2, 3, 4] },
          },
        ],
      });
      const root = join(dir, 'logs');
      const first = await startSshLauncher(file);
      await expect
        .poll(
          () =>
            [...readRecords(root).values()].filter((record) => record.status === 'running').length,
          { timeout: 60_000 },
        )
        .toBe(4);
      first.child.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

      const second = await startSshLauncher(file);
      expect(await second.exited, second.stderr()).toEqual({ code: 0, signal: null });
      const events = second.events;
      expect(events.filter((event) => event.type === 'adopted')).toHaveLength(4);
      expect(events.filter((event) => event.type === 'started')).toHaveLength(0);
      const marks = readMarks(join(dir, 'marks.log'));
      expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(4);
      for (const record of readRecords(root).values())
        expect(record).toMatchObject({ status: 'succeeded', attempt: 1 });
      // The killed launcher's standbys lost their channel with it, and exited.
      for (const host of HOSTS) await expect.poll(() => standbysOn(host)).toBe('');
    },
  );

  test(
    'a start that cannot reach its server puts the run back in the queue without spending an attempt',
    { timeout: 60_000 },
    async ({ dir }) => {
      const file = await writeSshPlan(dir, {
        servers: [
          await server(dir, 'gpu-c', { maxRuns: 1 }),
          await server(dir, 'gpu-a', { maxRuns: 1 }),
        ],
        runs: [1, 2].map((index) => ({ id: `unreached/run_${index}`, command: markJob(300) })),
      });
      // Probed once, at the start; the host dies before any run starts there, and no probe
      // comes in the test's time to say so: the start itself finds out.
      const executor = await sshExecutor(file, { probeIntervalMs: 600_000 });
      killHost('gpu-c');
      try {
        const { result, events, records } = await launchAndCollect(dir, {
          plan: await loadPlan(file),
          executor,
        });
        expect(result.exitCode).toBe(0);
        const requeued = warnings(events, /could not reach gpu-c .*queued again/);
        expect(requeued).toHaveLength(1);
        const runId = (requeued[0] as { runId: string }).runId;
        // Its one attempt (the plan has no retries) is still there after the failed start.
        expect(records.get(runId)).toMatchObject({
          status: 'succeeded',
          server: 'gpu-a',
          attempt: 2,
          firstAttempt: 2,
        });
        expect(warnings(events, /server gpu-c is out of scheduling/)).toHaveLength(1);
        for (const record of records.values()) expect(record.server).toBe('gpu-a');
      } finally {
        await executor.shutdown();
        expect(startHost('gpu-c', '127.0.0.4')).toBeUndefined();
      }
    },
  );
});
