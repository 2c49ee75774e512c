import { join } from 'node:path';
import { describeOrSkip } from '@runboard/test-kit';
import { expect } from 'vitest';
import { requestCancel } from '../src/index.js';
import { markJob, overlappingRuns, readMarks, readRecords, type Mark } from './launch-helpers.js';
import { HOSTS, runSshPlan, sshRun, sshSkipReason, sshTest as test } from './ssh-helpers.js';

const describeOnHosts = describeOrSkip(sshSkipReason(), 'SSH tests');

/** The most jobs each server had at once, replaying the mark log (servers from the records). */
function peakPerServer(marks: readonly Mark[], serverOf: (runId: string) => string | undefined) {
  const current = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const mark of marks) {
    const server = serverOf(mark.runId) ?? '?';
    const value = (current.get(server) ?? 0) + (mark.kind === 'start' ? 1 : -1);
    current.set(server, value);
    peak.set(server, Math.max(peak.get(server) ?? 0, value));
  }
  return peak;
}

describeOnHosts('SSH server pool', { timeout: 180_000 }, () => {
  test('a sweep spread over two hosts runs each run once, on a host that records its name', async ({
    dir,
  }) => {
    const { result, marks, records } = await runSshPlan(dir, {
      sweeps: [
        { id: 'sweep/run_{seed}', command: markJob(400), matrix: { seed: [1, 2, 3, 4, 5, 6] } },
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(records.size).toBe(6);
    for (const record of records.values()) {
      expect(record.status).toBe('succeeded');
      expect(record.attempt).toBe(1);
      expect(HOSTS).toContain(record.server);
      // The supervisor's hostname is its host's own (each simulated host has its UTS namespace).
      expect(record.host).toBe(record.server);
      expect(record.executor?.kind).toBe('ssh');
    }
    expect(new Set([...records.values()].map((record) => record.server))).toEqual(new Set(HOSTS));
    expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(6);
    expect(overlappingRuns(marks)).toEqual([]);
    const peak = peakPerServer(marks, (id) => records.get(id)?.server ?? undefined);
    for (const host of HOSTS) expect(peak.get(host)).toBeLessThanOrEqual(2);
  });

  test('a cancel request stops a remote run there', async ({ dir }) => {
    const root = join(dir, 'logs');
    const launched = runSshPlan(dir, { runs: [{ id: 'cancel/me', command: markJob(60_000) }] });
    await expect
      .poll(
        () => readMarks(join(dir, 'marks.log')).filter((mark) => mark.kind === 'start').length,
        {
          timeout: 60_000,
        },
      )
      .toBe(1);
    const started = readRecords(root).get('cancel/me')!;
    await requestCancel(join(root, 'cancel/me'));
    const { result, records, marks } = await launched;
    expect(result.exitCode).toBe(1);
    expect(records.get('cancel/me')).toMatchObject({ status: 'cancelled', server: started.server });
    expect(marks.map((mark) => mark.kind)).toEqual(['start', 'stopped']);
    // The job's process group is gone on its own host.
    expect(
      sshRun(started.server!, `kill -0 -- -${started.pid} 2>/dev/null && echo alive`).stdout,
    ).toBe('');
  });
});
