import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createDashboardApp } from '../src/http/create-dashboard-app.js';
import type { DashboardAppOptions } from '../src/http/create-dashboard-app.js';
import { ResourceSampler } from '../src/resources/resource-sampler.js';
import type { RunIndex } from '../src/run-index/run-index.js';
import { snapshotTree, test, waitFor, writeRun } from './test-utils.js';

const TOKEN = 's3cret-token';

async function seed(root: string): Promise<void> {
  await writeRun(root, 'sweep/a', { progress: { current: 2, total: 10 } });
  await writeRun(root, 'sweep/b', {
    status: 'failed',
    error: 'exit code 1',
    progress: { current: 5, total: 10 },
  });
  await writeRun(root, 'sweep/c', { status: 'succeeded' });
  await writeRun(root, 'other/d', { status: 'queued', progress: null });
  await writeFile(join(root, 'sweep', 'a', 'run.log'), 'line 1\nline 2\nline 3\n');
  await writeFile(
    join(root, 'sweep', 'a', 'metrics.jsonl'),
    '{"time":"2025-01-01T00:00:00Z","current":1,"metrics":{"loss":0.9}}\n{"time":"2025-01-01T00:01:00Z","current":2,"metrics":{"loss":0.5}}\n{"time":"2025-01-0',
  );
}

function appFor(index: RunIndex, options: Partial<DashboardAppOptions> = {}) {
  return createDashboardApp({
    index,
    resources: new ResourceSampler({
      queryGpus: async () => ({
        available: false,
        gpus: [],
        reason: 'nvidia-smi not found on PATH',
        checkedAt: Date.now(),
      }),
    }),
    onInternalError: () => {},
    ...options,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
async function json(response: Response): Promise<any> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  const body = await json(response);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\n\s+at /);
}

describe('GET /healthz and /api/runs', () => {
  test('healthz', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'ok', runs: 4, watchMode: 'off' });
  });

  test('lists runs with total, counts and views', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
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
    root,
    openIndex,
  }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
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
  ])('%s → 400 INVALID_QUERY', async ([path], { root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
    await expectError(await app.request(path), 400, 'INVALID_QUERY');
  });
});

describe('GET /api/runs/<id>, /log, /metrics', () => {
  test('one run (ids contain /) with its control requests', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
    const body = await json(await app.request('/api/runs/sweep/a'));
    expect(body).toMatchObject({ run: { id: 'sweep/a', status: 'running' }, control: {} });
    // Encoded segments are decoded one by one.
    expect((await json(await app.request('/api/runs/sweep%2Fb'))).run.id).toBe('sweep/b');
  });

  test('unknown run → 404 RUN_NOT_FOUND', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
    await expectError(await app.request('/api/runs/sweep/zzz'), 404, 'RUN_NOT_FOUND');
    await expectError(await app.request('/api/runs/sweep/zzz/log'), 404, 'RUN_NOT_FOUND');
    await expectError(await app.request('/api/runs/sweep/zzz/metrics'), 404, 'RUN_NOT_FOUND');
  });

  test('log tail, bounded and followable', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
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
    await expectError(await app.request('/api/runs/sweep/a/log?tail=100001'), 400, 'INVALID_QUERY');
    await expectError(await app.request('/api/runs/sweep/a/log?from=x'), 400, 'INVALID_QUERY');
  });

  test('metrics history, torn last line ignored', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
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
    root,
    openIndex,
  }) => {
    await seed(root);
    const outside = await mkdtemp(join(tmpdir(), 'runboard-outside-'));
    try {
      await writeFile(join(outside, 'secret'), 'TOP SECRET\n');
      await symlink(join(outside, 'secret'), join(root, 'sweep', 'b', 'run.log'));
      await symlink(join(outside, 'secret'), join(root, 'sweep', 'b', 'metrics.jsonl'));
      const app = appFor(await openIndex({ watch: false }));
      for (const path of ['/api/runs/sweep/b/log', '/api/runs/sweep/b/metrics']) {
        const response = await app.request(path);
        expect(await response.clone().text()).not.toContain('SECRET');
        await expectError(response, 422, 'FILE_UNREADABLE');
      }
    } finally {
      await rm(outside, { recursive: true, force: true });
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
  ])('%s (%s) → 400 INVALID_RUN_ID', async ([path], { root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
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

  test('dot segments (plain or %2e%2e) never reach outside the API', async ({
    root,
    openIndex,
  }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
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
    root,
    openIndex,
  }) => {
    await seed(root);
    const outside = await mkdtemp(join(tmpdir(), 'runboard-outside-'));
    try {
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
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('GET /api/summary, /api/resources', () => {
  test('summary', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }));
    const body = await json(await app.request('/api/summary'));
    expect(body).toMatchObject({
      total: 4,
      active: 1,
      counts: { queued: 1, running: 1 },
      percent: (100 + 100 + 20 + 0) / 4,
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
    root,
    openIndex,
  }) => {
    await seed(root);
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
    await waitFor(async () => (await reader.read()).done, 2000, 'the end of the stream');
  });
});

describe('POST /api/runs/<id>/cancel', () => {
  test('without a configured token: 403 CANCEL_DISABLED, nothing written', async ({
    root,
    openIndex,
  }) => {
    await seed(root);
    const before = await snapshotTree(root);
    const app = appFor(await openIndex({ watch: false }));
    await expectError(
      await app.request('/api/runs/sweep/a/cancel', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
      403,
      'CANCEL_DISABLED',
    );
    expect(await snapshotTree(root)).toEqual(before);
  });

  test('missing or wrong token: 401 with WWW-Authenticate', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      `Basic ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN}x`,
    ]) {
      const response = await app.request('/api/runs/sweep/a/cancel', {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expectError(response, 401, 'UNAUTHORIZED');
    }
    await expect(readFile(join(root, 'sweep', 'a', 'control.json'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  test('with the token: 202, control.json holds the request, progress.json untouched', async ({
    root,
    openIndex,
  }) => {
    await seed(root);
    const progressBefore = await readFile(join(root, 'sweep', 'a', 'progress.json'), 'utf8');
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
    const response = await app.request('/api/runs/sweep/a/cancel', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body).toEqual({
      id: 'sweep/a',
      cancel: { requestedAt: expect.any(String), requestedBy: 'dashboard' },
    });
    const control = JSON.parse(await readFile(join(root, 'sweep', 'a', 'control.json'), 'utf8'));
    expect(control.cancel.requestedAt).toBe(body.cancel.requestedAt);
    expect(await readFile(join(root, 'sweep', 'a', 'progress.json'), 'utf8')).toBe(progressBefore);
    expect((await json(await app.request('/api/runs/sweep/a'))).control.cancel.requestedBy).toBe(
      'dashboard',
    );
  });

  test('a finished run: 409; an unknown run: 404; GET: 405', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
    const post = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } };
    await expectError(await app.request('/api/runs/sweep/c/cancel', post), 409, 'RUN_FINISHED');
    await expectError(await app.request('/api/runs/sweep/none/cancel', post), 404, 'RUN_NOT_FOUND');
    await expectError(await app.request('/api/runs/sweep/a/cancel'), 405, 'METHOD_NOT_ALLOWED');
    await expectError(await app.request('/api/runs/sweep/a', post), 405, 'METHOD_NOT_ALLOWED');
  });

  test('a POST from a foreign Origin is refused even with the token', async ({
    root,
    openIndex,
  }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
    await expectError(
      await app.request('/api/runs/sweep/a/cancel', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' },
      }),
      403,
      'ORIGIN_NOT_ALLOWED',
    );
    const sameOrigin = await app.request('/api/runs/sweep/a/cancel', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://127.0.0.1:8787' },
    });
    expect(sameOrigin.status).toBe(202);
  });
});

describe('security: Host header, CORS, read protection, unknown routes', () => {
  test.for([
    ['localhost', 200],
    ['localhost:8787', 200],
    ['127.0.0.1:8787', 200],
    ['[::1]:8787', 200],
    ['LOCALHOST.', 200],
    ['evil.example', 403],
    ['evil.example:8787', 403],
    ['127.0.0.1.evil.example', 403],
    ['localhost@evil.example', 403],
    ['', 403],
  ] as const)('Host %j → %i', async ([host, status], { openIndex }) => {
    const app = appFor(await openIndex({ watch: false }));
    for (const path of ['/healthz', '/api/runs', '/api/events']) {
      const response = await app.request(path, { headers: { host } });
      expect(response.status).toBe(status);
      if (status === 403) await expectError(response, 403, 'HOST_NOT_ALLOWED');
      else await response.body?.cancel();
    }
  });

  test('allowedHosts adds names; * allows any', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    expect(
      (
        await appFor(index, { allowedHosts: ['runs.lab.internal'] }).request('/healthz', {
          headers: { host: 'runs.lab.internal:8787' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await appFor(index, { allowedHosts: ['*'] }).request('/healthz', {
          headers: { host: 'anything.example' },
        })
      ).status,
    ).toBe(200);
  });

  test('no CORS headers, even for a preflight', async ({ root, openIndex }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
    const headers = { origin: 'http://evil.example', 'access-control-request-method': 'POST' };
    for (const response of [
      await app.request('/api/runs', { headers }),
      await app.request('/api/runs/sweep/a/cancel', { method: 'OPTIONS', headers }),
    ]) {
      for (const name of response.headers.keys()) expect(name).not.toMatch(/^access-control-/);
    }
    const response = await app.request('/api/runs');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  test('protectReads: every /api route needs the token, as a header or the session cookie', async ({
    root,
    openIndex,
  }) => {
    await seed(root);
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN, protectReads: true });
    for (const path of [
      '/api/runs',
      '/api/runs/sweep/a',
      '/api/summary',
      '/api/resources',
      '/api/events',
    ]) {
      await expectError(await app.request(path), 401, 'UNAUTHORIZED');
    }
    expect(
      (await app.request('/api/runs', { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    await expectError(await app.request('/api/session', { method: 'POST' }), 401, 'UNAUTHORIZED');
    const session = await app.request('/api/session', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const events = await app.request('/api/events', { headers: { cookie: cookie.split(';')[0] } });
    expect(events.status).toBe(200);
    await events.body?.cancel();
    await expectError(
      await app.request('/api/runs', { headers: { cookie: 'runboard_session=forged' } }),
      401,
      'UNAUTHORIZED',
    );
  });

  test('unknown routes → 404 NOT_FOUND; wrong methods → 405', async ({ openIndex }) => {
    const app = appFor(await openIndex({ watch: false }));
    await expectError(await app.request('/api/nothing'), 404, 'NOT_FOUND');
    await expectError(await app.request('/'), 404, 'NOT_FOUND');
    await expectError(
      await app.request('/api/runs', { method: 'DELETE' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
    await expectError(
      await app.request('/api/summary', { method: 'POST' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
  });

  test('an unexpected failure is a 500 without details', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    const errors: unknown[] = [];
    const app = appFor(index, { onInternalError: (error) => errors.push(error) });
    index.summary = () => {
      throw new Error('secret internals at /home/user');
    };
    const response = await app.request('/api/summary');
    expect(await response.clone().text()).not.toContain('secret');
    await expectError(response, 500, 'INTERNAL');
    expect(errors).toHaveLength(1);
  });

  test('validates its options', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    expect(() => createDashboardApp({ index, token: '' })).toThrow(TypeError);
    expect(() => createDashboardApp({ index, protectReads: true })).toThrow(/needs a `token`/);
    expect(() => createDashboardApp({ index, staticDir: '/nonexistent/web' })).toThrow(/staticDir/);
    expect(() => createDashboardApp({} as DashboardAppOptions)).toThrow(/RunIndex/);
  });
});

describe('static files', () => {
  test('serves the page with content types, index.html at /, and nothing outside its folder', async ({
    root,
    openIndex,
  }) => {
    const web = join(root, 'web');
    await mkdir(join(web, 'assets'), { recursive: true });
    await writeFile(join(web, 'index.html'), '<!doctype html><title>runboard</title>');
    await writeFile(join(web, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(web, 'assets', 'style.css'), 'body{}');
    await writeFile(join(web, '.env'), 'SECRET=1');
    await writeFile(join(root, 'secret.txt'), 'SECRET');
    await symlink(join(root, 'secret.txt'), join(web, 'link.txt'));
    const app = appFor(await openIndex({ watch: false }), { staticDir: web });
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>runboard</title>');
    const script = await app.request('/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await app.request('/assets/style.css')).headers.get('content-type')).toMatch(
      /^text\/css/,
    );
    const head = await app.request('/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
    for (const path of [
      '/.env',
      '/link.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/assets/%00',
    ]) {
      const response = await app.request(path);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('SECRET');
    }
    // The API still wins over files.
    expect((await app.request('/api/summary')).headers.get('content-type')).toMatch(/json/);
  });
});
