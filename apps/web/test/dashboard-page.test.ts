import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FAKE_NVIDIA_SMI } from '@runboard/test-kit';
import { webAssetsDir } from '../src/index.js';
import { writeDemoSweep } from './support/demo-sweep.js';
import { LIVE_UPDATE_MS, row, rows, shownIds, test, useBrowser } from './support/page-test.js';
import {
  appendLog,
  runRecord,
  writeLog,
  writeMetrics,
  writeRecord,
  writeRun,
} from './support/run-folders.js';

useBrowser();

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
  const record = await writeRun(root, 'cdd/Changer-s50_run_2', {
    progress: { current: 20, total: 100, unit: 'epoch' },
  });
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
    await writeRun(root, id, { status });
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
  const record = await writeRun(root, 'cdd/run_3', {
    progress: { current: 30, total: 100, unit: 'epoch' },
    metrics: { loss: 0.4 },
  });
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

test('the theme follows the system until the button fixes it: auto → light → dark', async ({
  serve,
  page,
}) => {
  const server = await serve();
  const LIGHT = 'rgb(244, 246, 249)';
  const DARK = 'rgb(11, 15, 21)';
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const theme = () => page.locator('html').getAttribute('data-theme');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(server.url);
  // Every stylesheet the page links arrived and applies.
  const linked = (await readFile(join(webAssetsDir, 'index.html'), 'utf8')).match(
    /rel="stylesheet"/g,
  )!.length;
  expect(
    await page.evaluate(() => [...document.styleSheets].map((sheet) => sheet.cssRules.length > 0)),
  ).toEqual(Array(linked).fill(true));
  expect(await theme()).toBe('auto');
  await expect.poll(background).toBe(DARK);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(background).toBe(LIGHT);

  await page.locator('#theme').click();
  expect(await theme()).toBe('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(background).toBe(LIGHT);
  await page.locator('#theme').click();
  expect(await theme()).toBe('dark');
  await expect.poll(background).toBe(DARK);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(background).toBe(DARK);
  expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe(
    'rgb(229, 234, 241)',
  );
});

test('a sweep as users meet it: every run, its metrics and log, and each busy GPU labelled with its run and command name', async ({
  root,
  serve,
  page,
}) => {
  const demo = await writeDemoSweep(root);
  // nvidia-smi runs as a child of this process: the stand-in finds its scenario here.
  process.env['FAKE_NVIDIA_SMI_SCENARIO'] = demo.scenario;
  try {
    const server = await serve({
      token: 'demo',
      resources: { nvidiaSmiCommand: FAKE_NVIDIA_SMI },
    });
    await page.setViewportSize({ width: 1440, height: 1060 });
    await page.goto(`${server.url}#token=demo`);
    expect(demo.runCount).toBe(12);
    await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(12);
    await row(page, demo.runningIds[0]).click();
    await expect
      .poll(() => page.locator('#detail-plots figure').count(), { timeout: LIVE_UPDATE_MS })
      .toBe(2);
    await expect
      .poll(() => page.locator('#gpu-body tr').count(), { timeout: LIVE_UPDATE_MS })
      .toBe(5);
    expect(await page.locator('#gpu-body .gpu-name').first().innerText()).toBe('NVIDIA H200');
    // Each busy GPU's process is labelled with its run.
    expect(
      await page
        .locator('#gpu-body .run-link')
        .evaluateAll((links) => links.map((link) => link.textContent)),
    ).toEqual([
      'cdd/Changer-s50_run_2',
      'cdd/Changer-s50_run_3',
      'cdd/Changer-r18_run_1',
      'levir/BiT-r18_run_1',
    ]);
    // The job's command name, read by the server from /proc.
    expect(await page.locator('#gpu-body .process-detail').first().innerText()).toMatch(
      /^python \d+ · 115\.3 GiB$/,
    );
    // A tqdm bar redrawn with \r shows its latest state only.
    const log = page.locator('#detail-log');
    await expect.poll(() => log.innerText()).toContain('190/500');
    expect(await log.innerText()).not.toContain('186/500');
  } finally {
    delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
    await demo.stop();
  }
});
