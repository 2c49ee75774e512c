#!/usr/bin/env node
// Stands in for nvidia-smi on machines without GPUs, answering the two queries runboard makes
// (`--query-gpu=…` and `--query-compute-apps=…`, `--format=csv,noheader,nounits`). Its answer
// comes from, in this order:
//   FAKE_NVIDIA_SMI_FAIL=1         fail the way a machine without a driver does (exit 9);
//   FAKE_NVIDIA_SMI_GPUS / _APPS   files holding the CSV answers verbatim (tests rewrite them);
//   FAKE_NVIDIA_SMI_SCENARIO       a JSON file { "gpus": [{ "utilizationPercent", "memoryUsedMiB",
//                                  "processes": [{ "pid", "usedMemoryMiB" }] }] }: every GPU is the
//                                  captured H200 (name, memory size, driver reserve) with that load
//                                  ("utilizationPercent": "[N/A]" is printed as such, as a MIG GPU does);
//   nothing set                    two idle H200s.
// FAKE_NVIDIA_SMI_CALLS names a file that gets one line per call: the arguments.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const env = process.env;
if (env.FAKE_NVIDIA_SMI_CALLS) appendFileSync(env.FAKE_NVIDIA_SMI_CALLS, `${args.join(' ')}\n`);
if (env.FAKE_NVIDIA_SMI_FAIL === '1') {
  process.stderr.write(
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
  );
  process.exit(9);
}
const query = args.find((arg) => arg.startsWith('--query-')) ?? '';
const isGpuQuery = query.startsWith('--query-gpu=');
const isAppsQuery = query.startsWith('--query-compute-apps=');
if (!isGpuQuery && !isAppsQuery) {
  process.stderr.write(`fake nvidia-smi: unsupported arguments ${args.join(' ')}\n`);
  process.exit(2);
}

if (env.FAKE_NVIDIA_SMI_GPUS || env.FAKE_NVIDIA_SMI_APPS) {
  const file = isGpuQuery ? env.FAKE_NVIDIA_SMI_GPUS : env.FAKE_NVIDIA_SMI_APPS;
  process.stdout.write(file && existsSync(file) ? readFileSync(file, 'utf8') : '');
  process.exit(0);
}

const captured = readFileSync(
  new URL('../fixtures/nvidia-smi-h200/query-gpu.csv', import.meta.url),
  'utf8',
)
  .trim()
  .split(', ');
const [, , name, totalText, usedText, freeText] = captured;
const totalMiB = Number(totalText);
const reservedMiB = totalMiB - Number(usedText) - Number(freeText);
const scenario = env.FAKE_NVIDIA_SMI_SCENARIO
  ? JSON.parse(readFileSync(env.FAKE_NVIDIA_SMI_SCENARIO, 'utf8'))
  : {
      gpus: [
        { utilizationPercent: 0, memoryUsedMiB: 0 },
        { utilizationPercent: 0, memoryUsedMiB: 0 },
      ],
    };
// Recognisably not real uuids, in the real format.
const uuid = (index) => `GPU-00000000-0000-0000-0000-${String(index).padStart(12, '0')}`;

for (const [index, gpu] of scenario.gpus.entries()) {
  if (isGpuQuery) {
    const free = totalMiB - gpu.memoryUsedMiB - reservedMiB;
    process.stdout.write(
      `${index}, ${uuid(index)}, ${name}, ${totalMiB}, ${gpu.memoryUsedMiB}, ${free}, ${gpu.utilizationPercent}\n`,
    );
  } else {
    for (const app of gpu.processes ?? []) {
      process.stdout.write(`${uuid(index)}, ${app.pid}, ${app.usedMemoryMiB}\n`);
    }
  }
}
