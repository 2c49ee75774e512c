import { describe, expect, test } from 'vitest';
import {
  hostnameOfHeader,
  isLoopbackHost,
  isWildcardHost,
  normalizeHostname,
} from './host-check.js';

describe('host checks', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['localhost.evil.example', false],
    ['128.0.0.1', false],
  ])('isLoopbackHost(%j) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  test('wildcards', () => {
    expect(isWildcardHost('0.0.0.0')).toBe(true);
    expect(isWildcardHost('::')).toBe(true);
    expect(isWildcardHost('[::]')).toBe(true);
    expect(isWildcardHost('127.0.0.1')).toBe(false);
  });

  test('hostnameOfHeader: the host name of a Host header, or undefined when malformed', () => {
    const expected: Record<string, string | undefined> = {
      'localhost:8787': 'localhost',
      'Example.COM.': 'example.com',
      '[::1]:80': '[::1]',
      '[::1]': '[::1]',
      '10.0.0.1:1': '10.0.0.1',
      '[evil]': undefined,
      '[::1]x': undefined,
      'user@host': undefined,
      'a b': undefined,
      '': undefined,
    };
    for (const [header, hostname] of Object.entries(expected))
      expect(hostnameOfHeader(header), JSON.stringify(header)).toBe(hostname);
  });

  test('normalizeHostname puts IPv6 in brackets', () => {
    expect(normalizeHostname('::1')).toBe('[::1]');
    expect(normalizeHostname('Runs.Lab.')).toBe('runs.lab');
  });
});
