import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { DashboardRootError } from '../src/errors.js';
import type { RunIndexEvent } from '../src/run-index/run-index.js';
import { eventAfter, isRunEvent, snapshotTree, test, watching, writeRun } from './test-utils.js';

describe('RunIndex: the first scan', () => {
  test('finds run folders at any depth; the id is the relative path', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'a');
    await writeRun(root, 'sweep/lr=0.1,seed=2');
    await writeRun(root, 'benchmarks/change_detection/cdd/Changer-s50_run_2', {
      status: 'succeeded',
    });
    const index = await openIndex({ watch: false });
    expect(index.ids().sort()).toEqual([
      'a',
      'benchmarks/change_detection/cdd/Changer-s50_run_2',
      'sweep/lr=0.1,seed=2',
    ]);
    expect(index.get('benchmarks/change_detection/cdd/Changer-s50_run_2')).toMatchObject({
      status: 'succeeded',
      storedStatus: 'succeeded',
      percent: 100,
      readError: null,
    });
  });

  test('skips hidden folders, lock folders, temp files, symbolic links, runs inside runs and bad names', async ({
    root,
    openIndex,
    outside,
  }) => {
    await writeRun(root, 'real');
    await writeRun(root, '.hidden/run');
    await writeRun(root, 'plan.json.lock/run');
    await writeRun(root, 'real/epoch_1'); // inside a run folder: not a run of its own
    await writeRun(root, 'bad name/run'); // a space cannot be part of a run id
    await writeRun(root, 'x/log'); // `log` names a route
    await writeFile(join(root, 'real', '.progress.json.123.abcdef01.abcdef02.runboard-tmp'), '{');
    await writeRun(outside, 'escaped');
    await symlink(outside, join(root, 'link'));
    const index = await openIndex({ watch: false });
    expect(index.ids()).toEqual(['real']);
  });

  test('a corrupt, empty or truncated progress.json is `unreadable`; the other runs are unaffected', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'good');
    for (const [id, text] of [
      ['corrupt', 'not json at all'],
      ['empty', ''],
      ['truncated', '{"schemaVersion": 1, "id": "truncated", "sta'],
      ['not-a-record', '{"hello": "world"}'],
    ]) {
      await mkdir(join(root, id));
      await writeFile(join(root, id, 'progress.json'), text);
    }
    const at = Date.parse('2026-01-01T00:00:00Z');
    const index = await openIndex({ watch: false, readDeadlineMs: 50, clock: () => at });
    expect(index.get('good')).toMatchObject({ status: 'running', readError: null });
    expect(index.get('corrupt')).toMatchObject({
      status: 'unreadable',
      record: null,
      readError: { code: 'RUNBOARD_JSON_PARSE', at: '2026-01-01T00:00:00.000Z' },
    });
    expect(index.get('empty')?.readError?.message).toMatch(/empty/);
    expect(index.get('truncated')?.readError?.code).toBe('RUNBOARD_JSON_PARSE');
    expect(index.get('not-a-record')?.readError).toMatchObject({
      code: 'RUNBOARD_JSON_VALIDATION',
    });
    expect(index.get('not-a-record')?.readError?.message).toMatch(
      /not a valid run record: schemaVersion/,
    );
    expect(index.summary().counts).toMatchObject({ running: 1, unreadable: 4 });
  });

  test('fails clearly for a missing root', async ({ root, openIndex }) => {
    await expect(openIndex({ root: join(root, 'missing') })).rejects.toBeInstanceOf(
      DashboardRootError,
    );
    await expect(openIndex({ root: join(root, 'missing') })).rejects.toMatchObject({
      code: 'RUNBOARD_DASHBOARD_BAD_ROOT',
    });
  });

  test('validates options', async ({ openIndex }) => {
    await expect(openIndex({ concurrency: 0 })).rejects.toThrow(
      new TypeError('Expected `concurrency` to be an integer ≥ 1'),
    );
    await expect(openIndex({ rescanIntervalMs: -1 })).rejects.toThrow(TypeError);
  });
});

describe('RunIndex: derived states', () => {
  test('a running run turns stalled when its heartbeat ages past the threshold (by the injected clock)', async ({
    root,
    openIndex,
  }) => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: start };
    await writeRun(root, 'r', { heartbeatAt: new Date(start).toISOString() });
    const index = await openIndex({
      watch: false,
      clock: () => clock.now,
      thresholds: { stalledAfterSeconds: 60 },
      isProcessAlive: false,
    });
    expect(index.get('r')?.status).toBe('running');
    clock.now = start + 61_000;
    const stalled = await eventAfter(index, isRunEvent('r'), async () => index.refresh());
    expect(stalled).toMatchObject({
      run: { status: 'stalled', storedStatus: 'running', derivedState: 'stalled' },
    });
    expect(index.list({ status: ['stalled'] }).total).toBe(1);
    expect(index.summary().generatedAt).toBe('2026-01-01T00:01:01.000Z');
  });

  test('a running run whose supervisor is gone on this host is stalled at once', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r', { host: 'this-host', supervisorPid: 999_999 });
    const index = await openIndex({
      watch: false,
      isProcessAlive: (host, pid) => (host === 'this-host' ? pid !== 999_999 : undefined),
    });
    expect(index.get('r')?.status).toBe('stalled');
  });

  test('outdated after the threshold when one is set', async ({ root, openIndex }) => {
    const finishedAt = new Date(Date.now() - 3600_000).toISOString();
    await writeRun(root, 'old', { status: 'succeeded', finishedAt });
    const index = await openIndex({ watch: false, thresholds: { outdatedAfterSeconds: 60 } });
    expect(index.get('old')?.status).toBe('outdated');
  });
});

describe('RunIndex: guarantees', () => {
  test('never writes into the root', async ({ root, openIndex }) => {
    await writeRun(root, 'a/r1');
    await writeRun(root, 'a/r2', { status: 'succeeded' });
    await mkdir(join(root, 'bad'));
    await writeFile(join(root, 'bad', 'progress.json'), '{');
    const before = await snapshotTree(root);
    const index = await openIndex({
      readDeadlineMs: 20,
      refreshIntervalMs: 10,
      rescanIntervalMs: 50,
    });
    await index.whenWatching();
    index.list({ sort: 'status' });
    index.summary();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await index.close();
    expect(await snapshotTree(root)).toEqual(before);
  });

  test('close() ends subscriptions and stops watching', async ({ root, openIndex }) => {
    await writeRun(root, 'r');
    const index = await openIndex();
    await index.whenWatching();
    let closed = 0;
    const events: RunIndexEvent[] = [];
    index.subscribe(
      (event) => events.push(event),
      () => (closed += 1),
    );
    expect(index.subscriberCount).toBe(1);
    await index.close();
    expect(closed).toBe(1);
    expect(index.subscriberCount).toBe(0);
    expect(index.watchMode).toBe('off');
    await writeRun(root, 'r', { progress: { current: 9, total: 10 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toEqual([]);
  });

  test('a folder moved in with many runs is indexed', async ({ root, outside, openIndex }) => {
    const index = await watching(openIndex);
    for (let i = 0; i < 20; i += 1) await writeRun(outside, `batch/run_${i}`);
    await rename(join(outside, 'batch'), join(root, 'batch'));
    await expect.poll(() => index.size).toBe(20);
  });
});
