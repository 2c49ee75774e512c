import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';
import { OTHER_HOST, writeTestRecord } from '@runboard/test-kit';

/**
 * Writes a valid run record to `<root>/<id>/progress.json` (before the CLI under test reads it):
 * a leaner one than test-kit's `testRunRecord` (one attempt, no GPUs, no progress, a minute of
 * runtime), which the status table's layout tests are written against.
 */
export async function writeRun(
  root: string,
  id: string,
  fields: Partial<RunRecord> = {},
  now = Date.now(),
): Promise<RunRecord> {
  const at = (ms: number): string => new Date(ms).toISOString();
  const record: RunRecord = {
    schemaVersion: 1,
    id,
    status: 'running',
    attempt: 1,
    command: ['python', 'train.py'],
    host: OTHER_HOST,
    supervisorPid: 41_000,
    pid: 41_001,
    startedAt: at(now - 60_000),
    heartbeatAt: at(now - 1000),
    updatedAt: at(now - 1000),
    ...fields,
  };
  await writeTestRecord(root, record);
  return record;
}

/** Writes a `progress.json` that is not JSON (a torn write by a foreign tool). */
export async function writeCorruptRun(root: string, id: string): Promise<void> {
  const dir = join(root, ...id.split('/'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, RUN_FILES.progress), '{"schemaVersion": 1, "id": "');
}
