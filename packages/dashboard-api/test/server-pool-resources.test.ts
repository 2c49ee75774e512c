import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SERVER_POOL_FILE,
  createSshExecutor,
  loadPlan,
  readServerPool,
  writeServerPool,
} from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';
import { describe, expect, vi } from 'vitest';
import type { ResourcesSnapshot } from '../src/resources/resource-sampler.js';
import type { ServerResourcesView } from '../src/resources/server-resources-view.js';
import { openEventStream } from './sse-client.js';
import { SSH_ARGS, fakeGpuEnv, killOnHost, sshSkipReason, startJobOnHost } from './ssh-hosts.js';
import { test, writeRun } from './test-utils.js';

const skip = sshSkipReason();
if (skip) console.warn(`SSH server pool tests skipped: ${skip}`);

const INTERVAL_MS = 1000;

/** The number of `nvidia-smi --query-gpu` calls a host's fake logged: one per query. */
function gpuQueries(callsLog: string): number {
  if (!existsSync(callsLog)) return 0;
  return readFileSync(callsLog, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('--query-gpu=')).length;
}

/**
 * ssh processes of the dashboard's socket folders: clients (`-o ControlPath=…`) and masters,
 * which OpenSSH retitles `ssh: <socket> [mux]`.
 */
function dashboardSshProcesses(): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /^\s*\d+ ssh\b.*runboard-dashboard-ssh-/.test(line));
}

async function resources(url: string): Promise<ResourcesSnapshot> {
  return (await (await fetch(`${url}api/resources`)).json()) as ResourcesSnapshot;
}

describe.skipIf(skip !== undefined)('the resources of the SSH server pool', () => {
  test(
    "each server's GPUs, CPU and RAM, processes linked to runs, an unreachable one marked; one query per server per interval, none without a page",
    { timeout: 120_000 },
    async ({ root, outside, startServer }) => {
      const gpuA = await fakeGpuEnv(outside, 'gpu-a', {
        gpus: [
          { utilizationPercent: 0, memoryUsedMiB: 0 },
          { utilizationPercent: 97, memoryUsedMiB: 80_000, processes: [] },
        ],
      });
      const gpuB = await fakeGpuEnv(outside, 'gpu-b', {
        gpus: [{ utilizationPercent: 42, memoryUsedMiB: 20_000, processes: [] }],
      });
      // A job on each host: on gpu-a its child uses GPU 1, on gpu-b the job itself GPU 0.
      const jobA = startJobOnHost('gpu-a', outside);
      const jobB = startJobOnHost('gpu-b', outside);
      try {
        const scenarioA = JSON.parse(readFileSync(gpuA.env.FAKE_NVIDIA_SMI_SCENARIO, 'utf8'));
        scenarioA.gpus[1].processes = [{ pid: jobA.childPid, usedMemoryMiB: 79_000 }];
        await writeFile(gpuA.env.FAKE_NVIDIA_SMI_SCENARIO, JSON.stringify(scenarioA));
        const scenarioB = JSON.parse(readFileSync(gpuB.env.FAKE_NVIDIA_SMI_SCENARIO, 'utf8'));
        scenarioB.gpus[0].processes = [{ pid: jobB.pid, usedMemoryMiB: 19_000 }];
        await writeFile(gpuB.env.FAKE_NVIDIA_SMI_SCENARIO, JSON.stringify(scenarioB));
        const running: Partial<RunRecord> = { status: 'running', supervisorPid: null, gpus: [1] };
        await writeRun(root, 'pool/run_a', {
          ...running,
          host: 'gpu-a',
          server: 'gpu-a',
          pid: jobA.pid,
        });
        await writeRun(root, 'pool/run_b', {
          ...running,
          host: 'gpu-b',
          server: 'gpu-b',
          pid: jobB.pid,
        });
        // The same pid on another host is another process: not linked.
        await writeRun(root, 'pool/elsewhere', { ...running, host: 'gpu-c', pid: jobA.childPid });

        // A launch with servers records the pool (the launcher's own SSH executor).
        const planFile = join(outside, 'plan.json');
        await writeFile(
          planFile,
          JSON.stringify({
            root,
            servers: [
              { name: 'gpu-a', runboard: 'true', gpus: [0, 1], env: gpuA.env },
              { name: 'gpu-b', runboard: 'true', gpus: [0], env: gpuB.env },
              // Nothing listens there.
              { name: 'gpu-x', host: '127.0.0.9', port: 2222, runboard: 'true' },
            ],
            runs: [{ id: 'pool/planned', command: ['true'] }],
          }),
        );
        const executor = await createSshExecutor({
          plan: await loadPlan(planFile),
          sshArgs: SSH_ARGS,
        });
        await executor.shutdown();
        const pool = await readServerPool(root);
        expect(pool?.servers.map((server) => [server.name, server.host, server.gpus])).toEqual([
          ['gpu-a', 'gpu-a', [0, 1]],
          ['gpu-b', 'gpu-b', [0]],
          ['gpu-x', '127.0.0.9', []],
        ]);
        expect(existsSync(join(root, SERVER_POOL_FILE))).toBe(true);

        const server = await startServer({
          resources: { nvidiaSmiCommand: 'runboard-test-no-nvidia-smi', cacheMs: 0 },
          resourcesIntervalMs: INTERVAL_MS,
          serverPool: { sshArgs: SSH_ARGS, minIntervalMs: 500, waitMs: 10_000 },
        });
        const snapshot = await vi.waitFor(
          async () => {
            const body = await resources(server.url);
            if (body.servers.some((entry) => entry.pending)) throw new Error('pending');
            return body;
          },
          { timeout: 60_000, interval: 200 },
        );
        const byName = new Map(snapshot.servers.map((entry) => [entry.name, entry]));
        expect([...byName.keys()]).toEqual(['gpu-a', 'gpu-b', 'gpu-x']);
        const a = byName.get('gpu-a') as ServerResourcesView;
        expect(a).toMatchObject({ hostname: 'gpu-a', reachable: true, planGpus: [0, 1] });
        expect(a.cpu.cores).toBeGreaterThan(0);
        expect(a.cpu.loadAverage).toHaveLength(3);
        expect(a.ram.totalBytes).toBeGreaterThan(0);
        expect(a.ram.usedPercent).toBeGreaterThan(0);
        expect(a.gpus.map((gpu) => [gpu.index, gpu.utilizationPercent, gpu.memoryUsedMiB])).toEqual(
          [
            [0, 0, 0],
            [1, 97, 80_000],
          ],
        );
        // The GPU process is the job's child: linked through its parent.
        expect(a.gpus[1].processes).toEqual([
          { pid: jobA.childPid, name: 'sleep', usedMemoryMiB: 79_000, runId: 'pool/run_a' },
        ]);
        const b = byName.get('gpu-b') as ServerResourcesView;
        expect(b).toMatchObject({ hostname: 'gpu-b', reachable: true });
        expect(b.gpus[0].processes).toEqual([
          { pid: jobB.pid, name: 'sh', usedMemoryMiB: 19_000, runId: 'pool/run_b' },
        ]);
        const x = byName.get('gpu-x') as ServerResourcesView;
        expect(x).toMatchObject({ reachable: false, pending: false, hostname: null, gpus: [] });
        expect(x.error).toMatch(/Connection refused/);
        // This machine is still there, as before.
        expect(snapshot.gpuUnavailableReason).toMatch(/not found on PATH/);

        // While a page is open: one query per server per interval.
        const before = [gpuQueries(gpuA.calls), gpuQueries(gpuB.calls)];
        const stream = await openEventStream(`${server.url}api/events`);
        const openedAt = performance.now();
        await stream.waitFor((event) => event.event === 'resources');
        const windowMs = 4 * INTERVAL_MS;
        await new Promise((resolve) => setTimeout(resolve, windowMs));
        const during = [gpuQueries(gpuA.calls) - before[0], gpuQueries(gpuB.calls) - before[1]];
        const elapsed = performance.now() - openedAt;
        const resourceEvents = stream.events.filter((event) => event.event === 'resources');
        console.info(
          `pool queries in ${Math.round(elapsed)} ms with a page open (interval ${INTERVAL_MS} ms): gpu-a ${during[0]}, gpu-b ${during[1]}; ${resourceEvents.length} resources events`,
        );
        for (const count of during) {
          expect(count).toBeGreaterThanOrEqual(1);
          expect(count).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) + 1);
        }
        expect(dashboardSshProcesses().some((line) => line.endsWith('[mux]'))).toBe(true);

        // No page open: the master connections end, and no query follows.
        await stream.close();
        await vi.waitFor(() => expect(dashboardSshProcesses()).toEqual([]), { timeout: 15_000 });
        const after = [gpuQueries(gpuA.calls), gpuQueries(gpuB.calls)];
        await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
        expect([gpuQueries(gpuA.calls), gpuQueries(gpuB.calls)]).toEqual(after);

        // A new pool is read when servers.json changes.
        await writeServerPool(root, [
          { name: 'gpu-b', host: 'gpu-b', local: false, gpus: [0], env: gpuB.env, maxRuns: 1 },
        ]);
        await vi.waitFor(
          async () =>
            expect((await resources(server.url)).servers.map((s) => s.name)).toEqual(['gpu-b']),
          { timeout: 20_000, interval: 500 },
        );
      } finally {
        killOnHost('gpu-a', jobA.pid);
        killOnHost('gpu-b', jobB.pid);
      }
    },
  );
});
