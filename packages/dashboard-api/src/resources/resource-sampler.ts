import { readFile } from 'node:fs/promises';
import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os';
import { readGpuStatus } from '@runboard/launcher';
import type { GpuInfo, GpuStatus } from '@runboard/launcher';
import { checkNumberOption, readProcessStatAsync } from '@runboard/locking';
import type { ServerPoolSampler } from './server-pool-sampler.js';
import type { ServerResourcesView } from './server-resources-view.js';

/** A process on a GPU, with the run it belongs to when the dashboard can tell. */
export interface GpuProcessView {
  pid: number;
  /** The process's command name (Linux `/proc/<pid>/comm`), `null` when unknown. */
  name: string | null;
  /** GPU memory it uses, MiB; `null` where the driver does not say. */
  usedMemoryMiB: number | null;
  /** The run whose job is this process or one of its ancestors (this host only), else `null`. */
  runId: string | null;
}

/** One GPU as `nvidia-smi` reports it (the launcher's `GpuInfo`), its processes labelled. */
export interface GpuView extends Omit<GpuInfo, 'processes'> {
  processes: GpuProcessView[];
}

/** `GET /api/resources`: this machine's CPU, memory and GPUs, and each server of the pool. */
export interface ResourcesSnapshot {
  hostname: string;
  /** When the numbers were taken (ISO-8601); answers are cached for a moment. */
  sampledAt: string;
  cpu: {
    cores: number;
    model: string | null;
    /** 1, 5 and 15 minute load averages (zeros on Windows). */
    loadAverage: [number, number, number];
    /** Busy share of all cores since the previous sample, 0–100; `null` on the first. */
    utilizationPercent: number | null;
  };
  memory: {
    totalBytes: number;
    /** Memory available to new work (Linux: `MemAvailable`). */
    availableBytes: number;
    usedBytes: number;
    usedPercent: number;
  };
  /** GPUs from `nvidia-smi`; empty when there is none. */
  gpus: GpuView[];
  /** Why there is no GPU list (`nvidia-smi` not found, no driver …); `null` when there is one. */
  gpuUnavailableReason: string | null;
  /**
   * The SSH server pool of the root (`.runboard/servers.json`), one entry per server with its
   * GPUs, CPU and RAM, or why it is unreachable; empty without a pool.
   */
  servers: ServerResourcesView[];
  /** Why the pool's `servers.json` could not be read; `null` when it could (or there is none). */
  serversError: string | null;
}

export interface ResourceSamplerOptions {
  /** How long one answer is reused. Default 2000 ms. */
  cacheMs?: number;
  /** The GPU query; default the launcher's `readGpuStatus` (runs `nvidia-smi`). */
  queryGpus?: () => Promise<GpuStatus>;
  /** The `nvidia-smi` to run with the default query. Default `nvidia-smi` from `PATH`. */
  nvidiaSmiCommand?: string;
  /** Maps a process id of this host to the run it belongs to. */
  runIdForPid?: () => ReadonlyMap<number, string>;
  /** Samples the SSH server pool too (see `ServerPoolSampler`). Default: no pool. */
  pool?: ServerPoolSampler;
  /** Maps the pids of the runs recorded on a server's hostname to their runs. */
  runPidsOnHost?: (hostname: string) => ReadonlyMap<number, string>;
}

/** Without a working nvidia-smi, ask it again only this often. */
const UNAVAILABLE_GPU_RECHECK_MS = 60_000;
const NVIDIA_SMI_TIMEOUT_MS = 5000;
const MAX_PARENT_HOPS = 8;

interface CpuTimes {
  idle: number;
  total: number;
}

/**
 * Samples this machine's resources for `GET /api/resources`, with a short cache so that many
 * open pages do not spawn many `nvidia-smi` processes.
 *
 * @example
 * const sampler = new ResourceSampler({ cacheMs: 2000 });
 * const { cpu, memory, gpus } = await sampler.sample();
 */
export class ResourceSampler {
  private readonly cacheMs: number;
  private readonly queryGpus: () => Promise<GpuStatus>;
  private readonly runIdForPid: () => ReadonlyMap<number, string>;
  private readonly pool: ServerPoolSampler | undefined;
  private readonly runPidsOnHost: (hostname: string) => ReadonlyMap<number, string>;
  private previousCpu: CpuTimes = cpuTimes();
  private cached: { at: number; snapshot: Promise<ResourcesSnapshot> } | undefined;
  private unavailableGpus: GpuStatus | undefined;

  constructor(options: ResourceSamplerOptions = {}) {
    this.cacheMs =
      options.cacheMs === undefined
        ? 2000
        : checkNumberOption('cacheMs', options.cacheMs, { integer: true, min: 0 });
    const command = options.nvidiaSmiCommand;
    this.queryGpus =
      options.queryGpus ??
      (() => readGpuStatus({ timeoutMs: NVIDIA_SMI_TIMEOUT_MS, ...(command ? { command } : {}) }));
    this.runIdForPid = options.runIdForPid ?? (() => new Map());
    this.pool = options.pool;
    this.runPidsOnHost = options.runPidsOnHost ?? (() => new Map());
  }

  /**
   * Ends the pool's SSH connections (no page is open); the next sample opens them again.
   *
   * @example
   * await sampler.release();
   */
  async release(): Promise<void> {
    this.cached = undefined;
    await this.pool?.close();
  }

  sample(): Promise<ResourcesSnapshot> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.snapshot;
    const snapshot = this.take(now);
    this.cached = { at: now, snapshot };
    snapshot.catch(() => {
      this.cached = undefined;
    });
    return snapshot;
  }

  private async take(now: number): Promise<ResourcesSnapshot> {
    const [gpuStatus, pool] = await Promise.all([
      this.sampleGpus(now),
      this.pool?.sample(this.runPidsOnHost),
    ]);
    const currentCpu = cpuTimes();
    const busy = currentCpu.total - this.previousCpu.total;
    const utilizationPercent =
      busy > 0 ? round(100 * (1 - (currentCpu.idle - this.previousCpu.idle) / busy)) : null;
    this.previousCpu = currentCpu;
    const cpuList = cpus();
    const totalBytes = totalmem();
    const availableBytes = freemem();
    const load = loadavg();
    const pids = this.runIdForPid();
    const gpus: GpuView[] = [];
    for (const gpu of gpuStatus.gpus) {
      const processes: GpuProcessView[] = [];
      for (const process of gpu.processes) {
        processes.push({
          pid: process.pid,
          name: await processName(process.pid),
          usedMemoryMiB: process.usedMemoryMiB,
          runId: await findRunOfProcess(process.pid, pids),
        });
      }
      gpus.push({ ...gpu, processes });
    }
    return {
      hostname: hostname(),
      sampledAt: new Date(now).toISOString(),
      cpu: {
        cores: cpuList.length,
        model: cpuList[0]?.model ?? null,
        loadAverage: [round(load[0]), round(load[1]), round(load[2])],
        utilizationPercent,
      },
      memory: {
        totalBytes,
        availableBytes,
        usedBytes: totalBytes - availableBytes,
        usedPercent: totalBytes > 0 ? round((100 * (totalBytes - availableBytes)) / totalBytes) : 0,
      },
      gpus,
      gpuUnavailableReason: gpuStatus.available
        ? null
        : (gpuStatus.reason ?? 'nvidia-smi gave no answer'),
      servers: pool?.servers ?? [],
      serversError: pool?.error ?? null,
    };
  }

  private async sampleGpus(now: number): Promise<GpuStatus> {
    const unavailable = this.unavailableGpus;
    if (unavailable && now - unavailable.checkedAt < UNAVAILABLE_GPU_RECHECK_MS) return unavailable;
    const status = await this.queryGpus();
    this.unavailableGpus = status.available ? undefined : { ...status, checkedAt: now };
    return status;
  }
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, idle: idleTime, irq } = cpu.times;
    idle += idleTime;
    total += user + nice + sys + idleTime + irq;
  }
  return { idle, total };
}

/** The run of `pid` or of its nearest ancestor that is a run's job (Linux `/proc`). */
async function findRunOfProcess(
  pid: number,
  pids: ReadonlyMap<number, string>,
): Promise<string | null> {
  let current = pid;
  for (let hop = 0; hop <= MAX_PARENT_HOPS; hop += 1) {
    const runId = pids.get(current);
    if (runId !== undefined) return runId;
    const parent = (await readProcessStatAsync(current))?.parentPid;
    if (parent === undefined || parent <= 1) return null;
    current = parent;
  }
  return null;
}

async function processName(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
