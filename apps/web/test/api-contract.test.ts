import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, test as base } from 'vitest';
import { STATUS_SORT_ORDER, startDashboardServer } from '@runboard/dashboard-api';
import type * as Api from '@runboard/dashboard-api';
import { parseGpuQuery } from '@runboard/launcher';
import { readH200Fixture, tempDirFixture } from '@runboard/test-kit';
import type { ControlRequest, MetricsLine, RunProgress, RunRecord } from '@runboard/launcher';
import { ApiClient, ApiError, toLogPiece } from '../src/page/api-client.js';
import type * as Page from '../src/page/api-types.js';
import { toMetricSeries } from '../src/page/metrics-history.js';
import { toResources } from '../src/page/resources.js';
import { toRunRow } from '../src/page/run-row.js';
import { SseParser } from '../src/page/sse-parser.js';
import type { SseMessage } from '../src/page/sse-parser.js';
import { DISPLAY_STATUSES } from '../src/page/status.js';
import { toOverallProgress } from '../src/page/summary-view.js';
import * as folders from './support/run-folders.js';

// The page takes the API's plain interfaces as they are and names what it reads of the
// records, progress reports and control requests (zod objects that allow more fields): these
// checks fail to compile when the two drift.
describe('the page reads the fields the API sends, with their types', () => {
  test('run views, lists, details, logs, metrics, summaries, resources and errors', () => {
    expectTypeOf<RunRecord>().toExtend<Page.ApiRunRecord>();
    expectTypeOf<RunProgress>().toExtend<Page.ApiProgress>();
    expectTypeOf<Api.RunReadProblem>().toExtend<Page.ApiReadProblem>();
    expectTypeOf<Api.RunView>().toExtend<Page.ApiRunView>();
    expectTypeOf<Api.RunListPage>().toExtend<Page.ApiRunListPage>();
    expectTypeOf<{
      run: Api.RunView;
      control: ControlRequest | null;
    }>().toExtend<Page.ApiRunDetail>();
    expectTypeOf<Api.LogChunk & { id: string }>().toExtend<Page.ApiLogChunk>();
    expectTypeOf<Api.LogChunk & { id: string }>().toExtend<Page.ApiLogEvent>();
    expectTypeOf<Api.MetricsHistory & { id: string }>().toExtend<Page.ApiMetricsHistory>();
    expectTypeOf<MetricsLine>().toExtend<Page.ApiMetricsPoint>();
    expectTypeOf<Api.DashboardSummary>().toExtend<Page.ApiSummary>();
    expectTypeOf<Api.GpuProcessView>().toExtend<Page.ApiGpuProcess>();
    expectTypeOf<Api.GpuView>().toExtend<Page.ApiGpu>();
    expectTypeOf<Api.ResourcesSnapshot>().toExtend<Page.ApiResources>();
    expectTypeOf<Api.ApiErrorBody>().toExtend<Page.ApiErrorBody>();
  });

  test('the page knows every status the API shows, in the same order', () => {
    expect([...DISPLAY_STATUSES]).toEqual([...STATUS_SORT_ORDER]);
  });
});

const TOKEN = 'contract-token-51b0';

const test = base.extend<{ root: string; server: Api.DashboardServer }>({
  root: tempDirFixture('runboard-web-contract-'),
  server: async ({ root }, use) => {
    // The real H200 capture through the launcher's parser, with this test's process on it.
    const gpus = parseGpuQuery(await readH200Fixture('query-gpu.csv'));
    gpus[0].processes = [{ pid: process.pid, usedMemoryMiB: 1024 }];
    const server = await startDashboardServer({
      root,
      port: 0,
      token: TOKEN,
      protectReads: true,
      resources: {
        queryGpus: async () => ({ available: true, gpus, checkedAt: Date.now() }),
      },
    });
    await use(server);
    await server.close();
  },
});

describe('the page reads a real dashboard server', () => {
  test('its client and normalisers get every field of every route, with the token', async ({
    root,
    server,
  }) => {
    const now = Date.now();
    // The job of this run is this test's process, so its GPU process is labelled with it.
    const record = folders.runRecord(
      'sweep/lr=0.1',
      {
        host: hostname(),
        supervisorPid: null,
        pid: process.pid,
        gpus: [0],
        maxAttempts: 3,
        progress: {
          current: 30,
          total: 100,
          unit: 'epoch',
          etaSeconds: 700,
          message: 'warming up',
        },
        metrics: { loss: 0.5 },
      },
      now,
    );
    await folders.writeRecord(root, record);
    await folders.writeRecord(
      root,
      folders.runRecord(
        'sweep/lr=1',
        {
          status: 'failed',
          exitCode: 1,
          signal: null,
          error: 'CUDA out of memory',
          errorTail: ['RuntimeError: CUDA out of memory'],
        },
        now,
      ),
    );
    await folders.writeLog(root, record.id, 'epoch 1\nepoch 2\n');
    await folders.writeMetrics(root, record.id, 4, now);
    await expect.poll(() => server.index.size, { timeout: 10_000 }).toBe(2);

    const client = new ApiClient(() => TOKEN, server.url);
    const rows = await client.listAllRuns();
    expect(rows.map((row) => row.id)).toEqual(['sweep/lr=0.1', 'sweep/lr=1']);
    expect(rows[0]).toEqual({
      id: 'sweep/lr=0.1',
      status: 'running',
      storedStatus: null,
      percent: 30,
      current: 30,
      total: 100,
      unit: 'epoch',
      etaSeconds: 700,
      updatedAtMs: Date.parse(record.updatedAt),
      attempt: 1,
      maxAttempts: 3,
      gpus: [0],
      host: hostname(),
      pid: process.pid,
      startedAtMs: Date.parse(record.startedAt!),
      finishedAtMs: null,
      command: record.command,
      exitCode: null,
      signal: null,
      message: 'warming up',
      error: null,
      errorTail: [],
      waiting: null,
      // Lists leave the record's `metrics` and `errorTail` out; the detail has them.
      metrics: {},
    });
    expect(rows[1]).toMatchObject({ status: 'failed', exitCode: 1, error: 'CUDA out of memory' });
    // The detail carries the whole record, the failure's last output lines included.
    expect((await client.getRun('sweep/lr=1')).row?.errorTail).toEqual([
      'RuntimeError: CUDA out of memory',
    ]);

    const detail = await client.getRun(record.id);
    expect(detail).toEqual({
      row: { ...rows[0], metrics: { loss: 0.5 } },
      cancelRequestedAt: null,
    });
    await client.cancelRun(record.id);
    expect((await client.getRun(record.id)).cancelRequestedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const log = await client.getLog(record.id, { tail: 10 });
    expect(log).toEqual({ text: 'epoch 1\nepoch 2\n', end: 16, reset: true, exists: true });
    expect(await client.getLog(record.id, { from: log.end! })).toEqual({
      text: '',
      end: 16,
      reset: false,
      exists: true,
    });
    expect(await client.getLog('sweep/lr=1', { tail: 10 })).toMatchObject({ exists: false });

    const series = toMetricSeries(await client.getMetrics(record.id));
    expect(series.map((one) => [one.name, one.points.length])).toEqual([
      ['loss', 4],
      ['val_acc', 4],
    ]);

    const summary = toOverallProgress(await client.getSummary(), Date.now());
    // The failed run is left out of the work that can still complete, and counted apart.
    expect(summary.percent).toBeCloseTo(30);
    expect(summary.endedUnsuccessful).toBe(1);
    expect(summary.indexing).toBeNull();
    expect(summary.etaSeconds).toEqual(expect.any(Number));
    expect(summary.atMs).toBeLessThanOrEqual(Date.now());

    const resources = toResources(await client.getResources());
    expect(resources.host).toBe(hostname());
    expect(resources.cpu.cores).toBeGreaterThan(0);
    expect(resources.memory.totalBytes).toBeGreaterThan(0);
    expect(resources.gpuUnavailableReason).toBeNull();
    expect(resources.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA H200',
        uuid: 'GPU-2a311d9d-4e63-03d1-940a-9fa658b398ad',
        utilizationPercent: 0,
        memoryUsedBytes: 0,
        memoryTotalBytes: 143_771 * 1024 * 1024,
        processes: [
          {
            pid: process.pid,
            name: expect.any(String),
            usedMemoryBytes: 1024 * 1024 * 1024,
            runId: record.id,
          },
        ],
      },
    ]);

    const missing = await client.getRun('no/such-run').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: 'RUN_NOT_FOUND' });
  });

  test('without the token every read is refused with a typed error', async ({ server }) => {
    const client = new ApiClient(() => null, server.url);
    for (const read of [
      () => client.listAllRuns(),
      () => client.getSummary(),
      () => client.getResources(),
    ]) {
      await expect(read()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
    const wrong = new ApiClient(() => 'not-the-token', server.url);
    await expect(wrong.getSummary()).rejects.toMatchObject({ status: 401 });
  });

  test('the event stream: summary and resources at once, then run and removed events the page can read', async ({
    root,
    server,
  }) => {
    const controller = new AbortController();
    const response = await fetch(new URL('api/events', server.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    const received: SseMessage[] = [];
    const next = async (event: string): Promise<unknown> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const index = received.findIndex((message) => message.event === event);
        if (index >= 0) return JSON.parse(received.splice(index, 1)[0].data);
        if (Date.now() > deadline) throw new Error(`no ${event} event within 10 s`);
        const { done, value } = await reader.read();
        if (done) throw new Error('the stream ended');
        received.push(...parser.push(value));
      }
    };
    try {
      expect(toOverallProgress(await next('summary'), Date.now()).percent).toBeNull();
      const resources = toResources(await next('resources'));
      expect(resources.host).toBe(hostname());
      expect(resources.gpus[0].processes[0]).toMatchObject({ pid: process.pid });
      await folders.writeRun(root, 'live/run', { progress: { current: 5, total: 10 } });
      expect(toRunRow(await next('run'))).toMatchObject({
        id: 'live/run',
        status: 'running',
        percent: 50,
        current: 5,
        total: 10,
      });
      await rm(join(root, 'live'), { recursive: true });
      expect(await next('removed')).toEqual({ id: 'live/run' });
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
  });

  test('the log stream: a tail, then appended pieces the page can read', async ({
    root,
    server,
  }) => {
    const record = await folders.writeRun(root, 'follow/run');
    await folders.writeLog(root, record.id, 'one\ntwo\n');
    await expect.poll(() => server.index.get(record.id), { timeout: 10_000 }).toBeDefined();
    const client = new ApiClient(() => TOKEN, server.url);
    const controller = new AbortController();
    const response = await fetch(client.logStreamUrl(record.id, 1), {
      headers: client.authHeaders(),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    const pieces: unknown[] = [];
    const nextPiece = async () => {
      const deadline = Date.now() + 10_000;
      while (pieces.length === 0) {
        if (Date.now() > deadline) throw new Error('no log event within 10 s');
        const { done, value } = await reader.read();
        if (done) throw new Error('the stream ended');
        for (const message of parser.push(value)) {
          if (message.event === 'log') pieces.push(JSON.parse(message.data));
        }
      }
      return toLogPiece(pieces.shift());
    };
    try {
      expect(await nextPiece()).toEqual({ text: 'two\n', end: 8, reset: true, exists: true });
      await folders.appendLog(root, record.id, 'three\n');
      expect(await nextPiece()).toEqual({ text: 'three\n', end: 14, reset: false, exists: true });
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
  });
});
