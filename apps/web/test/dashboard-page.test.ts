import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
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
/** Answers like a real H200's nvidia-smi, with a scenario's simulated load. */
const FAKE_NVIDIA_SMI = join(import.meta.dirname, 'fixtures', 'fake-nvidia-smi.mjs');

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

  // A line appended to run.log shows up through the log stream, with no change of the record.
  await appendLog(root, record.id, 'epoch 3 loss 1.2\n');
  await expect
    .poll(() => log.innerText(), { timeout: LIVE_UPDATE_MS })
    .toBe('epoch 1 loss 2.1\nepoch 2 loss 1.7\n 30%|███ \nepoch 3 loss 1.2');

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

test('a dashboard that protects reads shows nothing without its token, and everything with it', async ({
  root,
  serve,
  page,
}) => {
  const record = runRecord('secure/run', {
    progress: { current: 10, total: 100, unit: 'step' },
    metrics: { loss: 1 },
  });
  await writeRecord(root, record);
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

test("the resources panel lists GPUs with their processes; a process's run opens on click", async ({
  root,
  serve,
  page,
}) => {
  // A run whose job is this test's own process, on this host: the dashboard can label it.
  const record = runRecord('gpu/run', {
    host: hostname(),
    supervisorPid: null,
    pid: process.pid,
    gpus: [1],
    progress: { current: 3, total: 10 },
  });
  await writeRecord(root, record);
  await writeRecord(root, runRecord('other/run'));
  const scenario = join(tmpdir(), `runboard-web-gpus-${process.pid}-${Date.now()}.json`);
  await writeFile(
    scenario,
    JSON.stringify({
      gpus: [
        { utilizationPercent: 0, memoryUsedMiB: 0, processes: [] },
        {
          utilizationPercent: 91,
          memoryUsedMiB: 70_412,
          processes: [
            { pid: process.pid, usedMemoryMiB: 70_000 },
            { pid: 999_999_999, usedMemoryMiB: 300 },
          ],
        },
      ],
    }),
  );
  process.env['FAKE_NVIDIA_SMI_SCENARIO'] = scenario;
  try {
    const server = await serve({
      resources: { nvidiaSmiCommand: FAKE_NVIDIA_SMI, cacheMs: 0 },
      resourcesIntervalMs: 300,
    });
    const resourceRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/resources')
        resourceRequests.push(request.url());
    });
    const loadedAt = Date.now();
    await page.goto(server.url);
    const gpuRows = page.locator('#gpu-body tr');
    await expect.poll(() => gpuRows.count(), { timeout: LIVE_UPDATE_MS }).toBe(2);
    expect(await page.locator('#gpu-table').isVisible()).toBe(true);
    expect(await page.locator('#gpu-note').isVisible()).toBe(false);
    const busy = page.locator('#gpu-body tr[data-gpu="1"]');
    expect(await busy.locator('.gpu-name').innerText()).toBe('NVIDIA H200');
    expect(await busy.innerText()).toContain('91%');
    expect(await busy.innerText()).toContain('68.8 / 140.4 GiB');
    const processes = busy.locator('.gpu-process');
    expect(await processes.count()).toBe(2);
    // Ours: the run, the command name from /proc, pid and memory.
    expect(await processes.nth(0).locator('.run-link').innerText()).toBe('gpu/run');
    expect(await processes.nth(0).locator('.process-detail').innerText()).toMatch(
      new RegExp(`^.+ ${process.pid} · 68\\.4 GiB$`),
    );
    // Not a run of this dashboard (and gone from /proc): no link, no name.
    expect(await processes.nth(1).locator('.run-link').count()).toBe(0);
    expect(await processes.nth(1).innerText()).toBe('pid 999999999 · 300.0 MiB');
    expect(await page.locator('#resources-brief').textContent()).toContain('1 of 2 GPUs busy');

    // The GPU gets busier: the page shows it from the `resources` event, asking nothing.
    const requestsBefore = resourceRequests.length;
    const busier = JSON.parse(await readFile(scenario, 'utf8')) as {
      gpus: { utilizationPercent: number }[];
    };
    busier.gpus[0].utilizationPercent = 45;
    // Atomically: the fake reads the scenario on every call.
    await writeFile(`${scenario}.tmp`, JSON.stringify(busier));
    await rename(`${scenario}.tmp`, scenario);
    await expect
      .poll(() => page.locator('#gpu-body tr[data-gpu="0"]').innerText(), {
        timeout: LIVE_UPDATE_MS,
      })
      .toContain('45%');
    expect(resourceRequests.length).toBe(requestsBefore);
    // No periodic requests: past the old 5 s polling period, only the first paint asked.
    await page.waitForTimeout(Math.max(0, loadedAt + 6000 - Date.now()));
    expect(resourceRequests).toHaveLength(1);

    await processes.nth(0).locator('.run-link').click();
    await expect.poll(() => page.locator('#detail').isVisible()).toBe(true);
    expect(await page.locator('#detail-title').innerText()).toBe('gpu/run');
    expect(await row(page, 'gpu/run').getAttribute('aria-selected')).toBe('true');
  } finally {
    delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
    await rm(scenario, { force: true });
  }
});

test('without nvidia-smi the resources panel says why, where the GPU table would be', async ({
  root,
  serve,
  page,
}) => {
  await writeRecord(root, runRecord('cpu/run'));
  const missing = 'runboard-test-no-such-nvidia-smi';
  const server = await serve({ resources: { nvidiaSmiCommand: missing } });
  await page.goto(server.url);
  const note = page.locator('#gpu-note');
  await expect
    .poll(() => note.innerText(), { timeout: LIVE_UPDATE_MS })
    .toBe(`No GPUs to show: ${missing} not found on PATH.`);
  expect(await page.locator('#gpu-table').isVisible()).toBe(false);
  expect(await page.locator('#resources-brief').textContent()).toContain('no GPUs');
});
