import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { test as base } from '../../test/test-utils.js';
import { activeLogFollowerCount, followLog } from './log-follower.js';
import type { LogChunk } from './log-tail.js';

/** `dir`: a fresh run folder. */
const test = base.extend<{ dir: string }>({
  dir: async ({ root }, use) => use(root),
});

/** Follows `dir`'s run.log; `text()` is what a reader that applies `reset` shows. */
function follow(dir: string, options: { tail?: number; from?: number } = {}) {
  const chunks: LogChunk[] = [];
  const stop = followLog(dir, { ...options, recheckMs: 5000, onChunk: (c) => chunks.push(c) });
  const text = (): string =>
    chunks.reduce((shown, chunk) => (chunk.reset ? chunk.text : shown + chunk.text), '');
  const until = (expected: string) => expect.poll(text).toBe(expected);
  return { chunks, stop, text, until };
}

test('a tail, then appends as they are written; nothing after stop', async ({ dir }) => {
  const log = join(dir, 'run.log');
  await writeFile(log, 'a\nb\nc\n');
  const follower = follow(dir, { tail: 2 });
  try {
    await follower.until('b\nc\n');
    expect(follower.chunks[0]).toMatchObject({ reset: true, exists: true });
    await appendFile(log, 'd\n');
    await follower.until('b\nc\nd\n');
    expect(follower.chunks.at(-1)).toMatchObject({ text: 'd\n', reset: false, end: 8 });
  } finally {
    follower.stop();
  }
  expect(activeLogFollowerCount()).toBe(0);
  const seen = follower.chunks.length;
  await appendFile(log, 'e\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(follower.chunks.length).toBe(seen);
});

test('a log that appears later, is truncated, and is rotated to run.log.1', async ({ dir }) => {
  const log = join(dir, 'run.log');
  const follower = follow(dir);
  try {
    await follower.until('');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(follower.chunks[0]).toMatchObject({ exists: false });
    await writeFile(log, 'one\n');
    await follower.until('one\n');
    await writeFile(log, 'fresh\n'); // truncated and rewritten: a reset
    await follower.until('fresh\n');
    // The launcher's rotation: the old file's last lines are not lost.
    await appendFile(log, 'last of old\n');
    await rename(log, join(dir, 'run.log.1'));
    await writeFile(log, 'first of new\n');
    await follower.until('fresh\nlast of old\nfirst of new\n');
    await appendFile(log, 'more\n');
    await follower.until('fresh\nlast of old\nfirst of new\nmore\n');
  } finally {
    follower.stop();
  }
});

test('from: continues after an offset; validates its arguments', async ({ dir }) => {
  await writeFile(join(dir, 'run.log'), 'seen\nnew\n');
  const follower = follow(dir, { from: 5 });
  try {
    await follower.until('new\n');
    expect(follower.chunks[0]).toMatchObject({ start: 5, reset: false });
  } finally {
    follower.stop();
  }
  expect(() => followLog('', { onChunk: () => {} })).toThrow(TypeError);
  expect(() => followLog(dir, { recheckMs: 0, onChunk: () => {} })).toThrow(TypeError);
});
