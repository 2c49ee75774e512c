import { hostname } from 'node:os';
import { join } from 'node:path';
import { updateJson } from '@runboard/json-io';
import { isLocalProcessAlive } from '../../run-folder/process-alive.js';
import type { RunRecord } from '../../run-folder/run-record.js';
import { readRunRecord } from '../../run-folder/run-records.js';
import type { ServerBusy } from './server-slots.js';

/**
 * The root-level file whose lock serialises GPU choices of every launcher on a root. It lists
 * the run ids that may hold GPUs; the run records themselves say whether they do (a dot-folder,
 * so the dashboard's run index never scans it).
 */
export const GPU_CLAIMS_FILE = join('.runboard', 'gpu-slots.json');

interface GpuClaimsFile {
  version: 1;
  /** Run ids (relative to the root) whose records may hold GPUs; pruned by their records. */
  holders: string[];
}

export interface GpuHoldOptions {
  now: number;
  /** A `starting` claim older than this holds nothing (as in `deriveState`). */
  stalledAfterSeconds: number;
  /** Default: {@link isLocalProcessAlive}. */
  isProcessAlive?: (host: string, pid: number) => boolean | undefined;
  /** Default: this machine's host name. */
  host?: string;
}

/**
 * Whether a run record holds its GPUs on this host now: a `starting` claim by a live launcher
 * (and younger than `stalledAfterSeconds`), or a `running` run whose supervisor or job is still
 * alive (an orphaned job still uses its GPU until a launcher stops it and records it lost).
 * GPU ids are per machine, so records of other hosts hold nothing here.
 *
 * @example
 * holdsGpus(record, { now: Date.now(), stalledAfterSeconds: 60 }); // false once its launcher died
 */
export function holdsGpus(record: RunRecord, options: GpuHoldOptions): boolean {
  if (!record.gpus || record.gpus.length === 0) return false;
  const host = options.host ?? thisHost;
  const alive = (pid: number | null | undefined) =>
    typeof pid === 'number' && (options.isProcessAlive ?? isLocalProcessAlive)(host, pid) === true;
  if (record.status === 'starting') {
    if (record.launcher?.host !== host || !alive(record.launcher.pid)) return false;
    const claimedAt = Date.parse(record.updatedAt ?? '');
    return Number.isNaN(claimedAt) || options.now - claimedAt <= options.stalledAfterSeconds * 1000;
  }
  if (record.status === 'running')
    return record.host === host && (alive(record.supervisorPid) || alive(record.pid));
  return false;
}

const thisHost = hostname();

/**
 * Whether a record of a server pool's run (`server` set) holds a slot on its server now: a
 * `starting` claim by a launcher not known dead, younger than `stalledAfterSeconds`, or a
 * `running` run whose heartbeat is fresh and whose supervisor is not known dead on its host.
 * Liveness on other hosts comes from `isProcessAlive` (the SSH executor's probes).
 *
 * @example
 * holdsServerSlot(record, { now: Date.now(), stalledAfterSeconds: 60, isProcessAlive });
 */
export function holdsServerSlot(record: RunRecord, options: GpuHoldOptions): boolean {
  if (!record.server) return false;
  const isAlive = options.isProcessAlive ?? isLocalProcessAlive;
  const fresh = (time: string | null | undefined) => {
    const at = Date.parse(time ?? '');
    return Number.isNaN(at) || options.now - at <= options.stalledAfterSeconds * 1000;
  };
  if (record.status === 'starting')
    return (
      fresh(record.updatedAt) &&
      !(record.launcher && isAlive(record.launcher.host, record.launcher.pid) === false)
    );
  if (record.status === 'running')
    return (
      fresh(record.heartbeatAt) &&
      !(record.host && record.supervisorPid && isAlive(record.host, record.supervisorPid) === false)
    );
  return false;
}

/** Thrown inside the update to leave the file as it is. */
const UNCHANGED = Symbol('unchanged');

/**
 * Runs `claim` under the root's GPU lock, after counting the GPUs held on this host by the
 * runs listed in the root's {@link GPU_CLAIMS_FILE} (their records and liveness decide; runs
 * that hold nothing are dropped from the list). `claim` gets that count per GPU (the run
 * `runId` itself left out) and resolves with whether its run now holds GPUs (it claimed them);
 * the run is then listed before the lock is released, so the next launcher sees it.
 *
 * @example
 * await withGpuClaims(root, 'cdd/run_1', { stalledAfterSeconds: 60 }, async (busy) => {
 *   const gpus = slots.allocate(1, { busy });
 *   return gpus !== undefined && (await claimRecord(gpus));
 * });
 */
export async function withGpuClaims(
  root: string,
  runId: string,
  options: Pick<GpuHoldOptions, 'stalledAfterSeconds' | 'isProcessAlive'>,
  claim: (busy: Map<number, number>, servers: Map<string, ServerBusy>) => Promise<boolean>,
): Promise<void> {
  try {
    await updateJson<GpuClaimsFile | null>(
      join(root, GPU_CLAIMS_FILE),
      async (current) => {
        const listed = parseHolders(current);
        const others = listed.filter((id) => id !== runId);
        const now = Date.now();
        const records = await Promise.all(others.map((id) => readHolder(root, id)));
        const busy = new Map<number, number>();
        const servers = new Map<string, ServerBusy>();
        const holders: string[] = [];
        others.forEach((id, index) => {
          const record = records[index];
          // Unreadable now (e.g. being repaired): stays listed, looked at again next time.
          if (record === null) holders.push(id);
          if (record?.server) {
            if (!holdsServerSlot(record, { now, ...options })) return;
            holders.push(id);
            const held = servers.get(record.server) ?? { runs: 0, gpus: new Map() };
            held.runs++;
            for (const gpu of record.gpus ?? []) held.gpus.set(gpu, (held.gpus.get(gpu) ?? 0) + 1);
            servers.set(record.server, held);
            return;
          }
          if (!record || !holdsGpus(record, { now, ...options })) return;
          holders.push(id);
          for (const gpu of record.gpus ?? []) busy.set(gpu, (busy.get(gpu) ?? 0) + 1);
        });
        // The run itself is not counted against itself (a claim replaces its record), but when
        // it did not claim, another launcher's claim of it may hold GPUs: it stays listed then.
        if (await claim(busy, servers)) holders.push(runId);
        else {
          const record = await readHolder(root, runId);
          const holdOptions = { now: Date.now(), ...options };
          if (
            record === null ||
            (record && (holdsGpus(record, holdOptions) || holdsServerSlot(record, holdOptions)))
          )
            holders.push(runId);
        }
        if (sameList(listed, holders)) throw UNCHANGED;
        return { version: 1, holders };
      },
      { default: null },
    );
  } catch (error) {
    if (error !== UNCHANGED && !(error instanceof Error && causedBy(error, UNCHANGED))) throw error;
  }
}

/** The record of a listed run; `undefined` when it has none, `null` when it cannot be read. */
async function readHolder(root: string, runId: string): Promise<RunRecord | undefined | null> {
  try {
    return await readRunRecord(join(root, runId));
  } catch {
    return null;
  }
}

function parseHolders(value: unknown): string[] {
  const holders = (value as Partial<GpuClaimsFile> | null)?.holders;
  return Array.isArray(holders) ? holders.filter((id): id is string => typeof id === 'string') : [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

function causedBy(error: Error, cause: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (current === cause) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}
