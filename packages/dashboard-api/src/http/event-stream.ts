import type { RunIndex, RunIndexEvent } from '../run-index/run-index.js';

export interface EventStreamOptions {
  /** Interval of `: keep-alive` comments. */
  keepAliveMs: number;
  /** A client that falls this many bytes behind is disconnected (its browser reconnects). */
  maxBufferedBytes: number;
  /** Ends the stream, e.g. the request's signal. */
  signal?: AbortSignal;
}

/** `retry:` hint for EventSource reconnects, ms. */
const RETRY_MS = 2000;

const encoder = new TextEncoder();

/**
 * A Server-Sent Events body over the index's changes: `run`, `removed` and `summary` events
 * (data: JSON), a `summary` at once, and keep-alive comments. The subscription ends when the
 * client goes away (the body is cancelled or `signal` aborts), when the client falls too far
 * behind, or when the index closes.
 */
export function createEventStream(
  index: RunIndex,
  options: EventStreamOptions,
): ReadableStream<Uint8Array> {
  let cleanup = (): void => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let done = false;
        const finish = (how: 'close' | 'error'): void => {
          if (done) return;
          done = true;
          unsubscribe();
          clearInterval(keepAlive);
          options.signal?.removeEventListener('abort', onAbort);
          try {
            if (how === 'close') controller.close();
            else controller.error(new Error('The client fell too far behind'));
          } catch {
            // Already closed or cancelled.
          }
        };
        const send = (text: string): void => {
          if (done) return;
          if ((controller.desiredSize ?? 0) < -options.maxBufferedBytes) {
            finish('error');
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        const onAbort = (): void => finish('close');
        const unsubscribe = index.subscribe(
          (event) => send(formatEvent(event, index.lastEventId)),
          () => finish('close'),
        );
        const keepAlive = setInterval(() => send(': keep-alive\n\n'), options.keepAliveMs);
        keepAlive.unref();
        cleanup = () => {
          done = true;
          unsubscribe();
          clearInterval(keepAlive);
          options.signal?.removeEventListener('abort', onAbort);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (options.signal?.aborted) {
          finish('close');
          return;
        }
        send(`retry: ${RETRY_MS}\n: connected\n\n`);
        send(formatEvent({ type: 'summary', summary: index.summary() }, index.lastEventId));
      },
      cancel() {
        cleanup();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
}

function formatEvent(event: RunIndexEvent, id: number): string {
  const data =
    event.type === 'run' ? event.run : event.type === 'removed' ? { id: event.id } : event.summary;
  // JSON.stringify never emits a raw newline, so one `data:` line holds the whole payload.
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}
