import type { GpuInfo } from '../../gpus/parse-nvidia-smi.js';
import { GPU_QUERY_FIELDS, parseGpuQuery } from '../../gpus/parse-nvidia-smi.js';
import { shellQuote } from './shell-quote.js';

/** What one probe of a server saw: its hostname, live processes, and (for a policy) load and GPUs. */
export interface ServerProbe {
  /** The hostname the server's processes see (what its supervisors write as `host`). */
  hostname: string;
  /** Pids of its live processes (zombies left out). */
  pids: Set<number>;
  /** CPU load in % of its cores (1-minute load average), when asked. */
  cpuPercent?: number;
  /** Available RAM (`MemAvailable`), when asked. */
  freeRamMiB?: number;
  /** Its GPUs when asked, or why `nvidia-smi` did not answer. */
  gpus?: { available: true; list: GpuInfo[] } | { available: false; reason: string };
  checkedAt: number;
}

/**
 * The one command a probe runs on a server: hostname and processes always, load, RAM and
 * `nvidia-smi` with `resources` (a plan with a `gpuPolicy`). The server's `env` is exported
 * first (a `PATH` can name its `nvidia-smi`).
 *
 * @example
 * await connection.run(probeCommand({ resources: true, env: {} }));
 */
export function probeCommand(options: { resources: boolean; env: Record<string, string> }): string {
  const lines = Object.entries(options.env).map(
    ([name, value]) => `export ${name}=${shellQuote(value)}`,
  );
  lines.push('echo @host', 'hostname', 'echo @pids', 'ps -e -o pid=,stat=');
  if (options.resources)
    lines.push(
      'echo @load',
      'cat /proc/loadavg',
      'nproc',
      'grep MemAvailable /proc/meminfo',
      'echo @gpus',
      `nvidia-smi --query-gpu=${GPU_QUERY_FIELDS.join(',')} --format=csv,noheader,nounits 2>&1 || echo "@gpus-failed $?"`,
    );
  return lines.join('\n');
}

/**
 * Reads a probe's output (see {@link probeCommand}).
 *
 * @example
 * parseProbe('@host\ngpu-a\n@pids\n 1 Ss\n', Date.now()).hostname; // 'gpu-a'
 */
export function parseProbe(text: string, checkedAt: number): ServerProbe {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const section = /^@(host|pids|load|gpus)$/.exec(line.trim());
    if (section) sections.set(section[1], (current = []));
    else current.push(line);
  }
  const probe: ServerProbe = {
    hostname: (sections.get('host') ?? []).join('').trim(),
    pids: new Set(),
    checkedAt,
  };
  for (const line of sections.get('pids') ?? []) {
    const [pid, state] = line.trim().split(/\s+/);
    if (pid && !state?.startsWith('Z')) probe.pids.add(Number(pid));
  }
  const load = sections.get('load');
  if (load) {
    const average = Number(load[0]?.split(' ')[0]);
    const cores = Number(load[1]);
    const available = /MemAvailable:\s+(\d+)\s*kB/.exec(load.join('\n'));
    if (Number.isFinite(average) && cores > 0) probe.cpuPercent = (100 * average) / cores;
    if (available) probe.freeRamMiB = Math.floor(Number(available[1]) / 1024);
  }
  const gpus = sections.get('gpus');
  if (gpus) {
    const text = gpus.join('\n');
    const failed = /@gpus-failed (\d+)/.exec(text);
    probe.gpus = failed
      ? {
          available: false,
          reason:
            failed[1] === '127'
              ? 'nvidia-smi not found on PATH'
              : `nvidia-smi failed: ${text.replace(failed[0], '').trim().split('\n')[0] ?? ''}`,
        }
      : { available: true, list: parseGpuQuery(text) };
  }
  return probe;
}
