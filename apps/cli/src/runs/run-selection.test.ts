import { expect, test } from 'vitest';
import type { RunView } from '@runboard/dashboard-api';
import { isSelected, parseStatusList, unmatchedPatterns } from './run-selection.js';

const run = (id: string, status: RunView['status'] = 'running', storedStatus = status) =>
  ({ id, status, storedStatus }) as RunView;

const runs = [
  run('sweep/lr=0.1'),
  run('sweep/lr=1', 'failed'),
  run('sweep/deep/a', 'queued'),
  run('eval/base', 'stalled', 'running'),
  run('sweeper', 'succeeded'),
];
const ids = (patterns: string[], statuses: RunView['status'][] = []) =>
  runs.filter((r) => isSelected(r, { patterns, statuses })).map((r) => r.id);

test('globs match ids as paths: * stays in its segment, ** crosses them, ? is one character', () => {
  expect(ids(['sweep/lr=*'])).toEqual(['sweep/lr=0.1', 'sweep/lr=1']);
  expect(ids(['sweep/lr=?'])).toEqual(['sweep/lr=1']);
  expect(ids(['**/a'])).toEqual(['sweep/deep/a']);
  expect(ids(['sweep*'])).toEqual(['sweep/lr=0.1', 'sweep/lr=1', 'sweep/deep/a', 'sweeper']);
  expect(ids(['sweep/{lr=1,deep}'])).toEqual(['sweep/lr=1', 'sweep/deep/a']);
});

test('a pattern that names a folder selects every run under it', () => {
  expect(ids(['sweep'])).toEqual(['sweep/lr=0.1', 'sweep/lr=1', 'sweep/deep/a']);
  expect(ids(['sweep/*'])).toEqual(['sweep/lr=0.1', 'sweep/lr=1', 'sweep/deep/a']);
  expect(ids(['eval/base'])).toEqual(['eval/base']);
  expect(ids([])).toHaveLength(5);
});

test('statuses match the shown status or the stored one, and combine with patterns', () => {
  expect(ids([], ['failed', 'queued'])).toEqual(['sweep/lr=1', 'sweep/deep/a']);
  expect(ids([], ['running'])).toEqual(['sweep/lr=0.1', 'eval/base']);
  expect(ids([], ['stalled'])).toEqual(['eval/base']);
  expect(ids(['sweep/*'], ['running'])).toEqual(['sweep/lr=0.1']);
});

test('patterns that select nothing are named; a negation or comment is literal', () => {
  expect(unmatchedPatterns(runs, ['sweep/*', 'swep/*', 'eval/base', '!eval/base'])).toEqual([
    'swep/*',
    '!eval/base',
  ]);
});

test('--status takes known statuses separated by commas', () => {
  expect(parseStatusList('failed, running,')).toEqual(['failed', 'running']);
  expect(() => parseStatusList('failed,done')).toThrow(/\(not: done\)/);
  expect(() => parseStatusList(',')).toThrow(/expected statuses/);
});
