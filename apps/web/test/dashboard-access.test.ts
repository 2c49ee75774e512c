import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { RUN_FILES } from '@runboard/launcher';
import { LIVE_UPDATE_MS, row, rows, test, useBrowser } from './support/page-test.js';
import { writeLog, writeMetrics, writeRecord, writeRun } from './support/run-folders.js';

useBrowser();

test('with the token from the URL fragment the page can cancel a run, and never puts the token in a URL', async ({
  root,
  serve,
  page,
}) => {
  const record = await writeRun(root, 'sweep/lr=0.3', { progress: { current: 10, total: 100 } });
  const token = 'test-token-4f1c2a';
  const server = await serve({ token });
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  await page.goto(`${server.url}#token=${token}`);

  await expect.poll(() => page.locator('#access-label').innerText()).toBe('cancel enabled');
  expect(await page.evaluate(() => location.href)).toBe(server.url);
  await row(page, record.id).click({ timeout: LIVE_UPDATE_MS });
  const cancel = page.locator('#detail-cancel');
  await expect.poll(() => cancel.isVisible()).toBe(true);
  await cancel.click();
  expect(await cancel.innerText()).toBe('Click again to cancel');
  await cancel.click();

  const controlFile = join(root, 'sweep', 'lr=0.3', RUN_FILES.control);
  await expect.poll(() => existsSync(controlFile), { timeout: LIVE_UPDATE_MS }).toBe(true);
  const control = JSON.parse(await readFile(controlFile, 'utf8')) as {
    cancel?: { requestedAt: string };
  };
  expect(control.cancel?.requestedAt).toMatch(/^\d{4}-/);
  await expect
    .poll(() => page.locator('#detail-facts').textContent())
    .toContain('Cancel requested');
  expect(await cancel.isVisible()).toBe(false);
  expect(urls.filter((url) => url.includes(token))).toEqual([]);
});

test('the page reconnects with backoff after the server goes away and catches up', async ({
  root,
  serve,
  page,
}) => {
  const record = await writeRun(root, 'restart/run', { progress: { current: 10, total: 100 } });
  const first = await serve();
  await page.goto(first.url);
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(1);
  await first.close();
  await expect
    .poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: LIVE_UPDATE_MS })
    .toBe('reconnecting');

  await writeRecord(root, {
    ...record,
    progress: { current: 70, total: 100 },
    updatedAt: new Date().toISOString(),
  });
  await writeRun(root, 'restart/new-run', { status: 'queued' });
  const second = await serve({ port: first.port });
  expect(second.port).toBe(first.port);
  await expect
    .poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: 20_000 })
    .toBe('live');
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(2);
  expect(await row(page, record.id).getByRole('progressbar').getAttribute('aria-valuenow')).toBe(
    '70.0',
  );
});

test('a dashboard that protects reads shows nothing without its token, and everything with it', async ({
  root,
  serve,
  page,
}) => {
  const record = await writeRun(root, 'secure/run', {
    progress: { current: 10, total: 100, unit: 'step' },
    metrics: { loss: 1 },
  });
  await writeLog(root, record.id, 'step 10 loss 1.0\n');
  await writeMetrics(root, record.id, 5);
  // What `runboard dashboard --host 0.0.0.0 --token …` turns on; here on loopback.
  const token = 'reads-need-this-7d2e';
  const server = await serve({ token, protectReads: true });
  const answers: { url: string; status: number; authorization: string | undefined }[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/api/')) {
      answers.push({
        url: response.url(),
        status: response.status(),
        authorization: response.request().headers()['authorization'],
      });
    }
  });
  const anonymous = await fetch(new URL('api/runs', server.url));
  expect(anonymous.status).toBe(401);

  await page.goto(server.url);
  await expect
    .poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: LIVE_UPDATE_MS })
    .toBe('unauthorized');
  expect(await page.locator('#connection-label').innerText()).toBe('token needed');
  await expect.poll(() => page.locator('#empty-text').innerText()).toContain('token');
  expect(await rows(page).count()).toBe(0);

  // Entering the token by hand (the access button) connects with it.
  page.once('dialog', (dialog) => void dialog.accept(token));
  await page.locator('#access').click();
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(1);
  await expect.poll(() => page.locator('#connection').getAttribute('data-state')).toBe('live');
  await expect.poll(() => page.locator('#cpu-text').innerText()).toMatch(/cores/);
  await row(page, record.id).click();
  await expect.poll(() => page.locator('#detail-log').innerText()).toBe('step 10 loss 1.0');
  await expect.poll(() => page.locator('#detail-plots figure').count()).toBe(2);

  // The event stream is authorized too: a change on disk arrives.
  await writeRecord(root, {
    ...record,
    progress: { current: 55, total: 100, unit: 'step' },
    updatedAt: new Date().toISOString(),
  });
  await expect
    .poll(() => row(page, record.id).getByRole('progressbar').getAttribute('aria-valuenow'), {
      timeout: LIVE_UPDATE_MS,
    })
    .toBe('55.0');

  const withToken = answers.filter((answer) => answer.authorization === `Bearer ${token}`);
  const paths = new Set(withToken.map((answer) => new URL(answer.url).pathname));
  for (const path of [
    '/api/events',
    '/api/runs',
    '/api/summary',
    '/api/resources',
    '/api/runs/secure/run',
    '/api/runs/secure/run/log',
    '/api/runs/secure/run/metrics',
  ]) {
    expect([...paths], path).toContain(path);
  }
  expect(withToken.every((answer) => answer.status < 400)).toBe(true);
  expect(
    answers.filter((answer) => answer.authorization === undefined).map((a) => a.status),
  ).toEqual(expect.arrayContaining([401]));
  expect(answers.filter((answer) => answer.url.includes(token))).toEqual([]);
});

test('a page turned away by a busy dashboard (503 TOO_MANY_STREAMS) retries after Retry-After and connects', async ({
  root,
  serve,
  page,
}) => {
  await writeRun(root, 'sweep/lr=0.3');
  const server = await serve({ maxStreams: 1 });
  await page.goto(server.url);
  await expect
    .poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: LIVE_UPDATE_MS })
    .toBe('live');

  const second = await page.context().newPage();
  try {
    const attempts: { status: number; atMs: number }[] = [];
    second.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/events') {
        attempts.push({ status: response.status(), atMs: Date.now() });
      }
    });
    await second.goto(server.url);
    await expect.poll(() => attempts.map((attempt) => attempt.status)).toEqual([503]);
    expect(await second.locator('#connection-label').innerText()).toMatch(/^reconnecting in 1\ds$/);
    // The first page leaves: its stream's slot frees up.
    await page.goto('about:blank');
    await expect
      .poll(() => second.locator('#connection').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('live');
    await expect.poll(() => rows(second).count()).toBe(1);
    // One retry, no sooner than the server's Retry-After (10 s), not the 1 s, 2 s, 4 s backoff.
    expect(attempts.map((attempt) => attempt.status)).toEqual([503, 200]);
    expect(attempts[1]!.atMs - attempts[0]!.atMs).toBeGreaterThanOrEqual(9_500);
  } finally {
    await second.close();
  }
});
