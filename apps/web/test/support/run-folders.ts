import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';
import { testRunRecord, writeTestRun } from '@runboard/test-kit';

export { OTHER_HOST, writeTestRecord as writeRecord } from '@runboard/test-kit';

const iso = (ms: number): string => new Date(ms).toISOString();

/** test-kit's valid run record, typed as the launcher's: fresh and `running` unless `fields` say otherwise. */
export const runRecord = (id: string, fields: Partial<RunRecord> = {}, now?: number): RunRecord =>
  testRunRecord<RunRecord>(id, fields, now);

/** Writes a fresh {@link runRecord} of `id` under `root`, whole; returns it. */
export const writeRun = (root: string, id: string, fields: Partial<RunRecord> = {}) =>
  writeTestRun<RunRecord>(root, id, fields);

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
