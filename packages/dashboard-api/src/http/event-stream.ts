import type { DashboardNotices } from '../notices/dashboard-notices.js';
import type { ResourceFeed } from '../resources/resource-feed.js';
import type { RunIndex, RunIndexEvent } from '../run-index/run-index.js';
import { noticesBody } from './notices-body.js';
import { createSseBody, sseMessage } from './sse-body.js';
import type { SseBodyOptions } from './sse-body.js';

export interface EventStreamOptions extends SseBodyOptions {
  /** Sends a `resources` event for each sample of this feed while the client is connected. */
  resources?: ResourceFeed;
  /** Sends a `notices` event at once and whenever a notice is added. */
  notices?: DashboardNotices;
}

/**
 * A Server-Sent Events body over the index's changes: `run`, `removed` and `summary` events
 * (data: JSON), a `summary` at once, `notices` (at once and when one is added) and
 * `resources` samples when given, and keep-alive
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
    // Notices and resources are no change of the index: their events carry no id.
    const { notices } = options;
    const sendNotices = (): void =>
      send(sseMessage('notices', noticesBody(index, notices!.list())));
    if (notices) sendNotices();
    const stopNotices = notices?.subscribe(sendNotices);
    const stopResources = options.resources?.subscribe((snapshot) =>
      send(sseMessage('resources', snapshot)),
    );
    return () => {
      unsubscribe();
      stopNotices?.();
      stopResources?.();
    };
  });
}

function formatEvent(event: RunIndexEvent, id: number): string {
  const data =
    event.type === 'run' ? event.run : event.type === 'removed' ? { id: event.id } : event.summary;
  return sseMessage(event.type, data, id);
}
