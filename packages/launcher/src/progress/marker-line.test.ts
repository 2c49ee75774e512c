import { describe, expect, test } from 'vitest';
import { parseMarkerLine } from './marker-line.js';

describe('parseMarkerLine', () => {
  test('reads every field of a marker line', () => {
    expect(
      parseMarkerLine(
        '##runboard {"current": 3, "total": 10, "unit": "epoch", "message": "training", "metrics": {"loss": 0.5}}',
      ),
    ).toEqual({
      ok: true,
      report: { current: 3, total: 10, unit: 'epoch', message: 'training', metrics: { loss: 0.5 } },
    });
  });

  test('keeps only the fields present, and total null for an unknown total', () => {
    expect(parseMarkerLine('##runboard {"metrics": {"acc": 0.9}}')).toEqual({
      ok: true,
      report: { metrics: { acc: 0.9 } },
    });
    expect(parseMarkerLine('##runboard {"current": 7, "total": null}')).toEqual({
      ok: true,
      report: { current: 7, total: null },
    });
  });

  test("accepts Python's NaN and Infinity and stores null; drops metric values that are not numbers", () => {
    expect(
      parseMarkerLine(
        '##runboard {"current": 1, "metrics": {"loss": NaN, "grad": -Infinity, "name": "x", "ok": true, "lr": 0.1}}',
      ),
    ).toEqual({ ok: true, report: { current: 1, metrics: { loss: null, grad: null, lr: 0.1 } } });
  });

  test('allows leading whitespace and no space after the prefix only before a brace', () => {
    expect(parseMarkerLine('   ##runboard {"current": 1}')?.ok).toBe(true);
    expect(parseMarkerLine('##runboard\t{"current": 1}')?.ok).toBe(true);
    expect(parseMarkerLine('##runboardx {"current": 1}')).toBeUndefined();
  });

  test('is undefined for lines that are not markers', () => {
    for (const line of [
      '',
      'epoch 3 loss 0.5',
      'INFO ##runboard {"current": 1}',
      '# runboard {"current": 1}',
    ]) {
      expect(parseMarkerLine(line)).toBeUndefined();
    }
  });

  test('rejects broken markers with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['##runboard {"current": 1', /not JSON/],
      ['##runboard', /not JSON/],
      ['##runboard [1, 2]', /not a JSON object/],
      ['##runboard {"current": -1}', /current/],
      ['##runboard {"current": "3"}', /current/],
      ['##runboard {"current": NaN}', /none of/],
      ['##runboard {"total": 0}', /total/],
      ['##runboard {"unit": 3}', /unit/],
      ['##runboard {"metrics": [1]}', /metrics/],
      ['##runboard {"loss": 0.5}', /none of/],
    ];
    for (const [line, problem] of cases) {
      const result = parseMarkerLine(line);
      expect(result?.ok, line).toBe(false);
      if (result && !result.ok) expect(result.problem, line).toMatch(problem);
    }
  });

  test('cuts overlong messages', () => {
    const result = parseMarkerLine(`##runboard {"message": "${'m'.repeat(5000)}"}`);
    expect(result?.ok && result.report.message?.length).toBe(1000);
  });
});
