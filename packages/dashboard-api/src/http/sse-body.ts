export interface SseBodyOptions {
  /** Interval of `: keep-alive` comments. */
  keepAliveMs: number;
  /** A client that falls this many bytes behind is disconnected (its browser reconnects). */
  maxBufferedBytes: number;
  /** Ends the stream, e.g. the request's signal. */
  signal?: AbortSignal;
}

/** Sends one SSE message or comment (already formatted, ending in a blank line). */
export type SseSend = (text: string) => void;

/** `retry:` hint for EventSource reconnects, ms. */
const RETRY_MS = 2000;

const encoder = new TextEncoder();

/**
 * Ends a response whose client fell too far behind. @hono/node-server treats this code as a
 * client gone away: it closes the connection with only its one-line "The user aborted a request."
 * notice on stdout (as for any client that leaves), no stack trace, and no error message written
 * into the event stream.
 */
function fellBehind(): Error {
  return Object.assign(new Error('The client fell too far behind'), {
    code: 'ERR_STREAM_PREMATURE_CLOSE',
  });
}

/**
 * A Server-Sent Events body: a `retry:` hint, keep-alive comments, and what `start` sends.
 * `start` subscribes to its source and returns its cleanup, which runs exactly once when the
 * client goes away (the body is cancelled or `signal` aborts), falls too far behind, or
 * `end` is called.
 */
export function createSseBody(
  options: SseBodyOptions,
  start: (send: SseSend, end: () => void) => () => void,
): ReadableStream<Uint8Array> {
  let cleanup = (): void => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let done = false;
        let stopSource: (() => void) | undefined;
        const release = (): void => {
          done = true;
          clearInterval(keepAlive);
          options.signal?.removeEventListener('abort', onAbort);
          const stop = stopSource;
          stopSource = undefined;
          stop?.();
        };
        const finish = (how: 'close' | 'error'): void => {
          if (done) return;
          release();
          try {
            if (how === 'close') controller.close();
            else controller.error(fellBehind());
          } catch {
            // Already closed or cancelled.
          }
        };
        const send: SseSend = (text) => {
          if (done) return;
          if ((controller.desiredSize ?? 0) < -options.maxBufferedBytes) {
            finish('error');
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        const onAbort = (): void => finish('close');
        const keepAlive = setInterval(() => send(': keep-alive\n\n'), options.keepAliveMs);
        keepAlive.unref();
        cleanup = () => {
          if (!done) release();
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (options.signal?.aborted) {
          finish('close');
          return;
        }
        send(`retry: ${RETRY_MS}\n: connected\n\n`);
        const stop = start(send, () => finish('close'));
        if (done) stop();
        else stopSource = stop;
      },
      cancel() {
        cleanup();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
}

/** One SSE message; JSON.stringify never emits a raw newline, so one `data:` line holds it. */
export function sseMessage(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
