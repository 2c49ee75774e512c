import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeOrSkip, makeTempDir, removeTempDir } from '@runboard/test-kit';
import { SSH_CONFIG, sshSkipReason } from '@runboard/test-kit/ssh-hosts';
import { expect, test as base } from 'vitest';
import { DASHBOARD_ERROR_CODES } from '../src/errors.js';
import type { DashboardWarning } from '../src/errors.js';
import { sharedFileSystemOf } from '../src/run-index/shared-file-system.js';
import { startDashboardServer } from '../src/server/start-dashboard-server.js';
import { openEventStream } from './sse-client.js';
import { writeRun } from './test-utils.js';

/** The simulated host whose sshd serves the mount (tools/ci/start-sshd.sh). */
const HOST = 'gpu-a';
const POLL_INTERVAL_MS = 500;
/** Beyond one poll interval: a stat round trip over sshfs, the read, SSE, on a loaded machine. */
const MARGIN_MS = 2500;

/**
 * Waits until the clock is in a later whole second than `time`: sshfs reports whole-second
 * mtimes (SFTP v3) and path-based inode numbers, so a rewrite of the same size within the
 * same second looks unchanged to any `stat`-based poll (until the run's next write).
 */
function nextSecondAfter(time: number): Promise<void> {
  // 100 ms past the second: file times come from the kernel's coarse clock, a tick behind.
  const wait = Math.floor(time / 1000) * 1000 + 1100 - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Why an sshfs mount cannot be made here, or `undefined`. */
function sshfsSkipReason(): string | undefined {
  if (!commandExists('sshfs')) return 'sshfs is not installed (apt-get install sshfs)';
  if (!commandExists('fusermount') && !commandExists('fusermount3'))
    return 'fusermount is not installed (apt-get install fuse3)';
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
  return sshSkipReason([HOST]);
}

function unmount(mountPoint: string): void {
  const fusermount = commandExists('fusermount3') ? 'fusermount3' : 'fusermount';
  const options = { timeout: 10_000 };
  if (spawnSync(fusermount, ['-u', mountPoint], options).status !== 0)
    spawnSync(fusermount, ['-u', '-z', mountPoint], options); // busy: detach it lazily
}

/**
 * `folder`: a real folder; `mountPoint`: the same folder mounted over sshfs from the simulated
 * host, as another machine of a cluster sees a shared root. Unmounted and removed afterwards.
 */
const test = base.extend<{ shared: { folder: string; mountPoint: string } }>({
  // eslint-disable-next-line no-empty-pattern
  shared: async ({}, use) => {
    const folder = await makeTempDir('runboard-shared-');
    const mountPoint = await makeTempDir('runboard-mnt-');
    try {
      const mounted = spawnSync(
        'sshfs',
        [
          '-F',
          SSH_CONFIG,
          // No attribute or directory caching: updates then show within the poll interval.
          '-o',
          'dir_cache=no,attr_timeout=0,entry_timeout=0,negative_timeout=0',
          `${HOST}:${folder}`,
          mountPoint,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (mounted.status !== 0) throw new Error(`sshfs failed: ${mounted.stderr}`);
      await use({ folder, mountPoint });
    } finally {
      unmount(mountPoint);
      await removeTempDir(mountPoint);
      await removeTempDir(folder);
    }
  },
});

const describeWithSshfs = describeOrSkip(sshfsSkipReason(), 'sshfs test');

describeWithSshfs('a root on a shared file system (sshfs)', () => {
  test(
    'is detected as FUSE and polled; writes made beside the mount arrive within the poll interval',
    { timeout: 60_000 },
    async ({ shared: { folder, mountPoint } }) => {
      await writeRun(folder, 'sweep/run_1', { progress: { current: 1, total: 10 } });
      let lastWriteAt = Date.now();
      expect(sharedFileSystemOf(mountPoint)?.name).toBe('FUSE');

      const warnings: DashboardWarning[] = [];
      const server = await startDashboardServer({
        root: mountPoint,
        port: 0,
        pollIntervalMs: POLL_INTERVAL_MS,
        rescanIntervalMs: 0, // no rescan: what arrives, polling brought
        onWarning: (warning) => warnings.push(warning),
      });
      const stream = await openEventStream(`${server.url}api/events`);
      try {
        await server.index.whenWatching();
        expect(server.index.watchMode).toBe('poll');
        expect(warnings.map((warning) => [warning.code, warning.message])).toEqual([
          [DASHBOARD_ERROR_CODES.polling, expect.stringContaining('shared file system (FUSE)')],
        ]);
        // The page's notice: the same words, once.
        const notices = (await (await fetch(`${server.url}api/notices`)).json()) as {
          watchMode: string;
          notices: { message: string }[];
        };
        expect(notices.watchMode).toBe('poll');
        expect(notices.notices.map((notice) => notice.message)).toEqual([warnings[0].message]);
        await stream.waitFor((event) => event.event === 'notices');

        const latencies: Record<string, number> = {};
        // A change of a known run, then a new run, written to the real folder (as another host
        // would): inotify on the mount reports neither.
        const changes = [
          ['changed run', 'sweep/run_1', 7],
          ['new run', 'sweep/run_2', 2],
        ] as const;
        for (const [what, id, current] of changes) {
          await nextSecondAfter(lastWriteAt);
          const since = performance.now();
          await writeRun(folder, id, { progress: { current, total: 10 } });
          lastWriteAt = Date.now();
          const event = await stream.waitFor(
            (received) => {
              const run = received.data as {
                id?: string;
                record?: { progress?: { current?: number } };
              };
              return (
                received.event === 'run' &&
                run.id === id &&
                run.record?.progress?.current === current
              );
            },
            { since, timeoutMs: 15_000 },
          );
          latencies[what] = Math.round(event.receivedAt - since);
        }
        console.info(
          `sshfs root, poll every ${POLL_INTERVAL_MS} ms: ${JSON.stringify(latencies)} ms`,
        );
        for (const latency of Object.values(latencies))
          expect(latency).toBeLessThanOrEqual(POLL_INTERVAL_MS + MARGIN_MS);
      } finally {
        await stream.close();
        await server.close();
      }
    },
  );
});
