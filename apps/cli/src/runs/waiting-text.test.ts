import { expect, test } from 'vitest';
import { waitingText } from './waiting-text.js';

const now = Date.parse('2026-01-01T12:00:00Z');

test('each reason in plain words, with its detail made safe to print', () => {
  expect(waitingText({ reason: 'slot' }, now)).toBe('waiting for a free slot');
  expect(waitingText({ reason: 'dependency', detail: 'sweep/a, sweep/b' }, now)).toBe(
    'waiting for sweep/a, sweep/b',
  );
  expect(waitingText({ reason: 'dependency' }, now)).toBe('waiting for its dependencies');
  expect(waitingText({ reason: 'gpu-slot' }, now)).toBe('waiting for a free GPU');
  expect(waitingText({ reason: 'gpu-policy', detail: 'GPU 0: 97% busy\x1b[2J' }, now)).toBe(
    'no GPU passes the policy: GPU 0: 97% busy',
  );
  expect(waitingText({ reason: 'slurm', detail: 'Priority' }, now)).toBe('Slurm: Priority');
  expect(waitingText({ reason: 'no-launcher' }, now)).toBe('no launcher is running');
});

test('a retry delay says how long is left, and when it is over, that it waits for a slot', () => {
  const until = (ms: number) =>
    ({ reason: 'retry-delay', until: new Date(now + ms).toISOString() }) as const;
  expect(waitingText(until(95_000), now)).toBe('retry delay, 1m 35s left');
  expect(waitingText(until(-1000), now)).toBe('retry delay over, waiting for a slot');
  expect(waitingText({ reason: 'retry-delay' }, now)).toBe('retry delay');
});
