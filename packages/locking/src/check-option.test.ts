import { describe, expect, it } from 'vitest';
import {
  checkFunctionOption,
  checkNumberOption,
  checkObjectOption,
  checkStringOption,
} from './check-option.js';

describe('checkNumberOption', () => {
  it('returns values inside the bounds', () => {
    expect(checkNumberOption('concurrency', 3, { integer: true, min: 1 })).toBe(3);
    expect(checkNumberOption('timeout', Infinity, { min: 0, allowInfinity: true })).toBe(Infinity);
    expect(checkNumberOption('ratio', 0.5, { min: 0, max: 1 })).toBe(0.5);
  });

  it('names the option and the bound it broke', () => {
    expect(() => checkNumberOption('concurrency', 0, { integer: true, min: 1 })).toThrow(
      new TypeError('Expected `concurrency` to be an integer ≥ 1'),
    );
    expect(() => checkNumberOption('port', 70_000, { integer: true, min: 0, max: 65_535 })).toThrow(
      'Expected `port` to be an integer from 0 to 65535',
    );
    expect(() => checkNumberOption('timeout', -1, { min: 0, allowInfinity: true })).toThrow(
      'Expected `timeout` to be a finite number ≥ 0 (or Infinity)',
    );
  });

  it('rejects what is not a finite number of the right kind', () => {
    for (const value of [NaN, Infinity, -Infinity, '3', null, undefined, 1.5])
      expect(() => checkNumberOption('n', value, { integer: true })).toThrow(TypeError);
    expect(() => checkNumberOption('n', -Infinity, { allowInfinity: true })).toThrow(TypeError);
  });
});

describe('other option checks', () => {
  it('accept the right kind and name the option otherwise', () => {
    expect(checkStringOption('root', 'logs')).toBe('logs');
    expect(() => checkStringOption('root', '')).toThrow('Expected `root` to be a non-empty string');
    const fn = () => 1;
    expect(checkFunctionOption('fn', fn)).toBe(fn);
    expect(() => checkFunctionOption('fn', {})).toThrow('Expected `fn` to be a function');
    expect(checkObjectOption('options', { a: 1 })).toEqual({ a: 1 });
    for (const value of [null, [], 'x'])
      expect(() => checkObjectOption('options', value)).toThrow(
        'Expected `options` to be an object',
      );
  });
});
