import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** One answer read off a raw connection. */
export interface RawResponse {
  status: number;
  /** The status line, headers and what of the body has arrived. */
  text: string;
}

/** A TCP connection to a server that sends bytes exactly as written (no client-side fixes). */
export interface RawConnection {
  socket: Socket;
  /** Writes `request` as it is. */
  send(request: string): void;
  /**
   * The next answer: its headers and, with `Content-Length`, its body (a streamed body: what
   * has come with the headers). Rejects after `timeoutMs`.
   */
  response(timeoutMs?: number): Promise<RawResponse>;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

/** Opens a raw connection to `127.0.0.1:port`, destroyed after `lifetimeMs` at the latest. */
export async function connectRaw(port: number, lifetimeMs = 20_000): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setEncoding('utf8');
  socket.setTimeout(lifetimeMs, () => socket.destroy());
  socket.on('error', () => {});
  let all = '';
  let unread = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: string) => {
    all += chunk;
    unread += chunk;
    for (const wake of waiters) wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    for (const wake of waiters) wake();
  });
  let isClosed = false;
  void closed.then(() => (isClosed = true));

  const takeResponse = (): RawResponse | undefined => {
    const headerEnd = unread.indexOf('\r\n\r\n');
    if (headerEnd < 0) return undefined;
    const length = /\r\ncontent-length: *(\d+)/i.exec(unread.slice(0, headerEnd))?.[1];
    const end = length === undefined ? unread.length : headerEnd + 4 + Number(length);
    if (unread.length < end) return undefined;
    const text = unread.slice(0, end);
    unread = unread.slice(end);
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text };
  };

  return {
    socket,
    send: (request) => socket.write(request),
    received: () => all,
    closed,
    async response(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = takeResponse();
        if (response) return response;
        if (isClosed) throw new Error(`closed before an answer; got ${JSON.stringify(all)}`);
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no answer within ${timeoutMs} ms; got ${JSON.stringify(all)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(wake, left);
          function wake(): void {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          }
          waiters.add(wake);
        });
      }
    },
  };
}

/** A keep-alive `GET path` request as a browser would send it. */
export function getRequest(path: string, port: number): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
}
