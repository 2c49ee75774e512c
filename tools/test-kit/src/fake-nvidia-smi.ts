import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fake `nvidia-smi` script (see `bin/fake-nvidia-smi.mjs` for the variables it reads). */
export const FAKE_NVIDIA_SMI = fileURLToPath(
  new URL('../bin/fake-nvidia-smi.mjs', import.meta.url),
);

/** The folder of a real H200's `nvidia-smi` answers, captured for the parser tests. */
export const H200_FIXTURES = fileURLToPath(
  new URL('../fixtures/nvidia-smi-h200/', import.meta.url),
);

/**
 * Reads one captured H200 answer, e.g. `query-gpu.csv`.
 *
 * @example
 * const csv = await readH200Fixture('query-gpu.csv');
 */
export function readH200Fixture(name: string): Promise<string> {
  return readFile(join(H200_FIXTURES, name), 'utf8');
}

/** One simulated GPU of a {@link NvidiaSmiScenario}: an H200 with this load. */
export interface ScenarioGpu {
  /** Percent busy, or `'[N/A]'`, which nvidia-smi prints where a GPU does not report it (MIG). */
  utilizationPercent: number | '[N/A]';
  memoryUsedMiB: number;
  processes?: { pid: number; usedMemoryMiB: number }[];
}

/** What the fake answers when `FAKE_NVIDIA_SMI_SCENARIO` names a JSON file of this shape. */
export interface NvidiaSmiScenario {
  gpus: ScenarioGpu[];
}

/**
 * Writes `scenario` to `file` as JSON for `FAKE_NVIDIA_SMI_SCENARIO`, and returns `file`.
 *
 * @example
 * process.env.FAKE_NVIDIA_SMI_SCENARIO = await writeNvidiaSmiScenario(join(dir, 'gpus.json'), {
 *   gpus: [{ utilizationPercent: 87, memoryUsedMiB: 40_536 }],
 * });
 */
export async function writeNvidiaSmiScenario(
  file: string,
  scenario: NvidiaSmiScenario,
): Promise<string> {
  await writeFile(file, JSON.stringify(scenario));
  return file;
}

/**
 * Puts the fake as `nvidia-smi` into `binDir` (made if missing), for tests that put that
 * folder first on a child's `PATH`. Returns the fake's path there: a link, so that the fake
 * still finds the captured H200 beside its real path (scenarios and the idle default work).
 *
 * @example
 * const bin = await installFakeNvidiaSmi(join(dir, 'bin'));
 * spawn('runboard', args, { env: { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH}` } });
 */
export async function installFakeNvidiaSmi(binDir: string): Promise<string> {
  await mkdir(binDir, { recursive: true });
  const target = join(binDir, 'nvidia-smi');
  await symlink(FAKE_NVIDIA_SMI, target);
  return target;
}
