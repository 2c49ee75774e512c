import { expect, test } from 'vitest';
import { indexingText, toOverallProgress } from './summary-view.js';

test('a summary gives the percent of what can complete, the unsuccessful count and the indexing state', () => {
  const now = Date.parse('2026-01-01T12:00:10Z');
  expect(
    toOverallProgress(
      {
        percent: 75,
        etaSeconds: 600,
        generatedAt: '2026-01-01T12:00:00Z',
        endedUnsuccessful: 2,
        indexing: { indexed: 43_000, total: 100_000 },
      },
      now,
    ),
  ).toEqual({
    percent: 75,
    etaSeconds: 600,
    atMs: Date.parse('2026-01-01T12:00:00Z'),
    endedUnsuccessful: 2,
    indexing: { indexed: 43_000, total: 100_000 },
  });
  // An older server: no count (the page counts), no indexing banner.
  expect(toOverallProgress({ percent: null, indexing: null }, now)).toMatchObject({
    endedUnsuccessful: null,
    indexing: null,
  });
  expect(toOverallProgress({ indexing: { indexed: 5, total: 'x' } }, now).indexing).toEqual({
    indexed: 5,
    total: null,
  });
});

test('the indexing banner counts up to the total, or says how many so far', () => {
  expect(indexingText({ indexed: 43_000, total: 100_000 })).toBe('indexing 43,000 / 100,000');
  expect(indexingText({ indexed: 43_000, total: null })).toBe('indexing 43,000 runs…');
});
