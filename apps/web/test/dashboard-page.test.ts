import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test as base } from 'vitest';
import type { Page } from 'playwright-core';
import { startDashboardServer } from '@runboard/dashboard-api';
import type { DashboardServer, DashboardServerOptions } from '@runboard/dashboard-api';
import { RUN_FILES } from '@runboard/launcher';
import { WEB_ENTRY_SCRIPT, webAssetsDir } from '../src/index.js';
import { launchHeadlessChromium } from './support/browser.js';
import type { HeadlessBrowser } from './support/browser.js';
import {
  appendLog,
  runRecord,
  writeLog,
  writeMetrics,
  writeRecord,
} from './support/run-folders.js';

/** How long the page may take to show a change made on disk (watcher, SSE, render). */
const LIVE_UPDATE_MS = 10_000;

let browser: HeadlessBrowser | undefined;

beforeAll(async () => {
  if (!existsSync(join(webAssetsDir, WEB_ENTRY_SCRIPT))) {
    throw new Error(
      `${WEB_ENTRY_SCRIPT} is missing in ${webAssetsDir}: build @runboard/web first (npx tsc --build apps/web/tsconfig.lib.json)`,
    );
  }
  browser = await launchHeadlessChromium();
}, 45_000);

afterAll(async () => {
  await browser?.close();
}, 30_000);

interface Fixtures {
  root: string;
  /** Starts a dashboard over `root` on a free port; closed after the test. */
  serve: (options?: Partial<DashboardServerOptions>) => Promise<DashboardServer>;
  /** A fresh tab, closed after the test; page errors fail the test. */
  page: Page;
}

const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  root: async ({}, use) => {
    const root = await mkdtemp(join(tmpdir(), 'runboard-web-'));
    await use(root);
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  },
  serve: async ({ root }, use) => {
    const servers: DashboardServer[] = [];
    await use(async (options = {}) => {
      const server = await startDashboardServer({
        root,
        port: 0,
        staticDir: webAssetsDir,
        ...options,
      });
      servers.push(server);
      return server;
    });
    await Promise.all(servers.map((server) => server.close()));
  },
  // eslint-disable-next-line no-empty-pattern
  page: async ({}, use) => {
    if (!browser) throw new Error('the browser did not start');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await use(page);
    await page.close();
    expect(errors, 'errors thrown in the page').toEqual([]);
  },
});

const rows = (page: Page) => page.locator('#runs-body tr.run-row');
const row = (page: Page, id: string) => page.locator(`#runs-body tr[data-run-id="${id}"]`);

async function shownIds(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((elements) =>
    elements.map((element) => element.getAttribute('data-run-id') ?? ''),
  );
}

test('the table fills with every run, its status, progress, attempt and GPU, and the counts', async ({
  root,
  serve,
  page,
}) => {
  const now = Date.now();
  await writeRecord(
    root,
    runRecord(
      'sweep/lr=0.1',
      { progress: { current: 30, total: 100, unit: 'epoch', etaSeconds: 700 } },
      now,
    ),
  );
  await writeRecord(
    root,
    runRecord(
      'sweep/lr=0.01',
      { status: 'succeeded', attempt: 2, finishedAt: new Date(now).toISOString() },
      now,
    ),
  );
  await writeRecord(
    root,
    runRecord(
      'sweep/lr=1',
      { status: 'failed', exitCode: 1, error: 'CUDA out of memory', gpus: [3] },
      now,
    ),
  );
  await writeRecord(
    root,
    runRecord('eval/base', { status: 'queued', startedAt: null, gpus: null }, now),
  );
  await writeRecord(
    root,
    runRecord(
      'sweep/lr=0.5',
      {
        heartbeatAt: new Date(now - 10 * 60_000).toISOString(),
        progress: { current: 5, total: 100 },
      },
      now,
    ),
  );
  const server = await serve();
  await page.goto(server.url);

  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(5);
  // Default order: what needs attention first.
  expect(await shownIds(page)).toEqual([
    'sweep/lr=1',
    'sweep/lr=0.5',
    'sweep/lr=0.1',
    'eval/base',
    'sweep/lr=0.01',
  ]);
  const running = row(page, 'sweep/lr=0.1');
  await expect.poll(() => running.locator('.badge').innerText()).toBe('running');
  expect(await running.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('30.0');
  expect(await running.locator('.steps').innerText()).toBe('30/100 epoch');
  expect(await running.locator('.col-eta').innerText()).toMatch(/^1[01]m \d\ds$/);
  expect(await running.locator('.col-gpu').innerText()).toBe('0');
  expect(await row(page, 'sweep/lr=0.01').locator('.col-attempt').innerText()).toBe('2/2');
  expect(await row(page, 'sweep/lr=1').locator('.run-note').innerText()).toBe('CUDA out of memory');
  expect(await row(page, 'sweep/lr=0.5').locator('.badge').innerText()).toBe('stalled');

  const chip = (status: string) =>
    page.locator(`#status-chips .chip[data-status="${status}"] .chip-count`);
  expect(await chip('running').innerText()).toBe('1');
  expect(await chip('stalled').innerText()).toBe('1');
  expect(await chip('succeeded').innerText()).toBe('1');
  expect(await page.locator('#overall-detail').innerText()).toContain('5 runs');
  expect(await page.locator('#connection').getAttribute('data-state')).toBe('live');
});

test('a progress bar moves when the record changes on disk, without reloading', async ({
  root,
  serve,
  page,
}) => {
  const record = runRecord('cdd/Changer-s50_run_2', {
    progress: { current: 20, total: 100, unit: 'epoch' },
  });
  await writeRecord(root, record);
  const server = await serve();
  await page.goto(server.url);
  const bar = row(page, record.id).getByRole('progressbar');
  await expect
    .poll(() => bar.getAttribute('aria-valuenow'), { timeout: LIVE_UPDATE_MS })
    .toBe('20.0');
  const requestsBefore: string[] = [];
  page.on('request', (request) => requestsBefore.push(request.url()));

  await writeRecord(root, {
    ...record,
    progress: { current: 60, total: 100, unit: 'epoch' },
    updatedAt: new Date().toISOString(),
  });
  await expect
    .poll(() => bar.getAttribute('aria-valuenow'), { timeout: LIVE_UPDATE_MS })
    .toBe('60.0');
  expect(await row(page, record.id).locator('.pct').innerText()).toBe('60%');

  await writeRecord(root, {
    ...record,
    status: 'succeeded',
    progress: { current: 100, total: 100 },
    updatedAt: new Date().toISOString(),
  });
  await expect
    .poll(() => row(page, record.id).locator('.badge').innerText(), { timeout: LIVE_UPDATE_MS })
    .toBe('succeeded');
  expect(await bar.getAttribute('aria-valuenow')).toBe('100.0');
  // The change came over the open event stream: the page asked for no run list again.
  expect(requestsBefore.filter((url) => new URL(url).pathname === '/api/runs')).toEqual([]);
});

test('the filter box and the status chips narrow the table', async ({ root, serve, page }) => {
  for (const [id, status] of [
    ['sweep/lr=0.1', 'running'],
    ['sweep/lr=0.01', 'succeeded'],
    ['sweep/lr=1', 'failed'],
    ['ablation/no-aug', 'running'],
    ['ablation/no-dropout', 'failed'],
  ] as const) {
    await writeRecord(root, runRecord(id, { status }));
  }
  const server = await serve();
  await page.goto(server.url);
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(5);

  await page.locator('#filter').fill('sweep');
  await expect.poll(() => shownIds(page)).toEqual(['sweep/lr=1', 'sweep/lr=0.1', 'sweep/lr=0.01']);
  expect(await page.locator('#shown-count').innerText()).toBe('3 of 5 runs');

  await page.locator('#status-chips .chip[data-status="failed"]').click();
  await expect.poll(() => shownIds(page)).toEqual(['sweep/lr=1']);

  await page.locator('#filter').fill('');
  await expect.poll(() => shownIds(page)).toEqual(['ablation/no-dropout', 'sweep/lr=1']);

  await page.locator('#filter').fill('nothing-like-this');
  await expect
    .poll(() => page.locator('#empty-text').innerText())
    .toBe('No run matches the filter.');
  await page.locator('#clear-filters').click();
  await expect.poll(() => rows(page).count()).toBe(5);
});

test('clicking a run shows its facts, a plot of its metrics and its log, following new lines', async ({
  root,
  serve,
  page,
}) => {
  const record = runRecord('cdd/run_3', {
    progress: { current: 30, total: 100, unit: 'epoch' },
    metrics: { loss: 0.4 },
  });
  await writeRecord(root, record);
  await writeLog(
    root,
    record.id,
    'epoch 1 loss 2.1\n\u001b[32mepoch 2 loss 1.7\u001b[0m\n 10%|█  \r 30%|███ \n',
  );
  await writeMetrics(root, record.id, 30);
  const server = await serve();
  await page.goto(server.url);
  await row(page, record.id).click({ timeout: LIVE_UPDATE_MS });

  const detail = page.locator('#detail');
  await expect.poll(() => detail.isVisible()).toBe(true);
  expect(await page.locator('#detail-title').innerText()).toBe(record.id);
  expect(await row(page, record.id).getAttribute('aria-selected')).toBe('true');
  const log = page.locator('#detail-log');
  await expect.poll(() => log.innerText()).toBe('epoch 1 loss 2.1\nepoch 2 loss 1.7\n 30%|███ ');
  await expect.poll(() => page.locator('#detail-plots figure').count()).toBe(2);
  expect(await page.locator('figure[data-metric="loss"] path.line').getAttribute('d')).toMatch(
    /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){29}$/,
  );
  expect(await page.locator('#detail-facts').innerText()).toContain(
    'python train.py --config configs/run_3.yaml',
  );
  // Read-only page: no cancel button without a token.
  expect(await page.locator('#detail-cancel').isVisible()).toBe(false);

  // New log lines show up when the run's record changes (its heartbeat or progress).
  await appendLog(root, record.id, 'epoch 3 loss 1.2\n');
  await writeRecord(root, {
    ...record,
    progress: { current: 31, total: 100 },
    updatedAt: new Date().toISOString(),
  });
  await expect
    .poll(() => log.innerText(), { timeout: LIVE_UPDATE_MS })
    .toContain('epoch 3 loss 1.2');

  await page.keyboard.press('Escape');
  await expect.poll(() => detail.isVisible()).toBe(false);
});

test('with the token from the URL fragment the page can cancel a run, and never puts the token in a URL', async ({
  root,
  serve,
  page,
}) => {
  const record = runRecord('sweep/lr=0.3', { progress: { current: 10, total: 100 } });
  await writeRecord(root, record);
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
  const record = runRecord('restart/run', { progress: { current: 10, total: 100 } });
  await writeRecord(root, record);
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
  await writeRecord(root, runRecord('restart/new-run', { status: 'queued' }));
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
