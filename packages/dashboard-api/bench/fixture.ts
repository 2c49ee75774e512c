// The benchmark's run folders: `group_K/Model-sN_run_M/` with progress.json, run.log and
// metrics.jsonl, like a lab's history: 1% running, 1% queued, the rest finished. Creating
// 100,000 folders takes minutes on 2 cores, so the set is made once into a cached folder under
// the temp dir and reused while its `.complete` marker is there (BENCH_FRESH=1 makes it anew;
// `rm -rf /tmp/runboard-bench-fixture-*` removes every cached set).
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bump when the layout or the records change, so an old cached set is not reused. */
const FIXTURE_VERSION = 2;
const RUNS_PER_GROUP = 500;
const MARKER = '.complete';

export type BenchStatus = 'running' | 'queued' | 'succeeded' | 'failed' | 'cancelled';

/** Run `i`'s stored status: 1% running, 1% queued, 10% failed, 3% cancelled, 85% succeeded. */
export function statusOf(i: number): BenchStatus {
  const slot = i % 100;
  if (slot === 0) return 'running';
  if (slot === 1) return 'queued';
  if (slot < 12) return 'failed';
  if (slot < 15) return 'cancelled';
  return 'succeeded';
}

export function runId(i: number): string {
  return `group_${Math.floor(i / RUNS_PER_GROUP)}/Model-s${i % 50}_run_${i}`;
}

export function record(i: number, now: number, current = i % 100) {
  const id = runId(i);
  const status = statusOf(i);
  const iso = new Date(now - (i % 3600) * 1000).toISOString();
  // The benchmark's writes count far past 100 (each write's own marker in the event).
  const total = current > 100 ? 10_000_000 : 100;
  const finished = status !== 'running' && status !== 'queued';
  return {
    schemaVersion: 1,
    id,
    status,
    attempt: 1,
    command: ['python', 'train.py', '--config', `configs/${id}.yaml`, '--seed', String(i % 50)],
    host: 'gpu-box-1',
    queuedAt: iso,
    startedAt: status === 'queued' ? null : iso,
    heartbeatAt: new Date(now).toISOString(),
    progressChangedAt: new Date(now).toISOString(),
    finishedAt: finished ? new Date(now).toISOString() : null,
    updatedAt: new Date(now).toISOString(),
    exitCode: status === 'succeeded' ? 0 : status === 'failed' ? 1 : null,
    error: status === 'failed' ? 'exited with code 1' : null,
    errorTail: status === 'failed' ? ['Traceback (most recent call last):', 'KeyError: lr'] : null,
    progress: { current, total, unit: 'epoch', percent: (current / total) * 100, etaSeconds: 3600 },
    metrics: { loss: 1 / (current + 1), val_iou: current / 100, val_f1: current / 120, lr: 0.001 },
  };
}

/** The cached folder with `runs` run folders, made first when missing. */
export async function fixtureRoot(runs: number): Promise<string> {
  const root = join(tmpdir(), `runboard-bench-fixture-${runs}-v${FIXTURE_VERSION}`);
  const marker = join(root, MARKER);
  if (process.env.BENCH_FRESH !== '1' && (await exists(marker))) {
    console.error(`reusing ${root}`);
    return root;
  }
  await rm(root, { recursive: true, force: true });
  const started = performance.now();
  await createRuns(root, runs);
  await writeFile(marker, '');
  console.error(
    `created ${runs} run folders in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return root;
}

async function createRuns(root: string, runs: number): Promise<void> {
  const now = Date.now();
  const batch: Promise<void>[] = [];
  for (let i = 0; i < runs; i += 1) {
    batch.push(
      (async () => {
        const dir = join(root, runId(i));
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'progress.json'), JSON.stringify(record(i, now), null, 2));
        await writeFile(join(dir, 'run.log'), `epoch 1\nepoch 2\n`);
        await writeFile(
          join(dir, 'metrics.jsonl'),
          `${JSON.stringify({ time: new Date(now).toISOString(), current: 1 })}\n`,
        );
      })(),
    );
    if (batch.length >= 64) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
