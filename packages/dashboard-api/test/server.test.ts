import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect } from 'vitest';
import { InsecureBindError } from '../src/errors.js';
import { startDashboardServer } from '../src/server/start-dashboard-server.js';
import { test, writeRun } from './test-utils.js';

const writeProgressFixture = fileURLToPath(
  new URL('./fixtures/write-progress.ts', import.meta.url),
);

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Reads an SSE body until `pattern` matches the text received so far. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    async until(pattern: RegExp, timeoutMs = 5000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        const timer = new Promise<never>((_, reject) =>
          setTimeout(
            () =>
              reject(new Error(`no ${pattern} within ${timeoutMs} ms; got ${text.slice(-300)}`)),
            deadline - Date.now(),
          ),
        );
        const { value, done } = await Promise.race([reader.read(), timer]);
        if (done) throw new Error(`the stream ended before ${pattern}`);
        text += value;
      }
      return text;
    },
    async ended(timeoutMs = 3000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const result = await Promise.race([
          reader.read(),
          new Promise<{ done: false; value: '' }>((resolve) =>
            setTimeout(() => resolve({ done: false, value: '' }), 200),
          ),
        ]);
        if (result.done) return true;
      }
      return false;
    },
  };
}

/** Sends raw bytes (no client-side URL normalization) and returns the status line and body. */
function rawRequest(port: number, request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // write, not end: Node's HTTP server aborts a request whose client half-closes while the
    // answer is still being prepared. Each request says `Connection: close`, so the server ends.
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }),
    );
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
  });
}

describe('startDashboardServer (a real server on port 0)', () => {
  test('SSE: a write by another process arrives as an event; a disconnect is cleaned up', async ({
    root,
    startServer,
  }) => {
    await writeRun(root, 'sweep/a', { progress: { current: 1, total: 10 } });
    const server = await startServer({ keepAliveMs: 1000 });
    await server.index.whenWatching();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);

    const abort = new AbortController();
    const response = await fetch(new URL('api/events', server.url), { signal: abort.signal });
    expect(response.status).toBe(200);
    const sse = sseReader(response.body!);
    await sse.until(/event: summary\n/);
    await expect
      .poll(() => server.index.subscriberCount, { timeout: 2000, message: 'the subscription' })
      .toBe(1);

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@runboard/source',
        writeProgressFixture,
        root,
        'sweep/a',
        '7',
        '10',
      ],
      { stdio: 'inherit' },
    );
    children.push(child);
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(exitCode).toBe(0);
    await sse.until(/event: run\ndata: \{"id":"sweep\/a","status":"running"[^\n]*"percent":70/);

    abort.abort();
    await expect
      .poll(() => server.index.subscriberCount, {
        timeout: 3000,
        message: 'the subscription to end after the disconnect',
      })
      .toBe(0);
  });

  test('close() ends open SSE streams and frees the port', async ({ root, startServer }) => {
    await writeRun(root, 'r');
    const server = await startServer();
    const response = await fetch(new URL('api/events', server.url));
    const sse = sseReader(response.body!);
    await sse.until(/event: summary\n/);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await sse.ended()).toBe(true);
    expect(server.index.closed).toBe(true);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  test('raw requests: foreign Host, absolute-form target, encoded traversal', async ({
    root,
    startServer,
  }) => {
    await writeRun(root, 'sweep/a');
    const server = await startServer({ token: 'tok' });
    const port = server.port;
    const ok = await rawRequest(
      port,
      `GET /api/runs/sweep/a HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(ok.status).toBe(200);
    const rebinding = await rawRequest(
      port,
      `GET /api/runs HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(rebinding.status).toBe(403);
    expect(rebinding.text).toContain('HOST_NOT_ALLOWED');
    const absolute = await rawRequest(
      port,
      `GET http://attacker.example/api/runs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(absolute.status).toBe(403);
    for (const target of [
      '/api/runs/..%2F..%2F..%2Fetc%2Fpasswd',
      '/api/runs/sweep/%2e%2e%2F%2e%2e%2Fx/log',
      '/api/runs/a%00b',
    ]) {
      const response = await rawRequest(
        port,
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      expect(response.status).toBe(400);
      expect(response.text).toContain('INVALID_RUN_ID');
      expect(response.text).not.toMatch(/\n\s+at /);
    }
    for (const name of ['access-control-allow-origin', 'access-control-allow-credentials']) {
      expect(ok.text.toLowerCase()).not.toContain(name);
    }
  });

  test('refuses a non-loopback address without a token; with one, reads need it', async ({
    root,
    startServer,
  }) => {
    await expect(startServer({ host: '0.0.0.0' })).rejects.toBeInstanceOf(InsecureBindError);
    await expect(startServer({ host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'RUNBOARD_DASHBOARD_INSECURE_BIND',
    });
    await writeRun(root, 'r');
    const server = await startServer({ host: '0.0.0.0', token: 'tok' });
    const url = `http://127.0.0.1:${server.port}/api/runs`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer tok' } })).status).toBe(200);
  });

  test('a port in use rejects with EADDRINUSE', async ({ root, startServer }) => {
    const first = await startServer();
    const attempt = startDashboardServer({ root, port: first.port, onWarning: () => {} });
    await expect(attempt).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  test('validates host and port', async ({ startServer }) => {
    await expect(startServer({ port: 70_000 })).rejects.toThrow(TypeError);
    await expect(startServer({ host: '' })).rejects.toThrow(TypeError);
  });
});
