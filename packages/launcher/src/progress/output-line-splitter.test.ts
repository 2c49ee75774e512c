import { describe, expect, test } from 'vitest';
import { OutputLineSplitter } from './output-line-splitter.js';

function split(chunks: Array<Buffer | string>, maxSegmentLength?: number): string[] {
  const segments: string[] = [];
  const splitter = new OutputLineSplitter((segment) => segments.push(segment), maxSegmentLength);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return segments;
}

describe('OutputLineSplitter', () => {
  test('splits on \\n, \\r and \\r\\n and skips empty segments', () => {
    expect(split(['a\nb\rc\r\nd\n\n\re'])).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('emits a torn line only once it is complete, whatever the chunk boundaries', () => {
    const text =
      '##runboard {"current": 1}\n\r 10%|█         | 1/10 [00:01<00:09,  1.00it/s]\rlast';
    const bytes = Buffer.from(text);
    const expected = split([text]);
    expect(expected).toHaveLength(3);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      for (const second of [cut, Math.min(bytes.length, cut + 3)]) {
        expect(
          split([bytes.subarray(0, cut), bytes.subarray(cut, second), bytes.subarray(second)]),
        ).toEqual(expected);
      }
    }
  });

  test('does not emit the unterminated tail before end()', () => {
    const segments: string[] = [];
    const splitter = new OutputLineSplitter((segment) => segments.push(segment));
    splitter.push('done\npart');
    expect(segments).toEqual(['done']);
    splitter.push('ial\r');
    expect(segments).toEqual(['done', 'partial']);
  });

  test('cuts a segment at the maximum length and drops its rest', () => {
    expect(split(['abcdefghij', 'klm\nshort\n'], 4)).toEqual(['abcd', 'shor']);
  });

  test('rejects a maximum length that is not a positive integer', () => {
    expect(() => new OutputLineSplitter(() => {}, 0)).toThrow(TypeError);
  });
});
