import type { GpuProcessView, GpuView } from './resource-sampler.js';
import type { ServerProcess } from './server-query.js';
import type { ServerState } from './server-sampler.js';

/** One server of the pool in `GET /api/resources` (`servers`). */
export interface ServerResourcesView {
  /** The plan's name of the server (records' `server`). */
  name: string;
  /** What `ssh` connects to. */
  host: string;
  /** The hostname the server reports (records' `host`); `null` until it answered. */
  hostname: string | null;
  /** It answered the latest query. */
  reachable: boolean;
  /** No query has ended yet (the first one is on its way). */
  pending: boolean;
  /** Why it is unreachable (ssh's words, e.g. `Connection refused`). */
  error?: string;
  /** When the latest query ended (ISO-8601); `null` while pending. */
  sampledAt: string | null;
  cpu: {
    cores: number | null;
    /** 1, 5 and 15 minute load averages. */
    loadAverage: [number, number, number] | null;
    /** 1-minute load average ÷ cores, in %. */
    loadPercent: number | null;
  };
  ram: {
    totalBytes: number | null;
    /** `MemAvailable`. */
    availableBytes: number | null;
    usedBytes: number | null;
    usedPercent: number | null;
  };
  /** Its GPUs (`nvidia-smi`), processes labelled with their runs; empty when unreachable. */
  gpus: GpuView[];
  /** Why there is no GPU list; `null` when `nvidia-smi` answered (or the server did not). */
  gpuUnavailableReason: string | null;
  /** GPU ids the plan hands out there. */
  planGpus: number[];
}

const MIB = 1024 * 1024;
const MAX_PARENT_HOPS = 8;

/**
 * The view of a server in `state`; `runPidsOnHost` maps the pids of the runs recorded on a
 * hostname (job and supervisor) to their run ids, and labels GPU processes through their
 * parents.
 *
 * @example
 * toServerView({ name: 'gpu-a', host: '10.0.0.5', gpus: [0, 1] }, sampler.state, (host) => index.localRunPids(host));
 */
export function toServerView(
  server: { name: string; host: string; gpus: readonly number[] },
  state: ServerState,
  runPidsOnHost: (hostname: string) => ReadonlyMap<number, string>,
): ServerResourcesView {
  const view: ServerResourcesView = {
    name: server.name,
    host: server.host,
    hostname: null,
    reachable: state.kind === 'answered',
    pending: state.kind === 'pending',
    sampledAt: state.kind === 'pending' ? null : new Date(state.at).toISOString(),
    cpu: { cores: null, loadAverage: null, loadPercent: null },
    ram: { totalBytes: null, availableBytes: null, usedBytes: null, usedPercent: null },
    gpus: [],
    gpuUnavailableReason: null,
    planGpus: [...server.gpus],
  };
  if (state.kind === 'unreachable') view.error = state.error;
  if (state.kind !== 'answered') return view;
  const { answer } = state;
  const runPids = runPidsOnHost(answer.hostname);
  const total = answer.totalRamMiB === null ? null : answer.totalRamMiB * MIB;
  const available = answer.availableRamMiB === null ? null : answer.availableRamMiB * MIB;
  const used = total !== null && available !== null ? Math.max(0, total - available) : null;
  return {
    ...view,
    hostname: answer.hostname,
    cpu: { cores: answer.cores, loadAverage: answer.loadAverage, loadPercent: answer.loadPercent },
    ram: {
      totalBytes: total,
      availableBytes: available,
      usedBytes: used,
      usedPercent: used !== null && total ? Math.round((10_000 * used) / total) / 100 : null,
    },
    gpus: answer.gpus.map((gpu) => ({
      ...gpu,
      processes: gpu.processes.map((process): GpuProcessView => ({
        pid: process.pid,
        name: answer.processes.get(process.pid)?.name ?? null,
        usedMemoryMiB: process.usedMemoryMiB,
        runId: runOfProcess(process.pid, runPids, answer.processes),
      })),
    })),
    gpuUnavailableReason: answer.gpuUnavailableReason,
  };
}

/** The run of `pid` or of its nearest ancestor that is a run's job or supervisor. */
function runOfProcess(
  pid: number,
  runPids: ReadonlyMap<number, string>,
  processes: ReadonlyMap<number, ServerProcess>,
): string | null {
  let current = pid;
  for (let hop = 0; hop <= MAX_PARENT_HOPS; hop += 1) {
    const runId = runPids.get(current);
    if (runId !== undefined) return runId;
    const parent = processes.get(current)?.parentPid;
    if (parent === undefined || parent <= 1) return null;
    current = parent;
  }
  return null;
}
