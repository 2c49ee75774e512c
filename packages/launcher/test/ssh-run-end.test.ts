import { describeOrSkip } from '@runboard/test-kit';
import { expect } from 'vitest';
import { markJob } from './launch-helpers.js';
import {
  runSshPlan,
  server,
  sshExecutor,
  sshSkipReason,
  sshTest as test,
  writeSshPlan,
} from './ssh-helpers.js';

const describeOnHosts = describeOrSkip(sshSkipReason(), 'SSH tests');

describeOnHosts('the end of a remote run', () => {
  test(
    'is read from its record on the shared root, not left to the next probe of its host',
    { timeout: 60_000 },
    async ({ dir }) => {
      // One probe at the start, the next a minute later: only the records can tell the ends.
      const plan = {
        servers: [await server(dir, 'gpu-a', { maxRuns: 1 })],
        runs: [1, 2, 3].map((index) => ({ id: `end/run_${index}`, command: markJob(100) })),
      };
      const file = await writeSshPlan(dir, plan);
      const executor = await sshExecutor(file, { probeIntervalMs: 60_000 });
      const started = Date.now();
      const { result, records } = await runSshPlan(dir, plan, { executor });
      expect(result.exitCode).toBe(0);
      expect([...records.values()].map((record) => record.status)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
      // Three runs one after the other, each ended long before a second probe could come.
      expect(Date.now() - started).toBeLessThan(45_000);
    },
  );
});
