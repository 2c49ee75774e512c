import { execFile } from 'node:child_process';
import type { GpuInfo } from './parse-nvidia-smi.js';
import {
  COMPUTE_APPS_QUERY_FIELDS,
  GPU_QUERY_FIELDS,
  parseComputeAppsQuery,
  parseGpuQuery,
} from './parse-nvidia-smi.js';

/** What `nvidia-smi` said: `available: false` when it is absent or fails (no driver). */
export interface GpuStatus {
  available: boolean;
  gpus: GpuInfo[];
  /** Why it is not available. */
  reason?: string;
  /** When it was asked, ms since the epoch. */
  checkedAt: number;
}

export interface QueryGpusOptions {
  /** The program to run (default `nvidia-smi`, looked up on `PATH`). */
  command?: string;
  /** Give up after this long (default 10 s; a hung driver can block nvidia-smi). */
  timeoutMs?: number;
  /** Also list compute processes per GPU (one more nvidia-smi call). Default true. */
  processes?: boolean;
}

/**
 * Asks `nvidia-smi` for every GPU's memory and utilization (and its compute processes).
 * Never throws: an absent or failing `nvidia-smi` gives `available: false` with the reason.
 * Inside containers the process list can miss other PID namespaces' processes; judge a GPU
 * free by its memory and utilization, not by an empty process list.
 *
 * @example
 * const status = await readGpuStatus();
 * if (!status.available) console.warn(status.reason);
 */
export async function readGpuStatus(options: QueryGpusOptions = {}): Promise<GpuStatus> {
  const command = options.command ?? 'nvidia-smi';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const checkedAt = Date.now();
  try {
    const gpuText = await run(
      command,
      [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      timeoutMs,
    );
    const gpus = parseGpuQuery(gpuText);
    if (options.processes !== false && gpus.length > 0) {
      try {
        const appsText = await run(
          command,
          [
            `--query-compute-apps=${COMPUTE_APPS_QUERY_FIELDS.join(',')}`,
            '--format=csv,noheader,nounits',
          ],
          timeoutMs,
        );
        const byGpu = parseComputeAppsQuery(appsText);
        for (const gpu of gpus) gpu.processes = byGpu.get(gpu.uuid) ?? [];
      } catch {
        // The process list is extra information; memory and utilization are what count.
      }
    }
    return { available: true, gpus, checkedAt };
  } catch (error) {
    return { available: false, gpus: [], reason: describeFailure(command, error), checkedAt };
  }
}

/**
 * The GPUs `nvidia-smi` lists; `[]` when it is absent or fails.
 *
 * @example
 * for (const gpu of await queryGpus()) console.log(gpu.index, gpu.memoryFreeMiB, gpu.utilizationPercent);
 */
export async function queryGpus(options: QueryGpusOptions = {}): Promise<GpuInfo[]> {
  return (await readGpuStatus(options)).gpus;
}

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr }));
        else resolve(stdout);
      },
    );
  });
}

function describeFailure(command: string, error: unknown): string {
  const failure = error as NodeJS.ErrnoException & {
    stderr?: string;
    killed?: boolean;
    code?: string | number;
  };
  if (failure.code === 'ENOENT') return `${command} not found on PATH`;
  if (failure.killed) return `${command} did not answer in time`;
  const detail = (failure.stderr ?? '').trim().split('\n')[0] || failure.message;
  return `${command} failed: ${detail}`;
}
