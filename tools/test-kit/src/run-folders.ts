import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A host that is not this machine, so readers do not probe the pids of these records. */
export const OTHER_HOST = 'gpu-node-7';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The smallest valid run record (schema version 1): `running`, attempt 1, command `['true']`,
 * updated at `updatedAt`, and no other field unless `fields` give it, for tests of what is shown
 * or decided from the fields a record has. Typed by the caller like {@link testRunRecord}.
 *
 * @example
 * const failed = minimalRunRecord<RunRecord>('a', { status: 'failed', finishedAt }, now);
 */
export function minimalRunRecord<R extends object = Record<string, unknown>>(
  id: string,
  fields: Partial<R> = {},
  updatedAt = Date.now(),
): R {
  return {
    schemaVersion: 1,
    id,
    status: 'running',
    attempt: 1,
    command: ['true'],
    updatedAt: iso(updatedAt),
    ...fields,
  } as unknown as R;
}

/**
 * A valid run record (schema version 1), fresh and `running` on {@link OTHER_HOST} unless
 * `fields` say otherwise: a {@link minimalRunRecord} with the fields of a typical run under way.
 * Typed by the caller, e.g. `testRunRecord<RunRecord>(…)`, so that this kit needs no runboard
 * package (every layer's tests use it).
 *
 * @example
 * const record = testRunRecord<RunRecord>('sweep/lr_0.1', { status: 'failed', exitCode: 3 });
 */
export function testRunRecord<R extends object = Record<string, unknown>>(
  id: string,
  fields: Partial<R> = {},
  now = Date.now(),
): R {
  const underWay = {
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
    progress: { current: 3, total: 10, unit: 'epoch' },
  };
  return minimalRunRecord<R>(id, { ...underWay, ...fields } as Partial<R>, now - 2000);
}

/**
 * Writes `record` as `<root>/<record.id>/progress.json` the way runboard's writers do: whole,
 * through a temp file and a rename, so a reader never sees it half written.
 *
 * @example
 * await writeTestRecord(root, testRunRecord('a', { status: 'succeeded' }));
 */
export async function writeTestRecord<R extends { id: string }>(
  root: string,
  record: R,
): Promise<string> {
  const dir = join(root, ...record.id.split('/'));
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'progress.json');
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, file);
  return file;
}

/**
 * Writes a fresh {@link testRunRecord} of `id` (its times relative to `now`) under `root` and
 * returns it.
 *
 * @example
 * await writeTestRun<RunRecord>(root, 'sweep/a', { status: 'queued' });
 */
export async function writeTestRun<R extends object = Record<string, unknown>>(
  root: string,
  id: string,
  fields: Partial<R> = {},
  now = Date.now(),
): Promise<R> {
  const record = testRunRecord<R>(id, fields, now);
  await writeTestRecord(root, { ...record, id });
  return record;
}
