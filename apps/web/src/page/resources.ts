import { isObject } from './run-row.js';

export interface GpuProcess {
  pid: number | null;
  /** `name (pid) 1.2 GiB`, as shown in the table. */
  label: string;
}

export interface Gpu {
  index: number;
  name: string | null;
  utilizationPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  temperatureC: number | null;
  processes: GpuProcess[];
}

/** The body of `GET /api/resources`, normalised. */
export interface Resources {
  host: string | null;
  cpu: { cores: number | null; load1: number | null; percent: number | null };
  memory: { usedBytes: number | null; totalBytes: number | null };
  gpus: Gpu[];
  /** Why the GPU list is empty, when the server says (e.g. nvidia-smi failed). */
  gpuError: string | null;
}

const MIB = 1024 * 1024;

/**
 * Normalises the body of `GET /api/resources`. Memory sizes are taken in bytes from fields
 * named `…Bytes` (or plain names), and in MiB from fields named `…MiB` (nvidia-smi's unit).
 *
 * @example
 * toResources({ cpu: { cores: 8, loadAverage: [2, 1, 1] }, memory: { totalBytes: 8e9, usedBytes: 2e9 }, gpus: [] });
 */
export function toResources(body: unknown): Resources {
  const root = isObject(body) ? body : {};
  const cpu = isObject(root['cpu']) ? root['cpu'] : {};
  const memory = isObject(root['memory']) ? root['memory'] : {};
  const cores = num(cpu['cores']) ?? num(cpu['count']) ?? num(root['cpus']);
  const loadList = cpu['loadAverage'] ?? cpu['load'] ?? root['loadAverage'];
  const load1 = Array.isArray(loadList) ? num(loadList[0]) : num(loadList);
  let percent = num(cpu['percent']) ?? num(cpu['utilizationPercent']) ?? num(cpu['usagePercent']);
  if (percent === null && load1 !== null && cores) percent = Math.min(100, (load1 / cores) * 100);
  const totalBytes = bytes(memory, 'total');
  const freeBytes = bytes(memory, 'available') ?? bytes(memory, 'free');
  const usedBytes =
    bytes(memory, 'used') ??
    (totalBytes !== null && freeBytes !== null ? totalBytes - freeBytes : null);
  const gpuList = Array.isArray(root['gpus']) ? root['gpus'] : [];
  const gpuError =
    text(root['gpuError']) ??
    (isObject(root['gpuError']) ? text(root['gpuError']['message']) : null);
  return {
    host: text(root['host']) ?? text(root['hostname']),
    cpu: { cores, load1, percent },
    memory: { usedBytes, totalBytes },
    gpus: gpuList.filter(isObject).map((gpu, position) => toGpu(gpu, position)),
    gpuError,
  };
}

function toGpu(gpu: Record<string, unknown>, position: number): Gpu {
  const memory = isObject(gpu['memory']) ? gpu['memory'] : gpu;
  const processes = Array.isArray(gpu['processes']) ? gpu['processes'] : [];
  return {
    index: num(gpu['index']) ?? position,
    name: text(gpu['name']),
    utilizationPercent:
      num(gpu['utilizationPercent']) ??
      num(gpu['utilization']) ??
      num(gpu['gpuUtilization']) ??
      num(gpu['util']),
    memoryUsedBytes: bytes(memory, 'memoryUsed') ?? bytes(memory, 'used'),
    memoryTotalBytes: bytes(memory, 'memoryTotal') ?? bytes(memory, 'total'),
    temperatureC: num(gpu['temperatureC']) ?? num(gpu['temperature']),
    processes: processes.filter(isObject).map((process) => {
      const pid = num(process['pid']);
      const name =
        text(process['name']) ?? text(process['processName']) ?? text(process['command']);
      const used =
        bytes(process, 'usedMemory') ?? bytes(process, 'memoryUsed') ?? bytes(process, 'memory');
      const runId = text(process['runId']);
      const label = [
        runId ?? name ?? 'process',
        pid === null ? '' : `(${pid})`,
        used === null ? '' : formatMiB(used),
      ]
        .filter(Boolean)
        .join(' ');
      return { pid, label };
    }),
  };
}

/** A size field `name`, `nameBytes` (bytes) or `nameMiB`/`nameMib` (MiB), in bytes. */
function bytes(object: Record<string, unknown>, name: string): number | null {
  const inBytes = num(object[`${name}Bytes`]) ?? num(object[name]);
  if (inBytes !== null) return inBytes;
  const inMiB = num(object[`${name}MiB`]) ?? num(object[`${name}Mib`]) ?? num(object[`${name}Mb`]);
  return inMiB === null ? null : inMiB * MIB;
}

function formatMiB(value: number): string {
  return value >= 1024 * MIB
    ? `${(value / 1024 / MIB).toFixed(1)} GiB`
    : `${Math.round(value / MIB)} MiB`;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
