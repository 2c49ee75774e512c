import { describe, expect, it } from 'vitest';
import { JsonSerializeError } from './errors.js';
import type { SerializeOptions } from './serialize-json.js';
import { serializeJson } from './serialize-json.js';

const strict = { space: 2, nonFinite: 'error' } as const;

function refusal(value: unknown, options: SerializeOptions = strict): JsonSerializeError {
  try {
    serializeJson('out.json', value, options);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSerializeError);
    return error as JsonSerializeError;
  }
  throw new Error('expected a JsonSerializeError');
}

describe('serializeJson', () => {
  it('writes JSON.stringify output with the given indentation and a final newline', () => {
    const value = { a: 1, list: [true, null, 'x'], nested: { b: 'c' } };
    expect(serializeJson('f', value, strict)).toBe(JSON.stringify(value, null, 2));
    expect(serializeJson('f', value, { ...strict, space: 0 })).toBe(JSON.stringify(value));
    expect(serializeJson('f', value, { ...strict, space: '\t' })).toContain('\n\t"a": 1');
  });

  it('refuses NaN and ±Infinity by default and names their JSON path', () => {
    const value = { metrics: { loss: Number.NaN }, history: [{ lr: 1 }, { lr: -Infinity }] };
    const error = refusal(value);
    expect(error.code).toBe('RUNBOARD_JSON_SERIALIZE');
    expect(error.jsonPath).toBe('$.metrics.loss');
    expect(error.message).toContain('out.json');
    expect(error.message).toContain('NaN');
    expect(refusal({ history: value.history }).jsonPath).toBe('$.history[1].lr');
    expect(refusal({ 'odd key': Infinity }).jsonPath).toBe('$["odd key"]');
    expect(refusal(Number.NaN).jsonPath).toBe('$');
  });

  it("writes non-finite numbers as null only with nonFinite: 'null'", () => {
    const text = serializeJson(
      'f',
      { loss: Number.NaN, best: Infinity },
      { space: 0, nonFinite: 'null' },
    );
    expect(JSON.parse(text)).toEqual({ loss: null, best: null });
  });

  it('refuses BigInt, circular references, Map and Set with their path', () => {
    expect(refusal({ steps: [1n] }).jsonPath).toBe('$.steps[0]');
    const cyclic: Record<string, unknown> = { a: { list: [] as unknown[] } };
    (cyclic.a as { list: unknown[] }).list.push(cyclic);
    const circular = refusal(cyclic);
    expect(circular.jsonPath).toBe('$.a.list[0]');
    expect(circular.message).toContain('circular');
    expect(refusal({ m: new Map([[1, 2]]) }).message).toContain('Map');
    expect(refusal({ s: new Set([1]) }).jsonPath).toBe('$.s');
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(JSON.parse(serializeJson('f', { a: shared, b: [shared] }, strict))).toEqual({
      a: { x: 1 },
      b: [{ x: 1 }],
    });
  });

  it('refuses a top-level undefined, function or symbol', () => {
    for (const value of [undefined, () => 1, Symbol('s')]) {
      expect(refusal(value).jsonPath).toBe('$');
    }
    expect(refusal({ toJSON: () => undefined }).jsonPath).toBe('$');
  });

  it('refuses undefined, functions and symbols in arrays, where they would become null', () => {
    expect(refusal([1, undefined]).jsonPath).toBe('$[1]');
    expect(refusal({ a: [() => 1] }).jsonPath).toBe('$.a[0]');
  });

  it('omits undefined object properties, as JSON.stringify does (optional fields)', () => {
    expect(JSON.parse(serializeJson('f', { a: 1, b: undefined }, strict))).toEqual({ a: 1 });
  });

  it('follows toJSON and boxed primitives', () => {
    const date = new Date('2025-01-02T03:04:05.000Z');
    expect(JSON.parse(serializeJson('f', { date }, strict))).toEqual({ date: date.toISOString() });
    expect(refusal({ x: { toJSON: () => Number.NaN } }).jsonPath).toBe('$.x');
    expect(refusal({ x: new Number(Infinity) }).jsonPath).toBe('$.x');
  });

  it('checks own keys only, as JSON.stringify does, even when Object.prototype is polluted', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.polluted = Number.NaN; // enumerable, inherited by every plain object
    try {
      expect(serializeJson('f', { a: null, b: [{ c: null }] }, strict)).toBe(
        JSON.stringify({ a: null, b: [{ c: null }] }, null, 2),
      );
      expect(refusal({ a: null, b: [{ c: Number.NaN }] }).jsonPath).toBe('$.b[0].c');
    } finally {
      delete prototype.polluted;
    }
  });

  it('refuses values in objects without a prototype and in class instances', () => {
    const bare = Object.assign(Object.create(null) as object, { loss: Number.NaN });
    expect(refusal({ bare }).jsonPath).toBe('$.bare.loss');
    class Metrics {
      loss = Number.POSITIVE_INFINITY;
    }
    expect(refusal({ m: new Metrics() }).jsonPath).toBe('$.m.loss');
  });

  it('finds a problem in any property of a large record with legitimate nulls, however indented', () => {
    // Large enough (> 64 KiB) for the walk guided by the output's top-level lines.
    const record = (loss: number) => ({
      finishedAt: null,
      history: Array.from({ length: 4000 }, (_, step) => ({
        step,
        loss: step === 3000 ? loss : 1,
      })),
      'we"ird\\key': [null, 1],
      skipped: undefined,
    });
    for (const space of [2, '\t', ' \t', 0, -1, 2.5, 20, '']) {
      const options = { ...strict, space };
      expect(serializeJson('f', record(0.5), options)).toBe(
        JSON.stringify(record(0.5), null, space),
      );
      expect(refusal(record(Number.NaN), options).jsonPath).toBe('$.history[3000].loss');
    }
    const weird = { ...record(0.5), 'we"ird\\key': [null, Number.NaN] };
    expect(refusal(weird).jsonPath).toBe('$["we\\"ird\\\\key"][1]');
    const withMap = { ...record(0.5), m: new Map() };
    expect(refusal(withMap).jsonPath).toBe('$.m');
  });

  it('wraps a throwing toJSON with the original error as cause', () => {
    const boom = new Error('boom');
    const error = refusal({
      x: {
        toJSON() {
          throw boom;
        },
      },
    });
    expect(error.cause).toBe(boom);
  });
});
