import { describe, expect, test } from 'vitest';
import { formatDuration as pageDuration } from '@runboard/web/format';
import * as term from './terminal-text.js';

describe('durations and ages', () => {
  test('read as on the page: two largest units', () => {
    expect([0, 59, 61, 185, 3725, 90_000].map(term.formatDuration)).toEqual([
      '0s',
      '59s',
      '1m 01s',
      '3m 05s',
      '1h 02m',
      '1d 1h',
    ]);
    expect(term.formatDuration).toBe(pageDuration);
    expect([Number.NaN, Infinity].map(term.formatDuration)).toEqual(['—', '—']);
  });

  test('ages', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(
      [500, 5000, 120_000, 7_200_000, 172_800_000].map((ago) => term.formatAge(now - ago, now)),
    ).toEqual(['now', '5s ago', '2m ago', '2h ago', '2d ago']);
  });
});

describe('terminalText', () => {
  test.each([
    ['an OSC title', 'epoch\x1b]0;pwned\x07', 'epoch'],
    ['an OSC title with spaces, ended by ST', 'a\x1b]2;you have been pwned\x1b\\b', 'ab'],
    ['an 8-bit OSC, unended', 'a\x9d0;title', 'a'],
    ['a colour before a BEL', 'ep\x1b[31moch\x07', 'epoch'],
    ['a CSI clear screen', 'a\x1b[2Jb', 'ab'],
    ['an 8-bit CSI', 'red\x9b31m!', 'red!'],
    ['colours', '\x1b[32mgreen\x1b[0m', 'green'],
    ['lone C0 and C1 controls and DEL', 'a\x00\x07\x08\x7f\x85\x8ab', 'ab'],
    ['line breaks and tabs', ' one\r\ntwo\tthree\n', 'one two three'],
    ['plain text', 'loss=0.5 · 3/10 epoch', 'loss=0.5 · 3/10 epoch'],
  ])('removes %s', (_what, text, safe) => {
    expect(term.terminalText(text)).toBe(safe);
  });
});

test('bars fill in eighths of a cell', () => {
  expect(term.barFill(0, 4)).toBe('');
  expect(term.barFill(0.5, 4)).toBe('██');
  expect(term.barFill(1 / 32, 4)).toBe('▏');
  expect(term.barFill(2, 4)).toBe('████');
  expect(term.barFill(Number.NaN, 4)).toBe('');
});

test('steps, percent and cutting', () => {
  expect(term.stepsText({ current: 30, total: 100, unit: 'epoch' })).toBe('30/100 epoch');
  expect(term.stepsText({ current: 1.25, total: null, unit: 'st\x1b[2Jep' })).toBe('1.3 step');
  expect(term.stepsText({ current: 3 })).toBe('3');
  expect([42.9, null, Number.NaN].map(term.percentText)).toEqual(['42%', '—', '—']);
  expect(term.cutEnd('abcdef', 4)).toBe('abc…');
  expect(term.cutEnd('abc', 4)).toBe('abc');
  expect(term.cutStart('runs/abcdef', 5)).toBe('…cdef');
});
