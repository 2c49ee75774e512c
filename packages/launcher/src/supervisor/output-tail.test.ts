import { describe, expect, test } from 'vitest';
import { ERROR_TAIL_LIMITS, OutputTail, stripControls } from './output-tail.js';

describe('OutputTail', () => {
  test('keeps the newest 20 non-blank lines, oldest first', () => {
    const tail = new OutputTail();
    for (let line = 1; line <= 50; line++) tail.push(`line ${line}`);
    tail.push('   ');
    tail.push('');
    expect(tail.lines()).toEqual(Array.from({ length: 20 }, (_, index) => `line ${31 + index}`));
  });

  test('keeps at most 4 KB in all: the newest lines that fit, a long line cut with …', () => {
    const tail = new OutputTail();
    tail.push('old');
    for (let line = 0; line < 5; line++) tail.push(`${line}`.repeat(1000));
    const lines = tail.lines();
    expect(lines).toEqual(['1', '2', '3', '4'].map((digit) => digit.repeat(1000)));
    expect(Buffer.byteLength(lines.join('\n'))).toBeLessThanOrEqual(ERROR_TAIL_LIMITS.bytes);

    tail.push('é'.repeat(5000));
    const [only] = tail.lines();
    expect(Buffer.byteLength(only)).toBeLessThanOrEqual(ERROR_TAIL_LIMITS.bytes);
    expect(only).toMatch(/^é+…$/);
    expect(tail.lines()).toHaveLength(1);
  });
});

describe('stripControls', () => {
  test('removes escape sequences (OSC titles with their text) and C0/C1 controls, keeps tabs', () => {
    expect(
      stripControls(
        '\u001b]0;new title\u0007a\u001b[1;31mb\u001b[0m\tc\u009b2Jd\u0000\u007f\u0085e',
      ),
    ).toBe('ab\tcde');
  });
});
