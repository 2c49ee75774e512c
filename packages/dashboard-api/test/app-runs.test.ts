import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { TOKEN, appFor, expectError, json, test } from './app-helpers.js';
import { writeRun } from './test-utils.js';

describe('GET /healthz and /api/runs', () => {
  test('healthz', async ({ seededApp }) => {
    const app = await seededApp();
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'ok', runs: 4, watchMode: 'off' });
  });

  test('lists runs with total, counts and views', async ({ seededApp }) => {
    const app = await seededApp();
    const body = await json(await app.request('/api/runs'));
    expect(body.runs.map((run: { id: string }) => run.id)).toEqual([
      'other/d',
      'sweep/a',
      'sweep/b',
      'sweep/c',
    ]);
    expect(body).toMatchObject({
      nextCursor: null,
      total: 4,
      counts: { queued: 1, running: 1, failed: 1, succeeded: 1, stalled: 0, unreadable: 0 },
    });
    expect(body.runs[1]).toMatchObject({
      id: 'sweep/a',
      status: 'running',
      storedStatus: 'running',
      derivedState: null,
      percent: 20,
      readError: null,
      record: { schemaVersion: 1, id: 'sweep/a', progress: { current: 2, total: 10 } },
    });
  });

  test('filters by repeated and comma-separated status, q, sorts and pages', async ({
    seededApp,
  }) => {
    const app = await seededApp();
    let body = await json(await app.request('/api/runs?status=failed&status=queued'));
    expect(body.runs.map((run: { id: string }) => run.id)).toEqual(['other/d', 'sweep/b']);
    body = await json(await app.request('/api/runs?status=failed,succeeded&q=SWEEP'));
    expect(body.total).toBe(2);
    body = await json(await app.request('/api/runs?sort=progress&order=desc&limit=2'));
    expect(body.runs.map((run: { id: string }) => run.id)).toEqual(['sweep/c', 'sweep/b']);
    const next = await json(
      await app.request(
        `/api/runs?sort=progress&order=desc&limit=2&cursor=${encodeURIComponent(body.nextCursor)}`,
      ),
    );
    expect(next.runs.map((run: { id: string }) => run.id)).toEqual(['sweep/a', 'other/d']);
    expect(next.nextCursor).toBeNull();
  });

  test.for([
    ['/api/runs?limit=0'],
    ['/api/runs?limit=1001'],
    ['/api/runs?limit=ten'],
    ['/api/runs?limit=-1'],
    ['/api/runs?status=done'],
    ['/api/runs?sort=name'],
    ['/api/runs?order=sideways'],
    ['/api/runs?cursor=garbage'],
  ])('%s → 400 INVALID_QUERY', async ([path], { seededApp }) => {
    const app = await seededApp();
    await expectError(await app.request(path), 400, 'INVALID_QUERY');
  });
});

describe('GET /api/runs/<id>, /log, /metrics', () => {
  test('one run (ids contain /) with its control requests', async ({ seededApp }) => {
    const app = await seededApp();
    const body = await json(await app.request('/api/runs/sweep/a'));
    expect(body).toMatchObject({ run: { id: 'sweep/a', status: 'running' }, control: {} });
    // Encoded segments are decoded one by one.
    expect((await json(await app.request('/api/runs/sweep%2Fb'))).run.id).toBe('sweep/b');
  });

  test.for(['/api/runs/sweep/zzz', '/api/runs/sweep/zzz/log', '/api/runs/sweep/zzz/metrics'])(
    'unknown run: %s → 404 RUN_NOT_FOUND',
    async (path, { seededApp }) => {
      const app = await seededApp();
      await expectError(await app.request(path), 404, 'RUN_NOT_FOUND');
    },
  );

  test('log tail, bounded and followable', async ({ seededApp, root }) => {
    const app = await seededApp();
    const tail = await json(await app.request('/api/runs/sweep/a/log?tail=2'));
    expect(tail).toEqual({
      id: 'sweep/a',
      text: 'line 2\nline 3\n',
      start: 7,
      end: 21,
      size: 21,
      exists: true,
      reset: false,
    });
    await writeFile(join(root, 'sweep', 'a', 'run.log'), 'line 1\nline 2\nline 3\nline 4\n');
    const next = await json(await app.request(`/api/runs/sweep/a/log?from=${tail.end}`));
    expect(next.text).toBe('line 4\n');
    expect((await json(await app.request('/api/runs/sweep/b/log'))).exists).toBe(false);
    for (const query of ['tail=100001', 'from=x'])
      await expectError(await app.request(`/api/runs/sweep/a/log?${query}`), 400, 'INVALID_QUERY');
  });

  test('metrics history, torn last line ignored', async ({ seededApp }) => {
    const app = await seededApp();
    const body = await json(await app.request('/api/runs/sweep/a/metrics'));
    expect(body).toMatchObject({ id: 'sweep/a', count: 2, skipped: 0, exists: true });
    expect(body.points.map((point: { metrics: { loss: number } }) => point.metrics.loss)).toEqual([
      0.9, 0.5,
    ]);
    expect(
      (await json(await app.request('/api/runs/sweep/a/metrics?limit=1'))).points,
    ).toHaveLength(1);
    await expectError(await app.request('/api/runs/sweep/a/metrics?limit=0'), 400, 'INVALID_QUERY');
  });

  test('a log that is a symbolic link out of the run is not served', async ({
    seededRoot: root,
    openIndex,
    outside,
  }) => {
    await writeFile(join(outside, 'secret'), 'TOP SECRET\n');
    await symlink(join(outside, 'secret'), join(root, 'sweep', 'b', 'run.log'));
    await symlink(join(outside, 'secret'), join(root, 'sweep', 'b', 'metrics.jsonl'));
    const app = appFor(await openIndex({ watch: false }));
    for (const path of ['/api/runs/sweep/b/log', '/api/runs/sweep/b/metrics']) {
      const response = await app.request(path);
      expect(await response.clone().text()).not.toContain('SECRET');
      await expectError(response, 422, 'FILE_UNREADABLE');
    }
  });
});

describe('run ids: traversal and odd ids', () => {
  test.for([
    ['/api/runs/..%2F..%2Fetc', 'an encoded ../..'],
    ['/api/runs/sweep/..%2F..%2F..%2Fetc/log', 'an encoded ../ before a sub-route'],
    ['/api/runs/%2Fetc%2Fpasswd', 'an absolute path'],
    ['/api/runs//etc/passwd', 'an empty first segment'],
    ['/api/runs/sweep/a%00', 'a NUL'],
    ['/api/runs/sweep/.hidden', 'a hidden segment'],
    ['/api/runs/sweep%5Ca', 'an encoded backslash'],
    ['/api/runs/%E0%A4%A', 'broken percent-encoding'],
    ['/api/runs/sweep/a/', 'a trailing slash'],
  ])('%s (%s) → 400 INVALID_RUN_ID', async ([path], { seededApp }) => {
    const app = await seededApp({ token: TOKEN });
    await expectError(await app.request(path), 400, 'INVALID_RUN_ID');
    await expectError(
      await app.request(`${path}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
      400,
      'INVALID_RUN_ID',
    );
  });

  test('dot segments (plain or %2e%2e) never reach outside the API', async ({ seededApp }) => {
    const app = await seededApp();
    for (const path of [
      '/api/runs/../../etc/passwd',
      '/api/runs/%2e%2e/%2e%2e/etc/passwd',
      '/api/runs/sweep/%2E%2E/%2e%2e/%2e%2e/x',
    ]) {
      const response = await app.request(path);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await response.text()).not.toContain('root:');
    }
  });

  test('a run folder replaced by a symbolic link out of the root → 400', async ({
    seededRoot: root,
    openIndex,
    outside,
  }) => {
    const index = await openIndex({ watch: false });
    const app = appFor(index, { token: TOKEN });
    await writeRun(outside, 'a');
    await writeFile(join(outside, 'a', 'run.log'), 'TOP SECRET\n');
    await rm(join(root, 'sweep'), { recursive: true });
    await symlink(outside, join(root, 'sweep'));
    expect(index.has('sweep/a')).toBe(true); // not rescanned yet
    for (const [path, method] of [
      ['/api/runs/sweep/a/log', 'GET'],
      ['/api/runs/sweep/a/metrics', 'GET'],
      ['/api/runs/sweep/a', 'GET'],
      ['/api/runs/sweep/a/cancel', 'POST'],
    ]) {
      const response = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(await response.clone().text()).not.toContain('SECRET');
      await expectError(response, 400, 'INVALID_RUN_ID');
    }
    await expect(readFile(join(outside, 'a', 'control.json'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('GET /api/summary, /api/resources', () => {
  test('summary', async ({ seededApp }) => {
    const app = await seededApp();
    const body = await json(await app.request('/api/summary'));
    expect(body).toMatchObject({
      total: 4,
      active: 1,
      counts: { queued: 1, running: 1 },
      // Issue 13 item 6: the failed run is apart, not "done" (succeeded 100, running 20, queued 0).
      percent: (100 + 20 + 0) / 3,
      endedUnsuccessful: 1,
      indexing: null,
    });
    expect(typeof body.generatedAt).toBe('string');
  });

  test('resources: CPU, memory, and GPUs with the runs of their processes', async ({
    root,
    openIndex,
  }) => {
    const { hostname } = await import('node:os');
    await writeRun(root, 'gpu-run', { host: hostname(), pid: process.pid });
    const index = await openIndex({ watch: false, isProcessAlive: false });
    const app = appFor(index, {
      resources: {
        queryGpus: async () => ({
          available: true,
          checkedAt: Date.now(),
          gpus: [
            {
              index: 0,
              uuid: 'GPU-a',
              name: 'NVIDIA H100',
              utilizationPercent: 90,
              memoryUsedMiB: 1000,
              memoryTotalMiB: 80000,
              memoryFreeMiB: 79000,
              processes: [
                { pid: process.pid, usedMemoryMiB: 900 },
                { pid: 1, usedMemoryMiB: 1 },
              ],
            },
          ],
        }),
      },
    });
    const body = await json(await app.request('/api/resources'));
    expect(body.cpu.cores).toBeGreaterThan(0);
    expect(body.cpu.loadAverage).toHaveLength(3);
    expect(body.memory.totalBytes).toBeGreaterThan(body.memory.usedBytes);
    expect(body.gpus[0]).toMatchObject({
      index: 0,
      utilizationPercent: 90,
      memoryUsedMiB: 1000,
      memoryTotalMiB: 80000,
    });
    expect(body.gpus[0].processes).toEqual([
      { pid: process.pid, name: expect.any(String), usedMemoryMiB: 900, runId: 'gpu-run' },
      { pid: 1, name: expect.any(String), usedMemoryMiB: 1, runId: null },
    ]);
    expect(body.gpuUnavailableReason).toBeNull();
  });

  test('resources without nvidia-smi: an empty GPU list and why', async ({ openIndex }) => {
    const app = appFor(await openIndex({ watch: false }));
    const body = await json(await app.request('/api/resources'));
    expect(body.gpus).toEqual([]);
    expect(body.gpuUnavailableReason).toMatch(/not found/);
  });
});

describe('GET /api/events (in memory)', () => {
  test('sends a summary at once, then run and removed events; cancelling the body unsubscribes', async ({
    seededRoot: root,
    openIndex,
  }) => {
    const index = await openIndex({ rescanIntervalMs: 0 });
    await index.whenWatching();
    const app = appFor(index, { keepAliveMs: 50 });
    const response = await app.request('/api/events');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += value;
      }
    };
    await readUntil(/event: summary\ndata: \{"total":4/);
    expect(text).toMatch(/^retry: \d+\n/);
    expect(index.subscriberCount).toBe(1);
    await writeRun(root, 'sweep/a', { progress: { current: 9, total: 10 } });
    await readUntil(/event: run\ndata: \{"id":"sweep\/a","status":"running"[^\n]*"percent":90/);
    await rm(join(root, 'other'), { recursive: true });
    await readUntil(/event: removed\ndata: \{"id":"other\/d"\}/);
    await readUntil(/: keep-alive\n\n/);
    await reader.cancel();
    expect(index.subscriberCount).toBe(0);
  });

  test('closing the index ends the stream', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    const response = await appFor(index).request('/api/events');
    const reader = response.body!.getReader();
    await reader.read();
    await index.close();
    await expect.poll(async () => (await reader.read()).done, { timeout: 2000 }).toBe(true);
  });
});
