import { describe, expect } from 'vitest';
import { connectRaw, getRequest } from './raw-http.js';
import { test, writeRunWithLog } from './test-utils.js';

// Every bound of a real server on port 0, with real sockets: live streams, connections, and
// clients that never finish their request.
describe('connection limits', () => {
  test('live streams beyond maxStreams get a clear 503; a stream that ends frees its slot', async ({
    root,
    startServer,
  }) => {
    await writeRunWithLog(root, 'r', 'line\n');
    const server = await startServer({ maxStreams: 2 });
    const events = getRequest('/api/events', server.port);
    const follow = getRequest('/api/runs/r/log?follow=1', server.port);
    const first = await connectRaw(server.port);
    first.send(events);
    expect((await first.response()).status).toBe(200);
    const second = await connectRaw(server.port);
    second.send(follow);
    expect((await second.response()).status).toBe(200);

    for (const request of [events, follow]) {
      const refused = await connectRaw(server.port);
      refused.send(request);
      const { status, text } = await refused.response();
      expect(status).toBe(503);
      expect(text).toMatch(/\r\nretry-after: 10\r\n/i);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      expect(body).toEqual({
        error: {
          code: 'TOO_MANY_STREAMS',
          message: 'This dashboard already serves 2 live streams; close a page or try again later',
        },
      });
      refused.socket.destroy();
    }

    first.socket.destroy();
    await expect
      .poll(async () => {
        const again = await connectRaw(server.port);
        again.send(events);
        const { status } = await again.response();
        again.socket.destroy();
        return status;
      })
      .toBe(200);
  });

  test('connections beyond maxConnections: an idle keep-alive one makes room, else a clear 503 and close', async ({
    startServer,
  }) => {
    const server = await startServer({ maxConnections: 2 });
    const { port } = server;
    const idle = await connectRaw(port);
    idle.send(getRequest('/healthz', port));
    expect((await idle.response()).status).toBe(200);
    const streaming = await connectRaw(port);
    streaming.send(getRequest('/api/events', port));
    expect((await streaming.response()).status).toBe(200);

    // Both taken, one of them idle: the newcomer is served and the idle one closed (at once,
    // not by Node's 5 s keep-alive timeout).
    const newcomer = await connectRaw(port);
    const arrived = performance.now();
    newcomer.send(getRequest('/healthz', port));
    expect((await newcomer.response()).status).toBe(200);
    await idle.closed;
    expect(performance.now() - arrived).toBeLessThan(2500);

    // Both busy (a stream, and one request under way): the next one is refused and closed.
    const busy = await connectRaw(port);
    busy.send(getRequest('/api/events', port));
    const refused = await connectRaw(port);
    refused.send(getRequest('/healthz', port));
    expect((await busy.response()).status).toBe(200);
    const { status, text } = await refused.response();
    expect(status).toBe(503);
    expect(text).toContain('"code":"TOO_MANY_CONNECTIONS"');
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    await refused.closed;
    expect(streaming.socket.destroyed).toBe(false);
  });

  test('a request whose headers never end is answered 408 and closed after headersTimeoutMs', async ({
    startServer,
  }) => {
    const server = await startServer({ headersTimeoutMs: 300 });
    const halfOpen = await connectRaw(server.port);
    const started = performance.now();
    halfOpen.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
    await halfOpen.closed;
    expect(halfOpen.received()).toMatch(/^HTTP\/1\.1 408 /);
    // The timeout plus Node's check interval (at most the timeout itself here), with slack.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  test('by default a silent connection is closed within ~10 s, not Node’s 60 s', async ({
    startServer,
  }) => {
    const server = await startServer();
    const silent = await connectRaw(server.port, 30_000);
    const started = performance.now();
    await silent.closed;
    const elapsed = performance.now() - started;
    expect(silent.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeGreaterThanOrEqual(9_000);
    expect(elapsed).toBeLessThan(15_000);
  }, 40_000);
});
