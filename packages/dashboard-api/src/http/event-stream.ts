import type { ResourceFeed } from '../resources/resource-feed.js';
import type { RunIndex, RunIndexEvent } from '../run-index/run-index.js';
import { createSseBody, sseMessage } from './sse-body.js';
import type { SseBodyOptions } from './sse-body.js';

export interface EventStreamOptions extends SseBodyOptions {
  /** Sends a `resources` event for each sample of this feed while the client is connected. */
  resources?: ResourceFeed;
}

/**
 * A Server-Sent Events body over the index's changes: `run`, `removed` and `summary` events
 * (data: JSON), a `summary` at once, `resources` samples when a feed is given, and keep-alive
 * comments. The subscriptions end when the client goes away (the body is cancelled or
 * `signal` aborts), when the client falls too far behind, or when the index closes.
 */
export function createEventStream(
  index: RunIndex,
  options: EventStreamOptions,
): ReadableStream<Uint8Array> {
  return createSseBody(options, (send, end) => {
    const unsubscribe = index.subscribe(
      (event) => send(formatEvent(event, index.lastEventId)),
      end,
    );
    send(formatEvent({ type: 'summary', summary: index.summary() }, index.lastEventId));
    // Resources are no change of the index: their events carry no id.
    const stopResources = options.resources?.subscribe((snapshot) =>
      send(sseMessage('resources', snapshot)),
    );
    return () => {
      unsubscribe();
      stopResources?.();
    };
  });
}

function formatEvent(event: RunIndexEvent, id: number): string {
  const data =
    event.type === 'run' ? event.run : event.type === 'removed' ? { id: event.id } : event.summary;
  return sseMessage(event.type, data, id);
}
