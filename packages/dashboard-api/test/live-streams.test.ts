import { appendFile, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, vi } from 'vitest';
import { createDashboardApp } from '../src/http/create-dashboard-app.js';
import { ResourceFeed } from '../src/resources/resource-feed.js';
import { ResourceSampler } from '../src/resources/resource-sampler.js';
import { activeLogFollowerCount } from '../src/run-files/log-follower.js';
import { readSseEvents } from './sse-client.js';
import { fakeGpuQuery, test, writeRun, writeRunWithLog } from './test-utils.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface SseMessage {
  event: string;
  data: string;
}

/** An SSE client over fetch that collects messages; `close()` disconnects it. */
async function connect(url: URL) {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const messages: SseMessage[] = [];
  const pump = readSseEvents(response.body!, (event, data) => messages.push({ event, data })).catch(
    () => {},
  );
  const of = (event: string) =>
    messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data));
  return {
    messages,
    of,
    async waitFor(event: string, count = 1, timeoutMs = 5000) {
      await expect
        .poll(() => of(event).length, { timeout: timeoutMs, message: `${event} events` })
        .toBeGreaterThanOrEqual(count);
      return of(event);
    },
    async close() {
      abort.abort();
      await pump;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the resources event', () => {
  test('nvidia-smi runs only while an SSE client is connected, one sample for all of them', async ({
    outside,
    nvidiaSmi,
    startServer,
  }) => {
    const callsFile = join(outside, 'calls');
    process.env.FAKE_NVIDIA_SMI_CALLS = callsFile;
    cleanups.push(async () => void delete process.env.FAKE_NVIDIA_SMI_CALLS);
    const calls = async () =>
      (await readFile(callsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const server = await startServer({
      resources: { nvidiaSmiCommand: nvidiaSmi, cacheMs: 0 },
      resourcesIntervalMs: 150,
    });

    await sleep(600);
    expect(await calls()).toBe(0);

    const first = await connect(new URL('api/events', server.url));
    const second = await connect(new URL('api/events', server.url));
    const [snapshot] = await first.waitFor('resources');
    expect(snapshot.gpus.map((gpu: { name: string }) => gpu.name)).toEqual([
      'NVIDIA H200',
      'NVIDIA H200',
    ]);
    await second.waitFor('resources', 4);
    const firstTimes = new Set(first.of('resources').map((s) => s.sampledAt));
    // The second client got the first one's samples, not samples of its own.
    for (const { sampledAt } of second.of('resources')) expect(firstTimes).toContain(sampledAt);
    // The API answer is still there (first paint, API users).
    expect((await fetch(new URL('api/resources', server.url))).status).toBe(200);

    await first.close();
    await second.close();
    await expect
      .poll(() => server.index.subscriberCount, { timeout: 3000, message: 'both clients to go' })
      .toBe(0);
    // A sample under way when the last client left may still finish (slowly, on a loaded
    // machine): wait until the count holds for two intervals; a sampler still running every
    // 150 ms never gets there.
    let callsAfter = await calls();
    await vi.waitFor(
      async () => {
        await sleep(300);
        const before = callsAfter;
        callsAfter = await calls();
        expect(callsAfter, 'the sampling to stop').toBe(before);
      },
      { timeout: 5000, interval: 0 },
    );
    expect(callsAfter).toBeGreaterThan(0);
    await sleep(750); // five intervals
    expect(await calls()).toBe(callsAfter);
  });

  test('ResourceFeed: starts with the first listener, stops with the last', async () => {
    const queryGpus = fakeGpuQuery();
    const sampler = new ResourceSampler({ cacheMs: 0, queryGpus });
    // The sampler asks an unavailable nvidia-smi again only after a minute; count samples instead.
    const feed = new ResourceFeed(sampler, { intervalMs: 50 });
    const got: string[] = [];
    expect(feed.active).toBe(false);
    const stopA = feed.subscribe((s) => got.push(`a ${s.sampledAt}`));
    const stopB = feed.subscribe((s) => got.push(`b ${s.sampledAt}`));
    expect(feed.active).toBe(true);
    await expect
      .poll(() => got.filter((g) => g.startsWith('b')).length, { timeout: 3000 })
      .toBeGreaterThanOrEqual(2);
    stopA();
    expect(feed.active).toBe(true);
    stopB();
    stopB();
    expect(feed.active).toBe(false);
    expect(feed.listenerCount).toBe(0);
    const count = got.length;
    await sleep(200);
    expect(got.length).toBe(count);
    expect(queryGpus.calls).toBe(1);
    expect(() => new ResourceFeed(sampler, { intervalMs: 0 })).toThrow(TypeError);
  });
});

describe('GET /api/runs/<id>/log?follow=1', () => {
  test('a tail, then each appended line; the watch ends with the connection', async ({
    root,
    startServer,
  }) => {
    const log = await writeRunWithLog(root, 'sweep/a', 'line 1\nline 2\nline 3\n');
    const server = await startServer();
    const stream = await connect(new URL('api/runs/sweep/a/log?follow=1&tail=2', server.url));
    const [first] = await stream.waitFor('log');
    expect(first).toMatchObject({ id: 'sweep/a', text: 'line 2\nline 3\n', reset: true, end: 21 });
    expect(activeLogFollowerCount()).toBe(1);
    await appendFile(log, 'line 4\n');
    const chunks = await stream.waitFor('log', 2);
    expect(chunks[1]).toMatchObject({ text: 'line 4\n', start: 21, end: 28, reset: false });
    await stream.close();
    await expect
      .poll(() => activeLogFollowerCount(), { timeout: 3000, message: 'the follower to stop' })
      .toBe(0);
  });

  test('from= continues after an offset', async ({ root, startServer }) => {
    await writeRunWithLog(root, 'r', 'old\nnew\n');
    const server = await startServer();
    const stream = await connect(new URL('api/runs/r/log?follow=1&from=4', server.url));
    const [first] = await stream.waitFor('log');
    expect(first).toMatchObject({ text: 'new\n', start: 4, reset: false });
    await stream.close();
  });

  test('a client that stops reading is dropped once it falls maxBufferedBytes behind; others go on', async ({
    root,
    startServer,
  }) => {
    const log = await writeRunWithLog(root, 'r', 'start\n');
    const server = await startServer({ maxBufferedBytes: 64 * 1024 });
    const consoleError = vi.spyOn(console, 'error');
    const consoleInfo = vi.spyOn(console, 'info');
    cleanups.push(async () => {
      consoleError.mockRestore();
      consoleInfo.mockRestore();
    });
    const url = new URL('api/runs/r/log?follow=1', server.url);
    const reading = await connect(url);
    await reading.waitFor('log');
    // A real socket that sends its request and then never reads: the kernel's buffers fill
    // first, then the server's stream queue.
    const stalled = createConnection(Number(url.port), url.hostname);
    cleanups.push(async () => void stalled.destroy());
    await once(stalled, 'connect');
    stalled.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    stalled.pause();
    await expect
      .poll(() => activeLogFollowerCount(), { timeout: 3000, message: 'the second follower' })
      .toBe(2);
    const mebibyte = `${'x'.repeat(1023)}\n`.repeat(1024);
    let size = 'start\n'.length;
    for (let i = 0; i < 64 && activeLogFollowerCount() === 2; i++) {
      await appendFile(log, mebibyte);
      size += mebibyte.length;
      await sleep(50);
    }
    expect(activeLogFollowerCount()).toBe(1);
    const received = () =>
      Math.max(...reading.of('log').map((event: { end: number }) => event.end));
    await expect
      .poll(() => received(), { timeout: 10_000, message: 'the reading client to get every byte' })
      .toBe(size);
    expect(consoleError).not.toHaveBeenCalled(); // no stack trace in the log
    // Dropped the supported way (the connection destroyed), not by an error the server reports.
    expect(consoleInfo).not.toHaveBeenCalled();
    await reading.close();
  }, 30_000);

  test('errors: bad follow, unknown run, traversal (in memory)', async ({ root, openIndex }) => {
    await writeRun(root, 'sweep/a');
    const app = createDashboardApp({ index: await openIndex({ watch: false }) });
    const bad = await app.request('/api/runs/sweep/a/log?follow=maybe');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_QUERY' } });
    expect((await app.request('/api/runs/sweep/nope/log?follow=1')).status).toBe(404);
    expect((await app.request('/api/runs/..%2F..%2Fetc/log?follow=1')).status).toBe(400);
    expect(
      (await app.request('/api/runs/sweep/a/log?follow=0')).headers.get('content-type'),
    ).toMatch(/json/);
    expect(activeLogFollowerCount()).toBe(0);
  });
});
