import { expect, test } from 'vitest';
import { createAttemptMarker } from './attempt-marker.js';

const log =
  'epoch 1\n' +
  '[runboard] attempt 1 failed: exited with code 3 after 2.0 s\n' +
  '[runboard] attempt 2 of sweep/a starting on box at 2026-01-01T00:00:00Z (supervisor pid 7): ["x"]\n' +
  'epoch 1 again\n' +
  'a line that mentions [runboard] attempt 3 of sweep/a in the middle\n';

function marked(chunks: string[]): string {
  let out = '';
  const marker = createAttemptMarker((text) => (out += text));
  for (const chunk of chunks) marker.push(chunk);
  marker.flush();
  return out;
}

test("a line before each attempt's first line, and nowhere else", () => {
  expect(marked([log])).toBe(
    log.replace('[runboard] attempt 2 of', '— attempt 2 —\n[runboard] attempt 2 of'),
  );
});

test('the same wherever the chunks are cut', () => {
  const expected = marked([log]);
  for (let cut = 1; cut < log.length; cut++)
    expect(marked([log.slice(0, cut), log.slice(cut)]), `cut at ${cut}`).toBe(expected);
  expect(marked([...log])).toBe(expected);
});

test('text that is not the start of a marker line is written at once', () => {
  let out = '';
  const marker = createAttemptMarker((text) => (out += text));
  marker.push('45%|████▌     | 45/100\r');
  expect(out).toBe('45%|████▌     | 45/100\r');
  marker.push('[runbo');
  expect(out).toBe('45%|████▌     | 45/100\r[runbo');
  marker.push('ard] attempt 4 of a\n');
  expect(out).not.toContain('— attempt 4 —');
});
