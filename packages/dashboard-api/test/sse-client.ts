import { vi } from 'vitest';

/** One Server-Sent Event as received, with when it arrived (`performance.now()`). */
export interface ReceivedEvent {
  event: string;
  data: unknown;
  receivedAt: number;
}

/**
 * Reads Server-Sent Events from `body` until it ends, calling `onEvent` with each named event and
 * its raw `data` line.
 */
export async function readSseEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) onEvent(event, data);
    }
  }
}

/**
 * Reads a dashboard's `/api/events` over a real socket and keeps every event. `waitFor`
 * resolves with the first event (from `since` on) that `predicate` accepts.
 */
export async function openEventStream(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`GET ${url}: ${response.status}`);
  const events: ReceivedEvent[] = [];
  const reading = readSseEvents(response.body, (event, data) =>
    events.push({ event, data: JSON.parse(data), receivedAt: performance.now() }),
  ).catch(() => {});
  return {
    events,
    waitFor(
      predicate: (event: ReceivedEvent) => boolean,
      { since = 0, timeoutMs = 10_000 } = {},
    ): Promise<ReceivedEvent> {
      return vi.waitFor(
        () => {
          const found = events.find((event) => event.receivedAt >= since && predicate(event));
          if (found) return found;
          const seen = events.map((event) => event.event).join(', ');
          throw new Error(`no matching event within ${timeoutMs} ms (seen: ${seen})`);
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    async close(): Promise<void> {
      controller.abort();
      await reading;
    },
  };
}
