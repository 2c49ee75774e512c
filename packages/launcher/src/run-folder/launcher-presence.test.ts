import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import {
  LAUNCHERS_FILE,
  queuedWaiting,
  readLiveLaunchers,
  registerLauncher,
  type LauncherPresence,
} from './launcher-presence.js';
import type { RunRecord } from './run-record.js';

const test = testWithTempDir('runboard-presence-');
const NOW = Date.parse('2026-12-05T12:00:00Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
const presence = (fields: Partial<LauncherPresence>): LauncherPresence => ({
  host: hostname(),
  pid: process.pid,
  startedAt: at(100),
  heartbeatAt: at(5),
  plan: null,
  ...fields,
});

/** A pid that surely exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('launcher presence', () => {
  test('same host: live while the pid is; other hosts: while the heartbeat is fresh', async ({
    dir,
  }) => {
    await writeFile(
      join(dir, LAUNCHERS_FILE),
      JSON.stringify({
        launchers: [
          presence({ plan: 'me.json' }),
          presence({ pid: deadPid(), plan: 'dead.json' }),
          presence({ host: 'elsewhere', pid: 7, heartbeatAt: at(30), plan: 'fresh.json' }),
          presence({ host: 'elsewhere', pid: 8, heartbeatAt: at(61), plan: 'stale.json' }),
        ],
      }),
    );
    const live = await readLiveLaunchers(dir, { now: NOW });
    expect(live.map((entry) => entry.plan)).toEqual(['me.json', 'fresh.json']);
    expect(
      (await readLiveLaunchers(dir, { now: NOW, staleAfterMs: 10_000 })).map((e) => e.plan),
    ).toEqual(['me.json']);
  });

  test('register adds or refreshes itself and drops gone launchers; remove takes it out', async ({
    dir,
  }) => {
    expect(await readLiveLaunchers(dir)).toEqual([]);
    const dead = presence({ pid: deadPid() });
    await registerLauncher(dir, dead);
    const me = presence({ heartbeatAt: new Date().toISOString() });
    await registerLauncher(dir, me);
    await registerLauncher(dir, { ...me, heartbeatAt: new Date().toISOString() });
    const file = JSON.parse(await readFile(join(dir, LAUNCHERS_FILE), 'utf8')) as {
      launchers: LauncherPresence[];
    };
    expect(file.launchers.map((entry) => entry.pid)).toEqual([process.pid]);
    await registerLauncher(dir, me, { remove: true });
    expect(await readLiveLaunchers(dir)).toEqual([]);
  });

  test('queuedWaiting: the stored reason, slot by default, no-launcher when none is live', () => {
    const queued: RunRecord = {
      schemaVersion: 1,
      id: 'a',
      status: 'queued',
      attempt: 0,
      command: ['x'],
      updatedAt: at(0),
    };
    expect(queuedWaiting(queued, 1)).toEqual({ reason: 'slot' });
    expect(queuedWaiting(queued, 0)).toEqual({ reason: 'no-launcher' });
    const waiting = { reason: 'dependency' as const, detail: 'prep' };
    expect(queuedWaiting({ ...queued, waiting }, 2)).toEqual(waiting);
    expect(queuedWaiting({ ...queued, waiting }, 0)).toEqual({ reason: 'no-launcher' });
    expect(queuedWaiting({ ...queued, status: 'running' }, 0)).toBeUndefined();
  });
});
