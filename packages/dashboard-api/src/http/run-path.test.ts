import { describe, expect, test } from 'vitest';
import { parseRunPath } from './run-path.js';

describe('parseRunPath', () => {
  test.each([
    ['/api/runs/a', { id: 'a', action: 'view' }],
    ['/api/runs/sweep/lr%3D0.1%2Cseed%3D2', { id: 'sweep/lr=0.1,seed=2', action: 'view' }],
    ['/api/runs/a/b/log', { id: 'a/b', action: 'log' }],
    ['/api/runs/a/metrics', { id: 'a', action: 'metrics' }],
    ['/api/runs/a/cancel', { id: 'a', action: 'cancel' }],
  ])('%s', (path, expected) => {
    expect(parseRunPath(path)).toEqual(expected);
  });

  test.each([
    '/api/runs/',
    '/api/runs/log',
    '/api/runs/a/..%2Fb',
    '/api/runs/%2e%2e',
    '/api/runs/a%00',
    '/api/runs/%ZZ',
    '/api/runs/a//b',
  ])('%s is refused', (path) => {
    expect(() => parseRunPath(path)).toThrow(
      expect.objectContaining({ code: 'RUNBOARD_INVALID_RUN_ID' }),
    );
  });
});
