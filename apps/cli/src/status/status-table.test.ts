import { expect, test } from 'vitest';
import type { DashboardSummary, RunView } from '@runboard/dashboard-api';
import { emptyStatusCounts } from '@runboard/dashboard-api';
import { formatStatusTable } from './status-table.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const plain = (_style: unknown, text: string): string => text;

function view(id: string, fields: Partial<RunView> = {}): RunView {
  return {
    id,
    status: 'running',
    storedStatus: 'running',
    derivedState: null,
    percent: 50,
    etaSeconds: 120,
    updatedAt: new Date(now - 30_000).toISOString(),
    readError: null,
    waiting: null,
    record: null,
    ...fields,
  };
}

function summary(total: number, counts: Partial<DashboardSummary['counts']>): DashboardSummary {
  return {
    total,
    counts: { ...emptyStatusCounts(), ...counts },
    percent: 50,
    active: 1,
    etaSeconds: 90,
    etaAt: null,
    generatedAt: new Date(now).toISOString(),
    endedUnsuccessful: 0,
    indexing: null,
  };
}

test('the ETA counts down from the last update; the bar has eighth-block precision', () => {
  const table = formatStatusTable([view('a', { percent: 53.2 })], summary(1, { running: 1 }), {
    now,
    stylize: plain,
  });
  const [, line] = table.split('\n');
  expect(line).toBe(`a    running  ██████████▋░░░░░░░░░  53%  1m 30s  30s ago`);
  expect(table.trimEnd().split('\n').pop()).toBe('1 run, 1 running  ·  overall 50% · ETA 1m 30s');
});

test('long ids are shortened from the start to fit the terminal; never in a pipe', () => {
  const id = 'benchmarks/change_detection/cdd/Changer-s50_run_2';
  const runs = [view(id)];
  const narrow = formatStatusTable(runs, summary(1, { running: 1 }), {
    now,
    stylize: plain,
    columns: 80,
  });
  expect(narrow.split('\n')[1]).toMatch(/^…[\w/-]*Changer-s50_run_2 +running/);
  expect(narrow.split('\n')[1].length).toBeLessThanOrEqual(80);
  const piped = formatStatusTable(runs, summary(1, { running: 1 }), { now, stylize: plain });
  expect(piped.split('\n')[1].startsWith(`${id}  `)).toBe(true);
});

test('an unreadable run shows its read error under its line', () => {
  const run = view('broken', {
    status: 'unreadable',
    storedStatus: null,
    percent: null,
    etaSeconds: null,
    updatedAt: null,
    readError: { code: 'RUNBOARD_JSON_PARSE', message: 'progress.json is not JSON', at: '' },
  });
  const lines = formatStatusTable([run], summary(1, { unreadable: 1 }), {
    now,
    stylize: plain,
  }).split('\n');
  expect(lines[1]).toMatch(/^broken +unreadable +░{20} +— +— +—$/);
  expect(lines[2]).toBe('  ↳ RUNBOARD_JSON_PARSE: progress.json is not JSON');
});

test('no runs', () => {
  expect(formatStatusTable([], summary(0, {}), { now, stylize: plain })).toBe('No runs yet.\n');
});

test('text a job wrote is printed without its control characters', () => {
  const osc = '\x1b]0;pwned\x07';
  const run = view('sweep/a', {
    status: 'failed',
    storedStatus: 'failed',
    percent: 40,
    record: {
      progress: { current: 4, total: 10, unit: `epoch${osc}` },
      error: `boom\x1b[2J\x9b31m\r\nnext line\x07`,
    } as RunView['record'],
  });
  const table = formatStatusTable([run], summary(1, { failed: 1 }), { now, stylize: plain });
  // eslint-disable-next-line no-control-regex
  expect(table).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  expect(table).toContain('4/10 epoch');
  expect(table).toContain('  ↳ boom next line\n');
});
