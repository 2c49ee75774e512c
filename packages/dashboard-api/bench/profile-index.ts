// Profiling aid: the index alone over a cached benchmark fixture (no server). Prints time and
// CPU until complete, RSS and heap. PROFILE_WATCH=1 adds the watcher's first pass and a rescan;
// PROFILE_SRC names another copy of src/index.ts (as BENCH_SRC does for the benchmark).
// node --expose-gc --import tsx --conditions=@runboard/source [--cpu-prof] bench/profile-index.ts <root>
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as DashboardApi from '../src/index.js';

const source = process.env.PROFILE_SRC
  ? pathToFileURL(resolve(process.env.PROFILE_SRC)).href
  : new URL('../src/index.ts', import.meta.url).href;
const { RunIndex } = (await import(source)) as typeof DashboardApi;

const root = process.argv[2];
const rss = (): number => Math.round(process.memoryUsage().rss / 1048576);
const rssBefore = rss();
const cpuBefore = process.cpuUsage();
const started = performance.now();
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
const index = await RunIndex.open({
  root,
  watch: process.env.PROFILE_WATCH === '1',
  background: true,
  liveLaunchers: false,
  rescanIntervalMs: 0,
});
const firstPageMs = await new Promise<number>((resolve) => {
  const check = (): void => {
    if (index.list({ limit: 100 }).runs.length === 100) resolve(performance.now() - started);
    else setTimeout(check, 5);
  };
  check();
});
await index.whenIndexed();
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
globalThis.gc?.();
const heap = Math.round(process.memoryUsage().heapUsed / 1048576);
console.log(
  JSON.stringify({
    runs: index.size,
    firstPageMs: Math.round(firstPageMs),
    completeMs: Math.round(ms),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssBefore,
    rssAfter: rss(),
    peak,
    heapAfterGc: heap,
    counts: index.summary().counts,
  }),
);
if (process.env.PROFILE_SPACES === '1') {
  const { getHeapSpaceStatistics } = await import('node:v8');
  console.log(process.memoryUsage());
  for (const space of getHeapSpaceStatistics())
    console.log(
      space.space_name,
      Math.round(space.space_size / 1048576),
      Math.round(space.space_used_size / 1048576),
    );
}
if (process.env.PROFILE_WATCH === '1') {
  const stage = (name: string): void => {
    globalThis.gc?.();
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    const mib = (bytes: number): number => Math.round(bytes / 1048576);
    console.log(name, Math.round(performance.now() - started), 'ms', {
      rss: mib(rss),
      heapUsed: mib(heapUsed),
      heapTotal: mib(heapTotal),
      peak,
    });
  };
  stage('indexed');
  const sampler2 = setInterval(() => (peak = Math.max(peak, rss())), 100);
  await index.whenWatching();
  stage('watching');
  const cpu0 = process.cpuUsage();
  await index.rescan();
  const cpu1 = process.cpuUsage(cpu0);
  stage(`rescan (cpu ${Math.round((cpu1.user + cpu1.system) / 1000)} ms)`);
  clearInterval(sampler2);
}
await index.close();
