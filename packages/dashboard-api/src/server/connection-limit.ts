import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Connection {
  /** Requests being answered on it now. */
  active: number;
  /** Whether it has been answered at least once (a keep-alive connection then waits idle). */
  answered: boolean;
}

/**
 * Caps the open connections of an HTTP server. A connection over the cap makes room by closing
 * the oldest idle keep-alive connection (answered, waiting for a next request that browsers
 * simply send on a new one); when every connection is busy, the new one is over the limit and
 * its request is answered 503 (see {@link ConnectionLimit.isOverLimit}). A connection that never
 * sends a complete request is the server's `headersTimeout`'s to end.
 *
 * @example
 * const connections = new ConnectionLimit(256);
 * const server = createAdaptorServer({
 *   fetch: (request, env) => (connections.isOverLimit(env.incoming.socket) ? busy() : app.fetch(request, env)),
 * });
 * connections.track(server);
 */
export class ConnectionLimit {
  /** In the order they came: the first idle one is the oldest. */
  private readonly open = new Map<Socket, Connection>();
  private readonly overLimit = new WeakSet<Socket>();

  constructor(readonly max: number) {}

  /** Connections counted now (those over the limit are not). */
  get size(): number {
    return this.open.size;
  }

  track(server: Server): void {
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      this.onRequest(request.socket, response),
    );
  }

  /** Whether a request on `socket` must be refused: it came when every connection was busy. */
  isOverLimit(socket: Socket): boolean {
    return this.overLimit.has(socket);
  }

  private onConnection(socket: Socket): void {
    if (this.open.size >= this.max && !this.closeOldestIdle()) {
      this.overLimit.add(socket);
      return;
    }
    this.open.set(socket, { active: 0, answered: false });
    socket.once('close', () => this.open.delete(socket));
  }

  private onRequest(socket: Socket, response: ServerResponse): void {
    const connection = this.open.get(socket);
    if (!connection) return;
    connection.active += 1;
    response.once('close', () => {
      connection.active -= 1;
      connection.answered = true;
    });
  }

  private closeOldestIdle(): boolean {
    for (const [socket, connection] of this.open) {
      if (connection.active === 0 && connection.answered) {
        this.open.delete(socket);
        socket.destroy();
        return true;
      }
    }
    return false;
  }
}
