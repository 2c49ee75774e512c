import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { appFor, json, test } from './app-helpers.js';
import { eventAfter, writeRun } from './test-utils.js';

const detail = {
  metrics: { loss: 0.25 },
  errorTail: ['Traceback (most recent call last):', "KeyError: 'lr'"],
  finalWriteError: {
    code: 'ENOSPC',
    file: '/runs/x/progress.json',
    message: 'no space left on device',
    firstFailedAt: '2026-12-05T10:00:00.000Z',
    tries: 3,
  },
};

describe('list rows and the detail (issue 15: memory per run; issue 12: the failure’s cause)', () => {
  test('list rows and run events carry a list record; GET /api/runs/<id> the whole record', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'sweep/f', { status: 'failed', error: 'exited with code 1', ...detail });
    const index = await openIndex({ watch: false, liveLaunchers: false });
    const app = appFor(index);

    const list = await json(await app.request('/api/runs'));
    expect(list.runs[0].record).toMatchObject({ status: 'failed', error: 'exited with code 1' });
    for (const field of ['metrics', 'errorTail', 'finalWriteError'])
      expect(list.runs[0].record).not.toHaveProperty(field);
    expect(index.get('sweep/f')?.record).not.toHaveProperty('metrics');

    const one = await json(await app.request('/api/runs/sweep/f'));
    expect(one.run).toMatchObject({ id: 'sweep/f', status: 'failed', waiting: null });
    expect(one.run.record).toMatchObject(detail);
  });

  test('the detail is read now: a newer record on disk than the index holds is shown whole', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r', { metrics: { loss: 1 } });
    const index = await openIndex({ watch: false, liveLaunchers: false });
    await writeRun(root, 'r', { metrics: { loss: 0.5 } });
    expect((await index.detail('r'))?.record?.metrics).toEqual({ loss: 0.5 });
    expect(await index.detail('nope')).toBeUndefined();
  });

  test('metrics.jsonl.<pid>.tmp (the supervisor’s compaction) is ignored by the index and the plot', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r');
    const metrics = '{"current":1}\n{"current":2}\n';
    await writeFile(join(root, 'r', 'metrics.jsonl'), metrics);
    const index = await openIndex({ rescanIntervalMs: 0, liveLaunchers: false });
    await index.whenWatching();
    const seen: string[] = [];
    index.subscribe((event) => seen.push(event.type));
    await writeFile(join(root, 'r', 'metrics.jsonl.4242.tmp'), '{"current":1}\n{"curr');
    // A record write after it: its event is the first one, so the temp file caused none.
    await eventAfter(
      index,
      (event) => event.type === 'run',
      () => writeRun(root, 'r', { progress: { current: 9, total: 10 } }),
    );
    expect(seen[0]).toBe('run');
    expect(index.ids()).toEqual(['r']);
    const body = await json(await appFor(index).request('/api/runs/r/metrics'));
    expect(body).toMatchObject({ count: 2, skipped: 0, exists: true });
  });
});

describe('RunView.waiting (issue 13 item 5)', () => {
  test('a queued run shows its stored reason, `slot` without one, `no-launcher` when no launcher is live', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'q/dep', {
      status: 'queued',
      waiting: { reason: 'dependency', detail: 'prep' },
    });
    await writeRun(root, 'q/plain', { status: 'queued' });
    await writeRun(root, 'q/running');
    let live = 1;
    const index = await openIndex({
      rescanIntervalMs: 0,
      liveLaunchers: async () => live,
    });
    expect(index.get('q/dep')?.waiting).toEqual({ reason: 'dependency', detail: 'prep' });
    expect(index.get('q/plain')?.waiting).toEqual({ reason: 'slot' });
    expect(index.get('q/running')?.waiting).toBeNull();

    live = 0;
    const events: string[] = [];
    index.subscribe((event) => {
      if (event.type === 'run' && event.run.waiting?.reason === 'no-launcher')
        events.push(event.run.id);
    });
    await index.refresh();
    expect(events.sort()).toEqual(['q/dep', 'q/plain']);
    expect(index.get('q/dep')?.waiting).toEqual({ reason: 'no-launcher' });
    const list = await json(await appFor(index).request('/api/runs?status=queued'));
    expect(list.runs.map((run: { waiting: unknown }) => run.waiting)).toEqual([
      { reason: 'no-launcher' },
      { reason: 'no-launcher' },
    ]);
  });

  test('by default the root’s launcher file is read: none there, no launcher', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'q', { status: 'queued' });
    const index = await openIndex({ watch: false });
    expect(index.get('q')?.waiting).toEqual({ reason: 'no-launcher' });
  });
});
