import { describe, expect, test } from 'vitest';
import { parseRelaxedJson } from './relaxed-json.js';

describe('parseRelaxedJson', () => {
  test('parses plain JSON as JSON.parse does', () => {
    expect(parseRelaxedJson('{"a": [1, 2.5, "x"], "b": null}')).toEqual({
      a: [1, 2.5, 'x'],
      b: null,
    });
  });

  test('turns NaN, Infinity and -Infinity tokens into null', () => {
    expect(parseRelaxedJson('{"a": NaN, "b": Infinity, "c": -Infinity, "d": [NaN, 1]}')).toEqual({
      a: null,
      b: null,
      c: null,
      d: [null, 1],
    });
  });

  test('leaves the tokens alone inside strings, also after escaped quotes', () => {
    expect(parseRelaxedJson('{"m": "NaN \\" Infinity", "v": NaN}')).toEqual({
      m: 'NaN " Infinity',
      v: null,
    });
  });

  test('still rejects what is not JSON', () => {
    expect(() => parseRelaxedJson('{"a": NaNa}')).toThrow(SyntaxError);
    expect(() => parseRelaxedJson('{"a": 1')).toThrow(SyntaxError);
  });
});
