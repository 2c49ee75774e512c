import {
  COMPUTE_APPS_QUERY_FIELDS,
  parseComputeAppsQuery,
  parseProbe,
  probeCommand,
} from '@runboard/launcher';
import type { GpuInfo } from '@runboard/launcher';

/** Separates the launcher's probe from what the dashboard asks besides. */
const EXTRAS_MARK = '@@runboard-dashboard';

/** A process of a server, as `ps` lists it. */
export interface ServerProcess {
  parentPid: number;
  /** The command name (`comm`). */
  name: string;
}

/** What one query of a server answered. */
export interface ServerAnswer {
  /** The hostname its processes see (what its supervisors write as a record's `host`). */
  hostname: string;
  cores: number | null;
  /** 1, 5 and 15 minute load averages. */
  loadAverage: [number, number, number] | null;
  /** 1-minute load average ÷ cores, in % (the launcher's `gpuPolicy` measure). */
  loadPercent: number | null;
  totalRamMiB: number | null;
  /** `MemAvailable`. */
  availableRamMiB: number | null;
  /** Its GPUs, each with its compute processes; empty when `nvidia-smi` did not answer. */
  gpus: GpuInfo[];
  /** Why there is no GPU list; `null` when `nvidia-smi` answered. */
  gpuUnavailableReason: string | null;
  /** Every process by pid, to find the run a GPU process descends from. */
  processes: Map<number, ServerProcess>;
}

/**
 * The one command a dashboard runs on a server per sample: the launcher's probe (hostname,
 * processes, load, RAM, `nvidia-smi --query-gpu`, with the server's `env` exported first), then
 * cores, total RAM, load averages, the GPUs' compute processes and each process's parent and name.
 *
 * @example
 * const { stdout } = await connection.run(serverQueryCommand(server.env));
 * parseServerAnswer(stdout).gpus;
 */
export function serverQueryCommand(env: Record<string, string>): string {
  return [
    probeCommand({ resources: true, env }),
    `echo ${EXTRAS_MARK}`,
    'echo @cores',
    'nproc',
    'echo @memory',
    'grep MemTotal /proc/meminfo',
    'echo @load',
    'cat /proc/loadavg',
    'echo @apps',
    `nvidia-smi --query-compute-apps=${COMPUTE_APPS_QUERY_FIELDS.join(',')} --format=csv,noheader,nounits 2>/dev/null`,
    'echo @ps',
    'ps -e -o pid=,ppid=,comm=',
  ].join('\n');
}

/**
 * Reads the output of {@link serverQueryCommand}.
 *
 * @example
 * parseServerAnswer(stdout).hostname; // 'gpu-a'
 */
export function parseServerAnswer(text: string, now: number = Date.now()): ServerAnswer {
  const markAt = text.indexOf(`\n${EXTRAS_MARK}\n`);
  const probe = parseProbe(markAt < 0 ? text : text.slice(0, markAt), now);
  const extras = sectionsOf(markAt < 0 ? '' : text.slice(markAt + EXTRAS_MARK.length + 2));
  const cores = positiveNumber(extras.get('cores')?.[0]);
  const totalKiB = /MemTotal:\s+(\d+)\s*kB/.exec(extras.get('memory')?.join('\n') ?? '');
  const load = (extras.get('load')?.[0] ?? '').trim().split(/\s+/).slice(0, 3).map(Number);
  const gpus = probe.gpus?.available ? probe.gpus.list : [];
  const apps = parseComputeAppsQuery((extras.get('apps') ?? []).join('\n'));
  for (const gpu of gpus) gpu.processes = apps.get(gpu.uuid) ?? [];
  return {
    hostname: probe.hostname,
    cores,
    loadAverage:
      load.length === 3 && load.every(Number.isFinite) ? (load as [number, number, number]) : null,
    loadPercent: probe.cpuPercent === undefined ? null : round(probe.cpuPercent),
    totalRamMiB: totalKiB ? Math.floor(Number(totalKiB[1]) / 1024) : null,
    availableRamMiB: probe.freeRamMiB ?? null,
    gpus,
    gpuUnavailableReason:
      probe.gpus === undefined
        ? 'no answer from nvidia-smi'
        : probe.gpus.available
          ? null
          : probe.gpus.reason,
    processes: parseProcesses(extras.get('ps') ?? []),
  };
}

function sectionsOf(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const section = /^@(cores|memory|load|apps|ps)$/.exec(line.trim());
    if (section) sections.set(section[1], (current = []));
    else current.push(line);
  }
  return sections;
}

function parseProcesses(lines: readonly string[]): Map<number, ServerProcess> {
  const processes = new Map<number, ServerProcess>();
  for (const line of lines) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match)
      processes.set(Number(match[1]), { parentPid: Number(match[2]), name: match[3].trim() });
  }
  return processes;
}

function positiveNumber(text: string | undefined): number | null {
  const value = Number(text?.trim());
  return Number.isFinite(value) && value > 0 ? value : null;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
