export interface SseBodyOptions {
  /** Interval of `: keep-alive` comments. */
  keepAliveMs: number;
  /** A client that falls this many bytes behind is disconnected (its browser reconnects). */
  maxBufferedBytes: number;
  /** Ends the stream, e.g. the request's signal. */
  signal?: AbortSignal;
  /**
   * Drops the client's connection (under `@hono/node-server`: destroys `c.env.outgoing`), for a
   * client that fell too far behind. Without it the body errors, which the server reports.
   */
  disconnect?: () => void;
  /** Called once when the stream ends, however it ends. */
  onEnd?: () => void;
}

/** Sends one SSE message or comment (already formatted, ending in a blank line). */
export type SseSend = (text: string) => void;

/** `retry:` hint for EventSource reconnects, ms. */
const RETRY_MS = 2000;

const encoder = new TextEncoder();

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
          options.onEnd?.();
        };
        const finish = (how: 'close' | 'drop'): void => {
          if (done) return;
          release();
          if (how === 'drop' && options.disconnect) {
            // The server then cancels the body, which discards its queue.
            options.disconnect();
            return;
          }
          try {
            if (how === 'close') controller.close();
            else controller.error(new Error('The client fell too far behind'));
          } catch {
            // Already closed or cancelled.
          }
        };
        const send: SseSend = (text) => {
          if (done) return;
          if ((controller.desiredSize ?? 0) < -options.maxBufferedBytes) {
            finish('drop');
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
