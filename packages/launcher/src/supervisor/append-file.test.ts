import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { AppendFile } from './append-file.js';

const test = testWithTempDir('runboard-append-');

describe('AppendFile', () => {
  test('appends after what is there', ({ dir }) => {
    const file = join(dir, 'metrics.jsonl');
    writeFileSync(file, 'a\n');
    const appender = AppendFile.open(file);
    appender.append(Buffer.from('b\n'));
    appender.close();
    appender.append(Buffer.from('late\n'));
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
    expect(appender.size).toBe(4);
  });

  test.for([
    ['a\nb\ntorn {"x', 'a\nb\n'],
    ['a\nb\n', 'a\nb\n'],
    ['no newline at all', ''],
    ['', ''],
  ])('trimTornEnd cuts %j back to its last whole line', ([content, expected], { dir }) => {
    const file = join(dir, 'metrics.jsonl');
    writeFileSync(file, content);
    const appender = AppendFile.open(file, { trimTornEnd: true });
    appender.append(Buffer.from('c\n'));
    appender.close();
    expect(readFileSync(file, 'utf8')).toBe(`${expected}c\n`);
  });
});
