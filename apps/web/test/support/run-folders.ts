import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJson } from '@runboard/json-io';
import { RUN_FILES } from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';

/** A host that is not this machine, so the index does not probe the pids of these records. */
export const OTHER_HOST = 'gpu-node-7';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A valid run record, fresh and `running` unless `fields` say otherwise. */
export function runRecord(
  id: string,
  fields: Partial<RunRecord> = {},
  now = Date.now(),
): RunRecord {
  return {
    schemaVersion: 1,
    id,
    status: 'running',
    attempt: 1,
    maxAttempts: 2,
    command: ['python', 'train.py', '--config', `configs/${id.split('/').pop() ?? id}.yaml`],
    host: OTHER_HOST,
    supervisorPid: 41_000,
    pid: 41_001,
    gpus: [0],
    queuedAt: iso(now - 30 * 60_000),
    startedAt: iso(now - 20 * 60_000),
    heartbeatAt: iso(now - 2000),
    progressChangedAt: iso(now - 2000),
    updatedAt: iso(now - 2000),
    ...fields,
  };
}

/** Writes `record` as `<root>/<id>/progress.json` the way runboard does: atomically. */
export async function writeRecord(root: string, record: RunRecord): Promise<void> {
  const dir = join(root, ...record.id.split('/'));
  await mkdir(dir, { recursive: true });
  await writeJson(join(dir, RUN_FILES.progress), record);
}

/** Writes a fresh {@link runRecord} of `id` under `root` (see {@link writeRecord}); returns it. */
export async function writeRun(root: string, id: string, fields: Partial<RunRecord> = {}) {
  const record = runRecord(id, fields);
  await writeRecord(root, record);
  return record;
}

export async function writeLog(root: string, id: string, text: string): Promise<void> {
  await writeFile(join(root, ...id.split('/'), RUN_FILES.log), text);
}

export async function appendLog(root: string, id: string, text: string): Promise<void> {
  await appendFile(join(root, ...id.split('/'), RUN_FILES.log), text);
}

/** Writes a `metrics.jsonl` of `count` reports, one a minute up to `now`, loss falling and accuracy rising. */
export async function writeMetrics(
  root: string,
  id: string,
  count: number,
  now = Date.now(),
  seed = 1,
): Promise<void> {
  const lines: string[] = [];
  let noise = seed;
  for (let step = 1; step <= count; step += 1) {
    noise = (noise * 9301 + 49_297) % 233_280;
    const jitter = noise / 233_280 - 0.5;
    const loss = 2.3 * Math.exp(-step / (count / 2.5)) + 0.18 + jitter * 0.06;
    const accuracy = 0.93 - 0.75 * Math.exp(-step / (count / 3)) + jitter * 0.015;
    lines.push(
      JSON.stringify({
        time: iso(now - (count - step) * 60_000),
        attempt: 1,
        source: 'marker',
        current: step,
        total: 100,
        percent: step,
        metrics: { loss: round(loss), val_acc: round(accuracy) },
      }),
    );
  }
  await writeFile(join(root, ...id.split('/'), RUN_FILES.metrics), `${lines.join('\n')}\n`);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
