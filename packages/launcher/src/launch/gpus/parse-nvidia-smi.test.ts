import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { H200_FIXTURES } from '@runboard/test-kit';
import { describe, expect, test } from 'vitest';
import { parseComputeAppsQuery, parseGpuQuery } from './parse-nvidia-smi.js';

const fixture = (name: string) => readFileSync(join(H200_FIXTURES, name), 'utf8');

describe('nvidia-smi parsing', () => {
  test('real H200 --query-gpu output (noheader, nounits)', () => {
    expect(parseGpuQuery(fixture('query-gpu.csv'))).toEqual([
      {
        index: 0,
        uuid: 'GPU-2a311d9d-4e63-03d1-940a-9fa658b398ad',
        name: 'NVIDIA H200',
        memoryTotalMiB: 143771,
        memoryUsedMiB: 0,
        memoryFreeMiB: 143156,
        utilizationPercent: 0,
        processes: [],
      },
    ]);
  });

  test('a header line and units are tolerated', () => {
    const text = `index, uuid, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%]
0, GPU-a, NVIDIA H200, 143771 MiB, 20480 MiB, 123291 MiB, 87 %
1, GPU-b, NVIDIA H200, 143771 MiB, [N/A], [Not Supported], [N/A]
`;
    expect(parseGpuQuery(text)).toMatchObject([
      { index: 0, memoryUsedMiB: 20480, memoryFreeMiB: 123291, utilizationPercent: 87 },
      {
        index: 1,
        memoryTotalMiB: 143771,
        memoryUsedMiB: null,
        memoryFreeMiB: null,
        utilizationPercent: null,
      },
    ]);
  });

  test('error text and short lines give no GPUs', () => {
    expect(
      parseGpuQuery(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
      ),
    ).toEqual([]);
    expect(parseGpuQuery('')).toEqual([]);
    expect(parseGpuQuery('0, GPU-a\n')).toEqual([]);
  });

  test('compute apps by GPU uuid; the real header-only capture has none', () => {
    expect(parseComputeAppsQuery(fixture('query-apps-header.csv')).size).toBe(0);
    const apps = parseComputeAppsQuery(
      'GPU-a, 4242, 20480\nGPU-a, 4343, [N/A]\nGPU-b, 17, 100 MiB\n',
    );
    expect(apps.get('GPU-a')).toEqual([
      { pid: 4242, usedMemoryMiB: 20480 },
      { pid: 4343, usedMemoryMiB: null },
    ]);
    expect(apps.get('GPU-b')).toEqual([{ pid: 17, usedMemoryMiB: 100 }]);
  });
});
