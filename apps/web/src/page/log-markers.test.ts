import { expect, test } from 'vitest';
import { markerSummary, splitLogMarkers } from './log-markers.js';

test('marker lines are split out of the log, the text around them kept whole', () => {
  const log =
    'loading data\n##runboard {"current": 1, "total": 10, "unit": "epoch"}\n  ##runboard {"metrics": {"loss": 0.5}}\nepoch 2\n##runboardish\n';
  expect(splitLogMarkers(log)).toEqual([
    { kind: 'text', text: 'loading data\n' },
    {
      kind: 'marker',
      raw: '##runboard {"current": 1, "total": 10, "unit": "epoch"}',
      summary: '1/10 epoch',
    },
    { kind: 'text', text: '\n' },
    { kind: 'marker', raw: '  ##runboard {"metrics": {"loss": 0.5}}', summary: 'loss 0.5' },
    { kind: 'text', text: '\nepoch 2\n##runboardish\n' },
  ]);
  // Joined back, the segments are the log.
  const joined = splitLogMarkers(log)
    .map((segment) => (segment.kind === 'text' ? segment.text : segment.raw))
    .join('');
  expect(joined).toBe(log);
  expect(splitLogMarkers('no markers')).toEqual([{ kind: 'text', text: 'no markers' }]);
});

test('a marker reads as steps, metrics and message; NaN and broken JSON are handled', () => {
  expect(
    markerSummary(
      '{"current": 3, "total": 10, "unit": "epoch", "message": "val", "metrics": {"loss": 0.512345, "acc": NaN, "name": "x"}}',
    ),
  ).toBe('3/10 epoch · loss 0.5123 · acc NaN · val');
  expect(markerSummary('{"current": 7}')).toBe('7');
  expect(markerSummary('{}')).toBe('progress report');
  expect(markerSummary('{"current": 3,')).toBeNull();
  expect(markerSummary('[1, 2]')).toBeNull();
});
