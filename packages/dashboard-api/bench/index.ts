// `npm run bench`: the dashboard over BENCH_RUNS run folders (default 10,000; issue 15's case is
// BENCH_RUNS=100000) in nested groups, each server in its own process so its memory is its own.
// Measures: cold start (listening, first full page, complete index), list latency with and
// without filters, write → SSE latency and lost events, RSS. BENCH_NAIVE=1 adds the naive
// server (reads every progress.json per request); BENCH_SRC measures another copy of src/.
// The run folders are cached under the temp dir (see fixture.ts); BENCH_CLEAN=1 removes them after.
import { rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeJson } from '@runboard/json-io';
import { fixtureRoot, record, runId, statusOf } from './fixture.js';
import type { Child } from './bench-client.js';
import {
  getJson,
  killChildren,
  ms,
  percentile,
  rssMiB,
  sleep,
  sseClient,
  startChild,
  stopChild,
  timeUntil,
  timedList,
} from './bench-client.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const COLD_ROUNDS = RUNS > 20_000 ? 2 : 3;
const LIST_REQUESTS = 100;
const ACTIVE_WRITES = 100;
const FINISHED_WRITES = 10;
/** "Lost": no event within this time (issue 15 measured within 3 s). */
const EVENT_TIMEOUT_MS = 3000;
const LIST_QUERIES = {
  'no filter': 'limit=100',
  'status=failed': 'status=failed&limit=100',
  'q=model-s7_': 'q=model-s7_&limit=100',
  'sort=status': 'sort=status&limit=100',
  'sort=updatedAt desc, status=succeeded': 'sort=updatedAt&order=desc&status=succeeded&limit=100',
} as const;

interface Summary {
  total: number;
  counts: Record<string, number>;
  indexing?: { indexed: number; total: number | null } | null;
}

async function main(): Promise<void> {
  const root = await fixtureRoot(RUNS);
  const loadBefore = loadavg()[0];
  try {
    const cold = await measureCold(root);
    const server = await startChild('serve-indexed.ts', root);
    const ready = await server.ready;
    const list = await measureList(server);
    const summary = await getJson<Summary>(`${server.base}/api/summary`);
    const exact = countsExact(summary);
    const sse = await measureWrites(root, server);
    const memory = await rssMiB(server);
    await stopChild(server);
    const naive = process.env.BENCH_NAIVE === '1' ? await measureNaive(root) : null;
    printReport({
      cold,
      list,
      sse,
      memory,
      exact,
      mode: ready.mode,
      baseline: server.listening.baselineRssMiB as number,
      naive,
      loadBefore,
    });
  } finally {
    killChildren();
    if (process.env.BENCH_CLEAN === '1') await rm(root, { recursive: true, force: true });
  }
}

async function measureCold(root: string) {
  const rounds: {
    loaded: number;
    listening: number;
    firstPage: number;
    complete: number;
    cpu: number;
    watching: number;
  }[] = [];
  for (let round = 0; round < COLD_ROUNDS; round += 1) {
    const child = await startChild('serve-indexed.ts', root);
    const listening = performance.now() - child.startedAt;
    // Node, tsx and the modules: the time before the dashboard's own start.
    const loaded = child.listening.startedMs as number;
    const firstPage = await timeUntil(
      child.startedAt,
      async () =>
        (await getJson<{ runs: unknown[] }>(`${child.base}/api/runs?limit=100`)).runs.length ===
        100,
    );
    const ready = await child.ready;
    // The child's clock starts with its process, about when it was spawned; polling the
    // summary for it instead would cost the index a full pass of 100,000 runs each time.
    const complete = ready.indexedMs as number;
    if (ready.runs !== RUNS)
      throw new Error(`indexed ${String(ready.runs)} runs, expected ${RUNS}`);
    const watching = performance.now() - child.startedAt;
    rounds.push({
      loaded,
      listening,
      firstPage,
      complete,
      cpu: ready.indexedCpuMs as number,
      watching,
    });
    await stopChild(child);
    console.error(`cold round ${round + 1}/${COLD_ROUNDS}: ${JSON.stringify(rounds[round])}`);
  }
  const median = (key: keyof (typeof rounds)[number]) =>
    percentile(
      rounds.map((r) => r[key]),
      50,
    );
  return {
    loaded: median('loaded'),
    listening: median('listening'),
    firstPage: median('firstPage'),
    complete: median('complete'),
    cpu: median('cpu'),
    watching: median('watching'),
  };
}

async function measureList(server: Child) {
  const results: Record<string, number[]> = {};
  for (const [label, query] of Object.entries(LIST_QUERIES)) {
    const url = `${server.base}/api/runs?${query}`;
    for (let i = 0; i < 5; i += 1) await timedList(url);
    results[label] = [];
    for (let i = 0; i < LIST_REQUESTS; i += 1) results[label].push(await timedList(url));
  }
  console.error('list latency done');
  return results;
}

function countsExact(summary: Summary): boolean {
  const expected: Record<string, number> = {};
  for (let i = 0; i < RUNS; i += 1) expected[statusOf(i)] = (expected[statusOf(i)] ?? 0) + 1;
  // Running records of the fixture may show as `stalled` (their heartbeat is old): count both.
  const shown = { ...summary.counts };
  shown.running = (shown.running ?? 0) + (shown.stalled ?? 0) + (shown.stuck ?? 0);
  return (
    summary.total === RUNS && Object.entries(expected).every(([status, n]) => shown[status] === n)
  );
}

let counter = 1_000_000;

/** Writes to random active runs one after the other, then to finished runs all at once. */
async function measureWrites(root: string, server: Child) {
  const client = await sseClient(server.base);
  await client.ready;
  const pick = (active: boolean): number => {
    for (;;) {
      const i = Math.floor(Math.random() * RUNS);
      const status = statusOf(i);
      if ((status === 'running' || status === 'queued') === active) return i;
    }
  };
  const write = async (i: number, timeoutMs: number): Promise<number | null> => {
    const current = (counter += 1);
    const arrived = client.waitFor(`"current":${current},`, timeoutMs);
    const started = performance.now();
    await writeJson(join(root, runId(i), 'progress.json'), record(i, Date.now(), current));
    const at = await arrived;
    return at === null ? null : at - started;
  };
  const active: (number | null)[] = [];
  for (let w = 0; w < ACTIVE_WRITES; w += 1) {
    active.push(await write(pick(true), EVENT_TIMEOUT_MS));
    await sleep(20);
  }
  const finishedTimeout = Number(process.env.BENCH_FINISHED_TIMEOUT_MS ?? 60_000);
  const finished = await Promise.all(
    Array.from({ length: FINISHED_WRITES }, () => write(pick(false), finishedTimeout)),
  );
  client.close();
  console.error('write → SSE done');
  const split = (values: (number | null)[]) => ({
    latencies: values.filter((value): value is number => value !== null),
    lost: values.filter((value) => value === null).length,
  });
  return { active: split(active), finished: { ...split(finished), timeoutMs: finishedTimeout } };
}

async function measureNaive(root: string) {
  const child = await startChild('serve-naive.ts', root);
  const first = await timedList(`${child.base}/api/runs?limit=100`);
  const list: number[] = [];
  for (let i = 0; i < 5; i += 1) list.push(await timedList(`${child.base}/api/runs?limit=100`));
  const memory = await rssMiB(child);
  await stopChild(child);
  return { first, list: percentile(list, 50), memory };
}

function printReport(results: {
  cold: Awaited<ReturnType<typeof measureCold>>;
  list: Record<string, number[]>;
  sse: Awaited<ReturnType<typeof measureWrites>>;
  memory: { rss: number; peak: number };
  exact: boolean;
  mode: unknown;
  baseline: number;
  naive: Awaited<ReturnType<typeof measureNaive>> | null;
  loadBefore: number;
}): void {
  const { cold, list, sse, memory } = results;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Machine: ${cpus().length} cores (${cpu}), Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z; ` +
      `load average ${results.loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; watch mode: ${String(results.mode)}; ` +
      `source: ${process.env.BENCH_SRC ?? 'src/'}\n`,
  );
  const rows: string[][] = [
    ['Runs', '', String(RUNS)],
    ['Cold, from spawn (medians): node + tsx + modules loaded', '', ms(cold.loaded)],
    ['Cold: listening', '', ms(cold.listening)],
    [
      "Cold: first page of 100 runs listed (from spawn / from the dashboard's start)",
      '≤ 2 s',
      `${ms(cold.firstPage)} / ${ms(cold.firstPage - cold.loaded)}`,
    ],
    ['Cold: index complete', '≤ 10 s', ms(cold.complete)],
    ['… CPU time until complete', '', ms(cold.cpu)],
    ['Cold: watcher in place', '', ms(cold.watching)],
  ];
  for (const [label, samples] of Object.entries(list))
    rows.push([
      `\`GET /api/runs\` ${label}: p50 / p95`,
      '≤ 20 / 50 ms',
      `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 95))}`,
    ]);
  rows.push(
    [
      `Write → SSE, active runs (${sse.active.latencies.length + sse.active.lost}): p50 / p95 / max`,
      'p95 ≤ 250 ms',
      `${ms(percentile(sse.active.latencies, 50))} / ${ms(percentile(sse.active.latencies, 95))} / ${ms(percentile(sse.active.latencies, 100))}`,
    ],
    [`… lost (no event within ${EVENT_TIMEOUT_MS / 1000} s)`, '0', String(sse.active.lost)],
    [
      `Write → SSE, finished runs (${FINISHED_WRITES} at once): p50 / max`,
      '',
      `${ms(percentile(sse.finished.latencies, 50))} / ${ms(percentile(sse.finished.latencies, 100))}`,
    ],
    [`… lost (none within ${sse.finished.timeoutMs / 1000} s)`, '0', String(sse.finished.lost)],
    [
      `RSS at the end / peak (${results.baseline.toFixed(0)} MiB before the index)`,
      '≤ 500 MB',
      `${memory.rss.toFixed(0)} / ${memory.peak.toFixed(0)} MiB`,
    ],
    ['Summary counts exact', 'yes', results.exact ? 'yes' : 'NO'],
  );
  if (results.naive)
    rows.push([
      'Naive server: first answer / list p50 / RSS',
      '',
      `${ms(results.naive.first)} / ${ms(results.naive.list)} / ${results.naive.memory.rss.toFixed(0)} MiB`,
    ]);
  console.log('| | target | measured |\n|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

process.once('SIGINT', () => {
  killChildren();
  process.exit(130);
});

await main();
