import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { writeServerPool } from '@runboard/launcher';
import type { ResolvedServer } from '@runboard/launcher';
import { installFakeNvidiaSmi } from '@runboard/test-kit';
import type { NvidiaSmiScenario } from '@runboard/test-kit';
import { row, test, useBrowser } from './support/page-test.js';
import { writeRun } from './support/run-folders.js';

/** tools/ci/start-sshd.sh's simulated hosts gpu-a (127.0.0.2) and gpu-b (127.0.0.3). */
const SSH_CONFIG = join(process.env.RUNBOARD_SSH_CI ?? '/tmp/runboard-ssh-ci', 'ssh_config');
/** Several queries over ssh on a loaded machine, then the page. */
const POOL_SHOWN_MS = 30_000;

function ssh(host: string, command: string): { status: number | null; stdout: string } {
  const result = spawnSync('ssh', ['-F', SSH_CONFIG, host, command], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout ?? '' };
}

function sshSkipReason(): string | undefined {
  if (!existsSync(SSH_CONFIG)) return `${SSH_CONFIG} is missing (run tools/ci/start-sshd.sh)`;
  for (const host of ['gpu-a', 'gpu-b'])
    if (ssh(host, 'hostname').stdout.trim() !== host)
      return `simulated host ${host} does not answer (run tools/ci/start-sshd.sh)`;
  return undefined;
}

/** A pool server on a simulated host whose fake `nvidia-smi` answers `scenario`. */
async function fakeGpuServer(
  dir: string,
  name: string,
  scenario: NvidiaSmiScenario,
): Promise<ResolvedServer> {
  const file = join(dir, `${name}-gpus.json`);
  await writeFile(file, JSON.stringify(scenario));
  const bin = dirname(await installFakeNvidiaSmi(join(dir, `bin-${name}`)));
  return {
    name,
    host: name,
    local: false,
    gpus: scenario.gpus.map((_, index) => index),
    maxRuns: 1,
    env: {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      FAKE_NVIDIA_SMI_SCENARIO: file,
    },
  };
}

const skip = sshSkipReason();
if (skip) console.warn(`server pool page test skipped: ${skip}`);

useBrowser();

test.skipIf(skip !== undefined)(
  "the resources panel shows one GPU table per server of the pool, an unreachable one marked; a process's run opens",
  { timeout: 90_000 },
  async ({ root, serve, page }) => {
    // A job on gpu-a using its GPU 1, recorded as the run pool/run_a (pids as gpu-a sees them).
    const started = ssh(
      'gpu-a',
      'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!',
    ).stdout.trim();
    const pid = Number(started);
    expect(pid).toBeGreaterThan(1);
    try {
      const gpuA = await fakeGpuServer(root, 'gpu-a', {
        gpus: [
          { utilizationPercent: 3, memoryUsedMiB: 500 },
          {
            utilizationPercent: 88,
            memoryUsedMiB: 60_000,
            processes: [{ pid, usedMemoryMiB: 59_000 }],
          },
        ],
      });
      const gpuB = await fakeGpuServer(root, 'gpu-b', {
        gpus: [{ utilizationPercent: 0, memoryUsedMiB: 0 }],
      });
      const nowhere: ResolvedServer = {
        name: 'gpu-x',
        host: '127.0.0.9', // nothing listens there
        port: 2222,
        local: false,
        gpus: [],
        maxRuns: 1,
        env: {},
      };
      // As a launch with these servers writes it.
      await writeServerPool(root, [gpuA, gpuB, nowhere]);
      await writeRun(root, 'pool/run_a', { host: 'gpu-a', server: 'gpu-a', pid, gpus: [1] });

      const server = await serve({
        resources: { nvidiaSmiCommand: 'runboard-test-no-nvidia-smi', cacheMs: 0 },
        resourcesIntervalMs: 1000,
        serverPool: { sshArgs: ['-F', SSH_CONFIG], minIntervalMs: 500 },
      });
      await page.goto(server.url);
      const section = (name: string) => page.locator(`#server-pool section[data-server="${name}"]`);
      await expect
        .poll(() => page.locator('#server-pool section.server').count(), {
          timeout: POOL_SHOWN_MS,
        })
        .toBe(3);
      await expect
        .poll(() => section('gpu-a').getAttribute('data-state'), { timeout: POOL_SHOWN_MS })
        .toBe('reachable');
      await expect
        .poll(() => section('gpu-x').getAttribute('data-state'), { timeout: POOL_SHOWN_MS })
        .toBe('unreachable');
      await expect
        .poll(() => section('gpu-b').getAttribute('data-state'), { timeout: POOL_SHOWN_MS })
        .toBe('reachable');

      // Two tables: gpu-a's two GPUs, gpu-b's one.
      expect(await section('gpu-a').locator('table.gpu-table tbody tr').count()).toBe(2);
      expect(await section('gpu-b').locator('table.gpu-table tbody tr').count()).toBe(1);
      const busy = section('gpu-a').locator('tr[data-gpu="1"]');
      expect(await busy.locator('.gpu-name').innerText()).toBe('NVIDIA H200');
      expect(await busy.innerText()).toContain('88%');
      expect(await busy.locator('.process-detail').innerText()).toBe(`sleep ${pid} · 57.6 GiB`);
      expect(await section('gpu-a').locator('.server-ram').innerText()).toMatch(/^RAM .+ GiB$/);
      expect(await section('gpu-a').locator('.server-cpu').innerText()).toMatch(/cores/);

      // The unreachable server: marked, with ssh's reason, and no table.
      expect(await section('gpu-x').locator('.server-state').innerText()).toBe('unreachable');
      expect(await section('gpu-x').locator('table').count()).toBe(0);
      expect(await section('gpu-x').locator('.server-note').innerText()).toMatch(
        /^Unreachable: ssh: connect to host 127\.0\.0\.9 port 2222: Connection refused/,
      );
      expect(await page.locator('#resources-brief').textContent()).toContain('1 unreachable');

      // gpu-a's GPU process belongs to a run: a click opens it.
      await busy.locator('.run-link').click();
      await expect.poll(() => page.locator('#detail').isVisible()).toBe(true);
      expect(await page.locator('#detail-title').innerText()).toBe('pool/run_a');
      expect(await row(page, 'pool/run_a').getAttribute('aria-selected')).toBe('true');
    } finally {
      ssh('gpu-a', `kill -KILL ${pid} 2>/dev/null; true`);
    }
  },
);
