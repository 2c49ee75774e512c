import { SseParser } from './sse-parser.js';

/** The states of the live connection, shown in the header. */
export const CONNECTION_STATES = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  /** The server wants a token the page does not have (or refused the one it has). */
  unauthorized: 'unauthorized',
} as const;

export type ConnectionState = (typeof CONNECTION_STATES)[keyof typeof CONNECTION_STATES];

export interface EventStreamOptions {
  url: string;
  /** Extra request headers of each connection (the token, when the dashboard needs one). */
  headers: () => Record<string, string>;
  /** Event names to listen to; each handler gets the parsed JSON data. */
  handlers: Readonly<Record<string, (data: unknown) => void>>;
  /** Called on every (re)connection, before events flow: the place to reload a snapshot. */
  onOpen: () => void;
  onState: (state: ConnectionState, retryInMs?: number) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Server-Sent Events over `fetch`, with exponential backoff. Unlike `EventSource`, `fetch` can
 * send an `Authorization` header (a dashboard bound to a network address wants the token on
 * every request) and tells a 401 from a network failure. After a failure it reconnects after
 * 1 s, 2 s, 4 s … up to `maxDelayMs`, with jitter so that many open pages do not reconnect in
 * step after a server restart. A busy server (503 `TOO_MANY_STREAMS`, 429) is retried the same
 * way, never sooner than its `Retry-After`.
 *
 * @example
 * const stream = connectEvents({ url: 'api/events', headers: () => ({}), handlers: { run: onRun }, onOpen: reload, onState });
 * stream.reconnect(); // e.g. after the token changed
 * stream.close();
 */
export function connectEvents(options: EventStreamOptions): {
  close: () => void;
  reconnect: () => void;
} {
  const initialDelayMs = options.initialDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let delayMs = initialDelayMs;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let everConnected = false;

  /** Reconnects after the backoff's next delay, or later where the server asked (`minWaitMs`). */
  const retry = (state: ConnectionState, minWaitMs = 0): void => {
    if (closed || timer !== null) return;
    const wait = Math.max(minWaitMs, Math.round(delayMs * (0.75 + Math.random() * 0.5)));
    delayMs = Math.min(maxDelayMs, delayMs * 2);
    options.onState(state, wait);
    timer = setTimeout(() => void open(), wait);
  };

  const open = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    options.onState(everConnected ? CONNECTION_STATES.reconnecting : CONNECTION_STATES.connecting);
    const current = new AbortController();
    controller = current;
    try {
      const response = await fetch(options.url, {
        headers: { accept: 'text/event-stream', ...options.headers() },
        cache: 'no-store',
        signal: current.signal,
      });
      if (response.status === 401) {
        await response.body?.cancel();
        retry(CONNECTION_STATES.unauthorized);
        return;
      }
      if (response.status === 503 || response.status === 429) {
        // Busy (e.g. TOO_MANY_STREAMS): keep trying, no sooner than the server's Retry-After.
        await response.body?.cancel();
        retry(CONNECTION_STATES.reconnecting, retryAfterMs(response.headers.get('retry-after')));
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      everConnected = true;
      delayMs = initialDelayMs;
      options.onState(CONNECTION_STATES.live);
      options.onOpen();
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const message of parser.push(value)) dispatch(message.event, message.data);
      }
      throw new Error('the server ended the stream');
    } catch {
      if (current.signal.aborted) return;
      retry(CONNECTION_STATES.reconnecting);
    } finally {
      current.abort();
    }
  };

  const dispatch = (event: string, data: string): void => {
    const handler = options.handlers[event];
    if (!handler) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    handler(parsed);
  };

  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    controller?.abort();
  };

  void open();
  return {
    close: () => {
      closed = true;
      stop();
    },
    reconnect: () => {
      if (closed) return;
      stop();
      delayMs = initialDelayMs;
      void open();
    },
  };
}

/**
 * `Retry-After` in ms: seconds, or an HTTP date; 0 when absent or unreadable. At most an hour,
 * so a wrong header cannot stop the page for good.
 *
 * @example
 * retryAfterMs('10'); // 10000
 */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number {
  if (header === null || header.trim() === '') return 0;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - nowMs;
  return Number.isFinite(ms) ? Math.min(3_600_000, Math.max(0, ms)) : 0;
}
