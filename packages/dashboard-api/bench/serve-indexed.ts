// Benchmark child: the dashboard as shipped. Prints a JSON line when listening, and a second
// one when the index is complete and the watcher in place; then serves until SIGTERM.
// BENCH_SRC names another copy of the package's src/index.ts (to measure the code before a change).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as DashboardApi from '../src/index.js';

const root = process.argv[2];
const baselineRssMiB = process.memoryUsage().rss / 1048576;
const source = process.env.BENCH_SRC
  ? pathToFileURL(resolve(process.env.BENCH_SRC)).href
  : new URL('../src/index.ts', import.meta.url).href;
const { startDashboardServer } = (await import(source)) as typeof DashboardApi;
const cpuBefore = process.cpuUsage();
const startedMs = performance.now();
const server = await startDashboardServer({
  root,
  port: 0,
  background: true, // as `runboard dashboard` starts it (ignored by code before issue 15)
  onWarning: (warning) => console.error(warning.message),
});
const cpuMs = (): number => {
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / 1000;
};
console.log(
  JSON.stringify({ port: server.port, startedMs, listeningMs: performance.now(), baselineRssMiB }),
);
const index = server.index as typeof server.index & { whenIndexed?: () => Promise<void> };
await index.whenIndexed?.();
const indexedMs = performance.now();
const indexedCpuMs = cpuMs();
await index.whenWatching();
console.log(
  JSON.stringify({
    runs: index.size,
    indexedMs,
    indexedCpuMs,
    watchingMs: performance.now(),
    mode: index.watchMode,
  }),
);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
