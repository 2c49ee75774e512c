// `npm run bench`: the dashboard's index against the naive approach (read every progress.json
// on each request) over 10,000 run folders. Each server runs in its own process so that its
// memory is its own; rounds are interleaved and medians reported.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeJson } from '@runboard/json-io';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const COLD_ROUNDS = 3;
const LIST_ROUNDS = 10;
const INDEXED_REQUESTS_PER_ROUND = 20;
const SSE_ROUNDS = 5;
const INDEXED_WRITES_PER_ROUND = 20;
const NAIVE_WRITES_PER_ROUND = 2;
const STATUSES = [
  'running',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'queued',
  'cancelled',
] as const;

const here = fileURLToPath(new URL('.', import.meta.url));
const children = new Set<ChildProcess>();

interface Child {
  process: ChildProcess;
  info: Record<string, unknown> & { port: number };
  base: string;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'runboard-bench-'));
  try {
    const createStart = performance.now();
    await createRuns(root);
    console.error(
      `created ${RUNS} run folders in ${((performance.now() - createStart) / 1000).toFixed(1)} s`,
    );
    const results = await measure(root);
    printTable(results);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
}

async function createRuns(root: string): Promise<void> {
  const now = Date.now();
  const batch: Promise<void>[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const id = `sweep_${String(Math.floor(i / 100)).padStart(3, '0')}/run_${String(i).padStart(5, '0')}`;
    batch.push(
      (async () => {
        const dir = join(root, id);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'progress.json'), JSON.stringify(record(id, i, now), null, 2));
        await writeFile(join(dir, 'run.log'), `epoch 1\nepoch 2\n`);
        await writeFile(
          join(dir, 'metrics.jsonl'),
          `${JSON.stringify({ time: new Date(now).toISOString(), current: 1 })}\n`,
        );
      })(),
    );
    if (batch.length >= 64) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

function record(id: string, i: number, now: number, current = i % 100) {
  const iso = new Date(now - (i % 3600) * 1000).toISOString();
  return {
    schemaVersion: 1,
    id,
    status: STATUSES[i % STATUSES.length],
    attempt: 1,
    command: ['python', 'train.py', '--config', `configs/${id}.yaml`],
    host: 'gpu-box-1',
    queuedAt: iso,
    startedAt: iso,
    heartbeatAt: new Date().toISOString(),
    progressChangedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    progress: {
      current,
      total: 100,
      unit: 'epoch',
      percent: current,
      etaSeconds: 3600 - current * 36,
    },
    metrics: { loss: 1 / (current + 1), val_iou: current / 100 },
  };
}

async function startChild(script: string, root: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@runboard/source', join(here, script), root],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const info = JSON.parse(line) as Child['info'];
  return { process: child, info, base: `http://127.0.0.1:${info.port}` };
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.process.kill('SIGKILL'))]);
}

async function rssMiB(child: Child): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${child.process.pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function timedGet(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  const body = (await response.json()) as { runs: unknown[] };
  const elapsed = performance.now() - started;
  if (response.status !== 200 || body.runs.length !== 100)
    throw new Error(`bad answer from ${url}`);
  return elapsed;
}

/** Connects to an SSE endpoint and resolves writes' waiters when a matching event arrives. */
async function sseClient(base: string) {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/events`, { signal: abort.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const waiters = new Map<string, (at: number) => void>();
  // The first summary (index) or the first completed poll (naive): later writes are changes.
  const ready = new Promise<number>((resolve) => waiters.set('event: summary', resolve));
  waiters.set(': polled', (at) => waiters.get('event: summary')?.(at));
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events) {
          for (const [key, resolve] of waiters) {
            if (event.includes(key)) {
              waiters.delete(key);
              resolve(at);
            }
          }
        }
      }
    } catch {
      // Aborted.
    }
  })();
  return {
    ready,
    waitFor(key: string, timeoutMs: number): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`no event ${key} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(key, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    close: () => abort.abort(),
  };
}

let writeCounter = 1000;

async function writeLatencies(
  root: string,
  base: string,
  writes: number,
  timeoutMs: number,
): Promise<number[]> {
  const client = await sseClient(base);
  await client.ready;
  const latencies: number[] = [];
  try {
    for (let w = 0; w < writes; w += 1) {
      const i = Math.floor(Math.random() * RUNS);
      const id = `sweep_${String(Math.floor(i / 100)).padStart(3, '0')}/run_${String(i).padStart(5, '0')}`;
      const current = (writeCounter += 1);
      const arrived = client.waitFor(`"current":${current},`, timeoutMs);
      const started = performance.now();
      await writeJson(join(root, id, 'progress.json'), {
        ...record(id, i, Date.now(), current),
        progress: { current, total: 100_000 },
      });
      latencies.push((await arrived) - started);
      await sleep(50);
    }
  } finally {
    client.close();
  }
  return latencies;
}

async function measure(root: string) {
  const cold = {
    indexedListen: [] as number[],
    indexedCpu: [] as number[],
    indexedWatch: [] as number[],
    naiveFirst: [] as number[],
  };
  for (let round = 0; round < COLD_ROUNDS; round += 1) {
    const indexed = await startChild('serve-indexed.ts', root);
    if (indexed.info.runs !== RUNS)
      throw new Error(`indexed ${String(indexed.info.runs)} runs, expected ${RUNS}`);
    cold.indexedListen.push(indexed.info.listeningMs as number);
    cold.indexedCpu.push(indexed.info.listeningCpuMs as number);
    cold.indexedWatch.push(indexed.info.watchingMs as number);
    await stopChild(indexed);
    const naive = await startChild('serve-naive.ts', root);
    cold.naiveFirst.push(await timedGet(`${naive.base}/api/runs?limit=100`));
    await stopChild(naive);
    console.error(`cold round ${round + 1}/${COLD_ROUNDS} done`);
  }

  const indexed = await startChild('serve-indexed.ts', root);
  const naive = await startChild('serve-naive.ts', root);
  const list = { indexed: [] as number[], naive: [] as number[] };
  for (let i = 0; i < 5; i += 1) await timedGet(`${indexed.base}/api/runs?limit=100`);
  for (let round = 0; round < LIST_ROUNDS; round += 1) {
    for (let i = 0; i < INDEXED_REQUESTS_PER_ROUND; i += 1)
      list.indexed.push(await timedGet(`${indexed.base}/api/runs?limit=100`));
    list.naive.push(await timedGet(`${naive.base}/api/runs?limit=100`));
  }
  console.error('list latency done');

  const sse = { indexed: [] as number[], naive: [] as number[] };
  for (let round = 0; round < SSE_ROUNDS; round += 1) {
    sse.indexed.push(...(await writeLatencies(root, indexed.base, INDEXED_WRITES_PER_ROUND, 5000)));
    sse.naive.push(...(await writeLatencies(root, naive.base, NAIVE_WRITES_PER_ROUND, 20_000)));
    console.error(`sse round ${round + 1}/${SSE_ROUNDS} done`);
  }
  const memory = { indexed: await rssMiB(indexed), naive: await rssMiB(naive) };
  await stopChild(indexed);
  await stopChild(naive);
  return {
    cold,
    list,
    sse,
    memory,
    watchMode: indexed.info.mode,
    baselineRssMiB: indexed.info.baselineRssMiB as number,
  };
}

function printTable(results: Awaited<ReturnType<typeof measure>>): void {
  const { cold, list, sse, memory } = results;
  const rows = [
    ['Runs', '', String(RUNS), String(RUNS), ''],
    [
      'Cold start: index built, API answering (median)',
      '≤ 3 s',
      ms(median(cold.indexedListen)),
      `${ms(median(cold.naiveFirst))} (first answer)`,
      '',
    ],
    ['… of which CPU time (user + system)', '', ms(median(cold.indexedCpu)), '', ''],
    ['Watcher ready, in the background (median)', '', ms(median(cold.indexedWatch)), '—', ''],
    ...percentileRows('`GET /api/runs?limit=100`', list, { p50: '≤ 20 ms' }),
    ...percentileRows('Write → SSE event', sse, { p95: '≤ 250 ms' }),
    [
      `RSS at the end / peak (${results.baselineRssMiB.toFixed(0)} MiB of it: Node + tsx + modules before the index)`,
      '≤ 250 MB',
      `${memory.indexed.rss.toFixed(0)} / ${memory.indexed.peak.toFixed(0)} MiB`,
      `${memory.naive.rss.toFixed(0)} / ${memory.naive.peak.toFixed(0)} MiB`,
      '',
    ],
  ];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Machine: ${cpus().length} cores (${cpu}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; watch mode: ${results.watchMode}`,
  );
  console.log(
    `Samples: cold ${COLD_ROUNDS} rounds; list ${list.indexed.length} indexed / ${list.naive.length} naive requests in ${LIST_ROUNDS} interleaved rounds; SSE ${sse.indexed.length} / ${sse.naive.length} writes in ${SSE_ROUNDS} interleaved rounds\n`,
  );
  console.log(
    '| | target | runboard index | naive (read all per request, poll 2 s) | naive ÷ index |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** The p50 row (with how many times slower naive is) and the p95 row of a latency. */
function percentileRows(
  label: string,
  samples: { indexed: number[]; naive: number[] },
  targets: { p50?: string; p95?: string },
): string[][] {
  return ([50, 95] as const).map((p) => {
    const indexed = percentile(samples.indexed, p);
    const naive = percentile(samples.naive, p);
    const ratio = naive / indexed;
    const times = p === 50 ? `${ratio.toFixed(ratio >= 10 ? 0 : 1)}×` : '';
    return [`${label} p${p}`, targets[`p${p}`] ?? '', ms(indexed), ms(naive), times];
  });
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.once('SIGINT', () => {
  for (const child of children) child.kill('SIGKILL');
  process.exit(130);
});

await main();
