/** One GPU as `nvidia-smi` reports it. Sizes in MiB; `null` where the driver reports N/A. */
export interface GpuInfo {
  /** Device index, as in `CUDA_VISIBLE_DEVICES`. */
  index: number;
  uuid: string;
  name: string;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  memoryFreeMiB: number | null;
  utilizationPercent: number | null;
  /** Compute processes on this GPU, when asked for; other PID namespaces' may be missing. */
  processes: GpuProcess[];
}

export interface GpuProcess {
  pid: number;
  usedMemoryMiB: number | null;
}

/** The `--query-gpu` fields {@link parseGpuQuery} expects, in this order. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
] as const;

/** The `--query-compute-apps` fields {@link parseComputeAppsQuery} expects, in this order. */
export const COMPUTE_APPS_QUERY_FIELDS = ['gpu_uuid', 'pid', 'used_memory'] as const;

/**
 * Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu
 * --format=csv,noheader,nounits`. A header line, units (`143771 MiB`, `0 %`) and `[N/A]` /
 * `[Not Supported]` values are tolerated; lines that do not fit are skipped.
 *
 * @example
 * parseGpuQuery('0, GPU-2a31…, NVIDIA H200, 143771, 0, 143156, 0\n');
 * // [{ index: 0, name: 'NVIDIA H200', memoryFreeMiB: 143156, utilizationPercent: 0, … }]
 */
export function parseGpuQuery(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csvLines(text)) {
    const fields = splitCsvLine(line);
    if (fields.length < GPU_QUERY_FIELDS.length) continue;
    const index = Number(fields[0]);
    if (!Number.isInteger(index) || index < 0) continue; // a header line, or an error message
    gpus.push({
      index,
      uuid: fields[1],
      name: fields[2],
      memoryTotalMiB: parseNumber(fields[3]),
      memoryUsedMiB: parseNumber(fields[4]),
      memoryFreeMiB: parseNumber(fields[5]),
      utilizationPercent: parseNumber(fields[6]),
      processes: [],
    });
  }
  return gpus;
}

/**
 * Parses `nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits`
 * into processes by GPU uuid.
 *
 * @example
 * parseComputeAppsQuery('GPU-2a31…, 4242, 20480\n').get('GPU-2a31…'); // [{ pid: 4242, usedMemoryMiB: 20480 }]
 */
export function parseComputeAppsQuery(text: string): Map<string, GpuProcess[]> {
  const byGpu = new Map<string, GpuProcess[]>();
  for (const line of csvLines(text)) {
    const [uuid, pidText, memory] = splitCsvLine(line);
    const pid = Number(pidText);
    if (!uuid || !Number.isInteger(pid) || pid <= 0) continue;
    const list = byGpu.get(uuid) ?? [];
    list.push({ pid, usedMemoryMiB: parseNumber(memory) });
    byGpu.set(uuid, list);
  }
  return byGpu;
}

function csvLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** nvidia-smi's CSV: comma and space separated, no quoting (GPU names hold no commas). */
function splitCsvLine(line: string): string[] {
  return line.split(',').map((field) => field.trim());
}

function parseNumber(field: string | undefined): number | null {
  if (field === undefined) return null;
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*(?:MiB|%|W))?$/.exec(field.trim());
  return match ? Number(match[1]) : null;
}
