import { setTimeout as delay } from 'node:timers/promises';
/** Clears a terminal and puts the cursor top left (`watch` does the same). */
const CLEAR_SCREEN = '\x1b[H\x1b[2J\x1b[3J';

export interface WatchLoopOptions {
  /** Seconds between redraws. */
  intervalSeconds: number;
  /** Writes one frame: the whole output of one round. */
  render: () => Promise<string>;
  stream: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Ends the loop (Ctrl-C). */
  signal: AbortSignal;
}

/**
 * Renders a frame every `intervalSeconds` until `signal` aborts: on a terminal each frame
 * replaces the last (the screen is cleared first), elsewhere (a pipe, a log file) frames
 * follow one another, each ended by a blank line.
 *
 * @example
 * await watchLoop({ intervalSeconds: 2, render: async () => table(), stream: process.stdout, signal });
 */
export async function watchLoop(options: WatchLoopOptions): Promise<void> {
  const tty = (options.stream as NodeJS.WriteStream).isTTY === true;
  while (!options.signal.aborted) {
    const frame = await options.render();
    if (options.signal.aborted) break;
    options.stream.write(tty ? `${CLEAR_SCREEN}${frame}` : `${frame}\n`);
    await sleep(options.intervalSeconds * 1000, options.signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
