import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { CappedLog } from './capped-log.js';

const test = testWithTempDir('runboard-log-');

describe('CappedLog', () => {
  test('appends to an existing file', ({ dir }) => {
    const file = join(dir, 'run.log');
    writeFileSync(file, 'before\n');
    const log = new CappedLog(file, 1000);
    log.write('after\n');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('before\nafter\n');
  });

  test('rotates at half the cap and keeps at most the cap, newest bytes last', ({ dir }) => {
    const file = join(dir, 'run.log');
    const log = new CappedLog(file, 100);
    for (let index = 0; index < 40; index += 1)
      log.write(`line ${String(index).padStart(2, '0')}\n`);
    log.close();
    const current = readFileSync(file, 'utf8');
    const rotated = readFileSync(`${file}.1`, 'utf8');
    expect(statSync(file).size + statSync(`${file}.1`).size).toBeLessThanOrEqual(100);
    expect(current.endsWith('line 39\n')).toBe(true);
    // Nothing lost between the two files: they hold the newest lines in order.
    const lines = (rotated + current).trim().split('\n');
    expect(lines.at(-1)).toBe('line 39');
    expect(lines).toEqual(
      lines.map((_, index) => `line ${String(40 - lines.length + index).padStart(2, '0')}`),
    );
  });

  test('keeps only the end of a chunk larger than half the cap', ({ dir }) => {
    const file = join(dir, 'run.log');
    const log = new CappedLog(file, 10);
    log.write('0123456789abcdef');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('bcdef');
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  test('ignores writes after close and rejects a tiny cap', ({ dir }) => {
    const file = join(dir, 'run.log');
    const log = new CappedLog(file, 10);
    log.close();
    log.write('late');
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(() => new CappedLog(file, 1)).toThrow(TypeError);
  });
});
