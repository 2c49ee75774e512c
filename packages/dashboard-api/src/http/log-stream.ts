import { followLog } from '../run-files/log-follower.js';
import { createSseBody, sseMessage } from './sse-body.js';
import type { SseBodyOptions } from './sse-body.js';

export interface LogStreamOptions extends SseBodyOptions {
  /** Lines of the first `log` event when there is no `from`. */
  tail?: number;
  /** Continue after this byte offset instead of starting with a tail. */
  from?: number;
  /** Re-check interval of the log without a file-system event. */
  recheckMs?: number;
  /** Gets an error reading the log (the stream goes on). */
  onError?: (error: unknown) => void;
}

/**
 * `GET /api/runs/<id>/log?follow=1`: a Server-Sent Events body of `log` events, each the
 * shape of `GET /api/runs/<id>/log` (`{ id, text, start, end, size, exists, reset }`): first
 * the tail (or what follows `from`), then each append as it is written. The log's watch ends
 * with the connection.
 */
export function createLogStream(
  id: string,
  runDir: string,
  options: LogStreamOptions,
): ReadableStream<Uint8Array> {
  return createSseBody(options, (send) =>
    followLog(runDir, {
      tail: options.tail,
      from: options.from,
      recheckMs: options.recheckMs,
      onChunk: (chunk) => send(sseMessage('log', { id, ...chunk })),
      onError: options.onError,
    }),
  );
}
