import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cancelSlurmJobsUnder, slurmSkipReason, testWithTempDir } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { runboard, startRunboard } from './support/launch-cli.js';

const skipReason = slurmSkipReason();
if (skipReason) console.log(`runboard status with Slurm skipped: ${skipReason}`);

const test = testWithTempDir('runboard-status-slurm-', cancelSlurmJobsUnder);

describe.skipIf(skipReason !== undefined)('runboard status on a Slurm launch', () => {
  test("shows a pending job's Slurm reason", { timeout: 60_000 }, async ({ dir }) => {
    const root = join(dir, 'logs');
    const plan = join(dir, 'plan.json');
    // `--hold`: the job stays pending, with Slurm's reason JobHeldUser.
    await writeFile(
      plan,
      JSON.stringify({
        root,
        executor: { kind: 'slurm', partition: 'gpu', extraArgs: ['--hold'] },
        runs: [{ id: 'held', command: ['true'] }],
      }),
    );
    const launcher = startRunboard(['launch', plan], { timeoutMs: 55_000 });
    try {
      await expect
        .poll(async () => (await runboard(['status', '--root', root])).stdout, {
          timeout: 30_000,
          interval: 500,
        })
        .toMatch(/^held +starting .*Slurm: JobHeldUser/m);
      const json = await runboard(['status', '--root', root, '--json']);
      const [run] = (JSON.parse(json.stdout) as { runs: Record<string, unknown>[] }).runs;
      expect(run).toMatchObject({
        id: 'held',
        status: 'starting',
        waiting: { reason: 'slurm', detail: 'JobHeldUser' },
        record: { executor: { kind: 'slurm', jobId: expect.stringMatching(/^\d+$/) } },
      });
    } finally {
      launcher.child.kill('SIGTERM');
      await launcher.result;
    }
  });
});
