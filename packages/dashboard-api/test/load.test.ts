import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { afterEach, describe, expect } from 'vitest';
import { startDashboardServer } from '../src/server/start-dashboard-server.js';
import type { DashboardServer } from '../src/server/start-dashboard-server.js';
import { makeRecord, test } from './test-utils.js';

const RUNS = 1000;
let server: DashboardServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('load', () => {
  test('50 connections for 10 s over a loopback server with 1,000 runs: no errors, only 2xx', async ({
    root,
  }) => {
    for (let i = 0; i < RUNS; i += 1) {
      const dir = join(root, `sweep_${i % 10}`, `run_${i}`);
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, 'progress.json'),
        JSON.stringify(makeRecord(`sweep_${i % 10}/run_${i}`)),
      );
      if (i === 0) await writeFile(join(dir, 'run.log'), 'hello\n'.repeat(1000));
    }
    server = await startDashboardServer({ root, port: 0, onWarning: () => {} });
    expect(server.index.size).toBe(RUNS);
    const result = await autocannon({
      url: server.url.replace(/\/$/, ''),
      connections: 50,
      duration: 10,
      requests: [
        { method: 'GET', path: '/api/runs?limit=100' },
        {
          method: 'GET',
          path: '/api/runs?status=running&sort=updatedAt&order=desc&limit=50&q=sweep_3',
        },
        { method: 'GET', path: '/api/summary' },
        { method: 'GET', path: '/api/runs/sweep_0/run_0' },
        { method: 'GET', path: '/api/runs/sweep_0/run_0/log?tail=100' },
        { method: 'GET', path: '/healthz' },
      ],
    });
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBeGreaterThan(500);
  }, 60_000);
});
