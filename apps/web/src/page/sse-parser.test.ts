import { expect, test } from 'vitest';
import { SseParser } from './sse-parser.js';

test('messages split across chunks come out whole; keep-alive comments are skipped', () => {
  const parser = new SseParser();
  expect(parser.push(': keep-alive\n\nevent: ru')).toEqual([]);
  expect(parser.push('n\nid: 7\ndata: {"id":')).toEqual([]);
  expect(parser.push('"a"}\n\nevent: removed\r\ndata: {"id":"b"}\r')).toEqual([
    { event: 'run', data: '{"id":"a"}', id: '7' },
  ]);
  expect(parser.push('\n\r\n')).toEqual([{ event: 'removed', data: '{"id":"b"}', id: '7' }]);
});

test('multi-line data is joined with newlines; a message without event: is a message', () => {
  const parser = new SseParser();
  expect(parser.push('data:first\ndata: second\n\ndata\n\n')).toEqual([
    { event: 'message', data: 'first\nsecond', id: null },
    { event: 'message', data: '', id: null },
  ]);
});
