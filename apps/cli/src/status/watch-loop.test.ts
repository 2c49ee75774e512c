import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { watchLoop } from './watch-loop.js';

async function frames(tty: boolean): Promise<string> {
  const stream = Object.assign(new PassThrough(), { isTTY: tty });
  let output = '';
  stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = new AbortController();
  let round = 0;
  await watchLoop({
    intervalSeconds: 0.01,
    stream,
    signal: stop.signal,
    render: async () => {
      round += 1;
      if (round === 3) stop.abort();
      return `frame ${round}\n`;
    },
  });
  return output;
}

test('on a terminal each frame replaces the last; elsewhere frames follow, a blank line between', async () => {
  expect(await frames(true)).toBe('\x1b[H\x1b[2J\x1b[3Jframe 1\n\x1b[H\x1b[2J\x1b[3Jframe 2\n');
  expect(await frames(false)).toBe('frame 1\n\nframe 2\n\n');
});
