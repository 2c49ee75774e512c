// Benchmark child: the dashboard as shipped. Prints one JSON line when ready, then serves.
import { startDashboardServer } from '../src/index.js';

const root = process.argv[2];
const baselineRssMiB = process.memoryUsage().rss / 1048576;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const server = await startDashboardServer({
  root,
  port: 0,
  onWarning: (warning) => console.error(warning.message),
});
const listeningMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const listeningCpuMs = (cpu.user + cpu.system) / 1000;
await server.index.whenWatching();
const watchingMs = performance.now() - started;
console.log(
  JSON.stringify({
    port: server.port,
    runs: server.index.size,
    listeningMs,
    listeningCpuMs,
    watchingMs,
    baselineRssMiB,
    mode: server.index.watchMode,
  }),
);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
