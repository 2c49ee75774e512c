import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HTTPException } from 'hono/http-exception';
import { describe, expect } from 'vitest';
import { ApiError } from '../src/http/api-error.js';
import { createDashboardApp } from '../src/http/create-dashboard-app.js';
import type { DashboardAppOptions } from '../src/http/create-dashboard-app.js';
import { TOKEN, appFor, expectError, json, test } from './app-helpers.js';
import { snapshotTree } from './test-utils.js';

describe('POST /api/runs/<id>/cancel', () => {
  test('without a configured token: 403 CANCEL_DISABLED, nothing written', async ({
    seededRoot: root,
    openIndex,
  }) => {
    const before = await snapshotTree(root);
    const app = appFor(await openIndex({ watch: false }));
    await expectError(
      await app.request('/api/runs/sweep/a/cancel', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
      403,
      'CANCEL_DISABLED',
    );
    expect(await snapshotTree(root)).toEqual(before);
  });

  test('missing or wrong token: 401 with WWW-Authenticate', async ({ seededApp, root }) => {
    const app = await seededApp({ token: TOKEN });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      `Basic ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN}x`,
    ]) {
      const response = await app.request('/api/runs/sweep/a/cancel', {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expectError(response, 401, 'UNAUTHORIZED');
    }
    await expect(readFile(join(root, 'sweep', 'a', 'control.json'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  test('with the token: 202, control.json holds the request, progress.json untouched', async ({
    seededRoot: root,
    openIndex,
  }) => {
    const progressBefore = await readFile(join(root, 'sweep', 'a', 'progress.json'), 'utf8');
    const app = appFor(await openIndex({ watch: false }), { token: TOKEN });
    const response = await app.request('/api/runs/sweep/a/cancel', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body).toEqual({
      id: 'sweep/a',
      cancel: { requestedAt: expect.any(String), requestedBy: 'dashboard' },
    });
    const control = JSON.parse(await readFile(join(root, 'sweep', 'a', 'control.json'), 'utf8'));
    expect(control.cancel.requestedAt).toBe(body.cancel.requestedAt);
    expect(await readFile(join(root, 'sweep', 'a', 'progress.json'), 'utf8')).toBe(progressBefore);
    expect((await json(await app.request('/api/runs/sweep/a'))).control.cancel.requestedBy).toBe(
      'dashboard',
    );
  });

  test('a finished run: 409; an unknown run: 404; GET: 405', async ({ seededApp }) => {
    const app = await seededApp({ token: TOKEN });
    const post = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } };
    await expectError(await app.request('/api/runs/sweep/c/cancel', post), 409, 'RUN_FINISHED');
    await expectError(await app.request('/api/runs/sweep/none/cancel', post), 404, 'RUN_NOT_FOUND');
    await expectError(await app.request('/api/runs/sweep/a/cancel'), 405, 'METHOD_NOT_ALLOWED');
    await expectError(await app.request('/api/runs/sweep/a', post), 405, 'METHOD_NOT_ALLOWED');
  });

  test('a POST from a foreign Origin is refused even with the token', async ({ seededApp }) => {
    const app = await seededApp({ token: TOKEN });
    await expectError(
      await app.request('/api/runs/sweep/a/cancel', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' },
      }),
      403,
      'ORIGIN_NOT_ALLOWED',
    );
    const sameOrigin = await app.request('/api/runs/sweep/a/cancel', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://127.0.0.1:8787' },
    });
    expect(sameOrigin.status).toBe(202);
  });
});

describe('security: Host header, CORS, read protection, unknown routes', () => {
  test.for([
    ['localhost', 200],
    ['localhost:8787', 200],
    ['127.0.0.1:8787', 200],
    ['[::1]:8787', 200],
    ['LOCALHOST.', 200],
    ['evil.example', 403],
    ['evil.example:8787', 403],
    ['127.0.0.1.evil.example', 403],
    ['localhost@evil.example', 403],
    ['', 403],
  ] as const)('Host %j → %i', async ([host, status], { openIndex }) => {
    const app = appFor(await openIndex({ watch: false }));
    for (const path of ['/healthz', '/api/runs', '/api/events']) {
      const response = await app.request(path, { headers: { host } });
      expect(response.status).toBe(status);
      if (status === 403) await expectError(response, 403, 'HOST_NOT_ALLOWED');
      else await response.body?.cancel();
    }
  });

  test('allowedHosts adds names; * allows any', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    expect(
      (
        await appFor(index, { allowedHosts: ['runs.lab.internal'] }).request('/healthz', {
          headers: { host: 'runs.lab.internal:8787' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await appFor(index, { allowedHosts: ['*'] }).request('/healthz', {
          headers: { host: 'anything.example' },
        })
      ).status,
    ).toBe(200);
  });

  test('no CORS headers, even for a preflight', async ({ seededApp }) => {
    const app = await seededApp({ token: TOKEN });
    const headers = { origin: 'http://evil.example', 'access-control-request-method': 'POST' };
    for (const response of [
      await app.request('/api/runs', { headers }),
      await app.request('/api/runs/sweep/a/cancel', { method: 'OPTIONS', headers }),
    ]) {
      for (const name of response.headers.keys()) expect(name).not.toMatch(/^access-control-/);
    }
    const response = await app.request('/api/runs');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  test('protectReads: every /api route needs the token, as a header or the session cookie', async ({
    seededApp,
  }) => {
    const app = await seededApp({ token: TOKEN, protectReads: true });
    for (const path of [
      '/api/runs',
      '/api/runs/sweep/a',
      '/api/summary',
      '/api/resources',
      '/api/events',
    ]) {
      await expectError(await app.request(path), 401, 'UNAUTHORIZED');
    }
    expect(
      (await app.request('/api/runs', { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    await expectError(await app.request('/api/session', { method: 'POST' }), 401, 'UNAUTHORIZED');
    const session = await app.request('/api/session', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const events = await app.request('/api/events', { headers: { cookie: cookie.split(';')[0] } });
    expect(events.status).toBe(200);
    await events.body?.cancel();
    await expectError(
      await app.request('/api/runs', { headers: { cookie: 'runboard_session=forged' } }),
      401,
      'UNAUTHORIZED',
    );
  });

  test('unknown routes → 404 NOT_FOUND; wrong methods → 405', async ({ openIndex }) => {
    const app = appFor(await openIndex({ watch: false }));
    await expectError(await app.request('/api/nothing'), 404, 'NOT_FOUND');
    await expectError(await app.request('/'), 404, 'NOT_FOUND');
    await expectError(
      await app.request('/api/runs', { method: 'DELETE' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
    await expectError(
      await app.request('/api/summary', { method: 'POST' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
  });

  test('an unexpected failure is a 500 without details', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    const errors: unknown[] = [];
    const app = appFor(index, { onInternalError: (error) => errors.push(error) });
    index.summary = () => {
      throw new Error('secret internals at /home/user');
    };
    const response = await app.request('/api/summary');
    expect(await response.clone().text()).not.toContain('secret');
    await expectError(response, 500, 'INTERNAL');
    expect(errors).toHaveLength(1);
  });

  test('every expected failure is an HTTPException that answers for itself', () => {
    const error = new ApiError(503, 'TOO_MANY_STREAMS', 'busy', {
      headers: { 'retry-after': '5' },
    });
    expect(error).toBeInstanceOf(HTTPException);
    const response = error.getResponse();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  test('validates its options', async ({ openIndex }) => {
    const index = await openIndex({ watch: false });
    expect(() => createDashboardApp({ index, token: '' })).toThrow(TypeError);
    expect(() => createDashboardApp({ index, protectReads: true })).toThrow(/needs a `token`/);
    expect(() => createDashboardApp({ index, staticDir: '/nonexistent/web' })).toThrow(/staticDir/);
    expect(() => createDashboardApp({} as DashboardAppOptions)).toThrow(/RunIndex/);
  });
});

describe('static files', () => {
  test('serves the page with content types, index.html at /, and nothing outside its folder', async ({
    root,
    openIndex,
  }) => {
    const web = join(root, 'web');
    await mkdir(join(web, 'assets'), { recursive: true });
    const files = {
      'web/index.html': '<!doctype html><title>runboard</title>',
      'web/assets/app.js': 'console.log(1)',
      'web/assets/style.css': 'body{}',
      'web/.env': 'SECRET=1',
      'secret.txt': 'SECRET',
    };
    for (const [path, text] of Object.entries(files)) await writeFile(join(root, path), text);
    await symlink(join(root, 'secret.txt'), join(web, 'link.txt'));
    const app = appFor(await openIndex({ watch: false }), { staticDir: web });
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>runboard</title>');
    const script = await app.request('/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await app.request('/assets/style.css')).headers.get('content-type')).toMatch(
      /^text\/css/,
    );
    const head = await app.request('/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
    for (const path of [
      '/.env',
      '/link.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/assets/%00',
    ]) {
      const response = await app.request(path);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('SECRET');
    }
    // The API still wins over files.
    expect((await app.request('/api/summary')).headers.get('content-type')).toMatch(/json/);
  });
});
