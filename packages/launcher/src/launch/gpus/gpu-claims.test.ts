import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJson, writeJson } from '@runboard/json-io';
import { testWithTempDir } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../../run-folder/run-record.js';
import { GPU_CLAIMS_FILE, holdsGpus, withGpuClaims } from './gpu-claims.js';

const test = testWithTempDir('runboard-gpu-claims-');

const host = hostname();
/** A pid that is surely dead: a child that already exited. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
const NOW = Date.now();

function record(extra: Partial<RunRecord>): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    id: 'a',
    status: 'running',
    attempt: 1,
    command: ['x'],
    gpus: [0],
    updatedAt: new Date(NOW).toISOString(),
    ...extra,
  } as RunRecord;
}

const holds = (extra: Partial<RunRecord>) =>
  holdsGpus(record(extra), { now: NOW, stalledAfterSeconds: 60 });

describe('holdsGpus', () => {
  test('a claim holds its GPUs while its launcher lives and the claim is fresh', () => {
    const live = { host, pid: process.pid };
    expect(holds({ status: 'starting', launcher: live })).toBe(true);
    expect(holds({ status: 'starting', launcher: { host, pid: deadPid } })).toBe(false);
    expect(
      holds({
        status: 'starting',
        launcher: live,
        updatedAt: new Date(NOW - 61_000).toISOString(),
      }),
    ).toBe(false);
    expect(holds({ status: 'starting', launcher: { host: `${host}-other`, pid: 1 } })).toBe(false);
  });

  test('a running run holds them while its supervisor or its (orphaned) job lives, on this host only', () => {
    expect(holds({ host, supervisorPid: process.pid, pid: deadPid })).toBe(true);
    expect(holds({ host, supervisorPid: deadPid, pid: process.pid })).toBe(true);
    expect(holds({ host, supervisorPid: deadPid, pid: deadPid })).toBe(false);
    expect(holds({ host: `${host}-other`, supervisorPid: process.pid })).toBe(false);
    expect(holds({ host, supervisorPid: process.pid, gpus: [] })).toBe(false);
    for (const status of ['queued', 'succeeded', 'failed', 'cancelled'] as const)
      expect(holds({ status, host, supervisorPid: process.pid })).toBe(false);
  });
});

describe('withGpuClaims', () => {
  const options = { stalledAfterSeconds: 60 };

  test('counts GPUs held by listed runs, drops the ones that hold nothing, lists a new claim', async ({
    dir: root,
  }) => {
    await writeJson(
      join(root, 'live', 'progress.json'),
      record({ id: 'live', host, supervisorPid: process.pid, gpus: [1] }),
    );
    await writeJson(
      join(root, 'dead', 'progress.json'),
      record({ id: 'dead', status: 'starting', launcher: { host, pid: deadPid }, gpus: [0] }),
    );
    await writeJson(join(root, GPU_CLAIMS_FILE), {
      version: 1,
      holders: ['live', 'dead', 'gone'],
    });
    let seen: Map<number, number> | undefined;
    await withGpuClaims(root, 'new', options, async (busy) => {
      seen = busy;
      return true;
    });
    expect(Object.fromEntries(seen!)).toEqual({ 1: 1 });
    expect(await readJson(join(root, GPU_CLAIMS_FILE))).toEqual({
      version: 1,
      holders: ['live', 'new'],
    });
    // The run itself is never counted against itself; not claimed, it stays listed while its
    // record (another launcher's run) holds GPUs. A run with no record holds nothing.
    await withGpuClaims(root, 'live', options, async (busy) => {
      seen = busy;
      return false;
    });
    expect(seen!.size).toBe(0);
    expect(await readJson(join(root, GPU_CLAIMS_FILE))).toEqual({ version: 1, holders: ['live'] });
    await withGpuClaims(root, 'dead', options, async () => false);
    expect(await readJson(join(root, GPU_CLAIMS_FILE))).toEqual({ version: 1, holders: ['live'] });
  });

  test('claims on one root run one at a time', async ({ dir: root }) => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        withGpuClaims(root, `run_${index}`, options, async () => {
          most = Math.max(most, ++inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside--;
          return false;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  test('passes errors of the claim through', async ({ dir: root }) => {
    await expect(
      withGpuClaims(root, 'a', options, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
  });
});
