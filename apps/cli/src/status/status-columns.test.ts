import { describe, expect, test } from 'vitest';
import type { DashboardSummary, RunView } from '@runboard/dashboard-api';
import { emptyStatusCounts } from '@runboard/dashboard-api';
import type { RunRecord } from '@runboard/launcher';
import { minimalRunRecord } from '@runboard/test-kit';
import { formatStatusTable } from './status-table.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const plain = (_style: unknown, text: string): string => text;
const at = (msAgo: number) => new Date(now - msAgo).toISOString();

function view(id: string, fields: Partial<RunRecord>, extra: Partial<RunView> = {}): RunView {
  const full = minimalRunRecord<RunRecord>(id, fields, now - 1000);
  return {
    id,
    status: full.status,
    storedStatus: full.status,
    derivedState: null,
    percent: full.status === 'succeeded' ? 100 : null,
    etaSeconds: null,
    updatedAt: full.updatedAt,
    readError: null,
    // As the index gives it when it does not know the live launchers: the stored reason.
    waiting: full.status === 'queued' ? (full.waiting ?? null) : null,
    record: full,
    ...extra,
  };
}

const summary: DashboardSummary = {
  total: 3,
  counts: emptyStatusCounts(),
  percent: 50,
  active: 1,
  etaSeconds: null,
  etaAt: null,
  generatedAt: new Date(now).toISOString(),
  endedUnsuccessful: 0,
  indexing: null,
};

const table = (runs: RunView[], options: { verbose?: boolean; columns?: number } = {}) =>
  formatStatusTable(runs, summary, { now, stylize: plain, ...options }).split('\n');

describe('columns shown when a run has something for them', () => {
  test('ATTEMPT (of the most), RUNTIME, WHERE (server or host, GPUs, Slurm job) and REASON', () => {
    const lines = table([
      view('a/run', {
        attempt: 2,
        maxAttempts: 3,
        startedAt: at(125_000),
        host: 'gpu-box-1',
        gpus: [0, 1],
      }),
      view('b/run', {
        status: 'succeeded',
        startedAt: at(3_600_000),
        finishedAt: at(60_000),
        host: 'gpu-box-2',
        server: 'box2',
        executor: { kind: 'slurm', jobId: '4242' },
      }),
      view('c/run', {
        status: 'queued',
        attempt: 0,
        waiting: { reason: 'dependency', detail: 'a/run' },
      }),
    ]);
    expect(lines[0]).toMatch(
      /^RUN +STATUS +ATTEMPT +PROGRESS +ETA +RUNTIME +WHERE +REASON +UPDATED$/,
    );
    expect(lines[1]).toMatch(
      /^a\/run +running +2\/3 +░{20} +— +— +2m 05s +gpu-box-1 GPU 0,1 +now$/,
    );
    expect(lines[2]).toMatch(/^b\/run +succeeded +1 +█{20} 100% +— +59m 00s +box2 job 4242 +now$/);
    expect(lines[3]).toMatch(/^c\/run +queued +░{20} +— +— +— +waiting for a\/run +now$/);
  });

  test('left out when no run has one: one host, no GPUs, first attempts, nothing waits', () => {
    const lines = table([
      view('a', { host: 'box', startedAt: at(5000) }),
      view('b', { host: 'box', status: 'failed', startedAt: at(9000), finishedAt: at(4000) }),
    ]);
    expect(lines[0]).toMatch(/^RUN +STATUS +PROGRESS +ETA +RUNTIME +UPDATED$/);
    expect(lines[1]).toMatch(/^a +running +░{20} +— +— +5s +now$/);
  });

  test("the run view's reason wins over the stored one (it knows when no launcher is live)", () => {
    const run = view('q', { status: 'queued', attempt: 0, waiting: { reason: 'slot' } });
    const withView = { ...run, waiting: { reason: 'no-launcher' } } as RunView;
    expect(table([run])[1]).toMatch(/ waiting for a free slot +now$/);
    expect(table([withView])[1]).toMatch(/ no launcher is running +now$/);
  });

  test('a long reason is cut on a terminal, not in a pipe', () => {
    const detail = 'GPU 0: 95% busy, 70 GiB used; GPU 1: 99% busy, 78 GiB used; GPU 2: busy';
    const run = view('q', {
      status: 'queued',
      attempt: 0,
      waiting: { reason: 'gpu-policy', detail },
    });
    expect(table([run])[1]).toContain(`no GPU passes the policy: ${detail}`);
    expect(table([run], { columns: 200 })[1]).toMatch(
      / no GPU passes the policy: GPU 0: 95% bu… +now$/,
    );
  });
});

describe('why a run failed', () => {
  const failed = view('sweep/lr=1', {
    status: 'failed',
    exitCode: 1,
    error: 'exited with code 1',
    errorTail: [
      'Traceback (most recent call last):',
      '  File "train.py", line 3, in <module>',
      '    main()',
      '  File "train.py", line 2, in main',
      "    config['lr']",
      "KeyError: 'lr'\x1b[0m",
      '',
    ],
  });

  test('the error under its line; with verbose, the last lines of its output, indented', () => {
    expect(table([failed]).slice(1, 3)).toEqual([
      expect.stringMatching(/^sweep\/lr=1 +failed /),
      '  ↳ exited with code 1',
    ]);
    expect(table([failed], { verbose: true }).slice(2, 8)).toEqual([
      '  ↳ exited with code 1',
      '      File "train.py", line 3, in <module>',
      '        main()',
      '      File "train.py", line 2, in main',
      "        config['lr']",
      "    KeyError: 'lr'",
    ]);
  });

  test('without an error text, the exit code or signal in words', () => {
    expect(table([view('a', { status: 'failed', exitCode: 3 })])[2]).toBe('  ↳ exit code 3');
    expect(table([view('a', { status: 'failed', signal: 'SIGKILL' })])[2]).toBe(
      '  ↳ killed by SIGKILL',
    );
  });
});

test('a filtered table says how many runs it shows; none matching says so', () => {
  const lines = formatStatusTable([view('a', {})], summary, { now, stylize: plain, totalRuns: 3 });
  expect(lines.trimEnd().split('\n').pop()).toBe('(1 of 3 runs shown)');
  expect(formatStatusTable([], summary, { now, stylize: plain, totalRuns: 3 })).toBe(
    'No runs match (3 under the root).\n',
  );
});
