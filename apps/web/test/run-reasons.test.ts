import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { RUN_FILES, registerLauncher } from '@runboard/launcher';
import { formatWaiting } from '../src/page/format.js';
import { LIVE_UPDATE_MS, row, rows, test, useBrowser } from './support/page-test.js';
import { writeLog, writeRun } from './support/run-folders.js';

useBrowser();

const ERROR_TAIL = [
  'Traceback (most recent call last):',
  '  File "train.py", line 12, in <module>',
  "    lr = config['lr']",
  "KeyError: 'lr'",
];

test('a failed run says why in plain words with its last output; a queued run says why it waits', async ({
  root,
  serve,
  page,
}) => {
  await writeRun(root, 'sweep/lr=1', {
    status: 'failed',
    exitCode: 1,
    error: 'exited with code 1',
    errorTail: ERROR_TAIL,
    finishedAt: new Date().toISOString(),
  });
  // It never got past 0 %: no empty progress plot.
  await writeFile(
    join(root, 'sweep', 'lr=1', RUN_FILES.metrics),
    `${JSON.stringify({ time: new Date().toISOString(), attempt: 1, source: 'marker', current: 0, total: 10, percent: 0 })}\n`,
  );
  const retryAt = new Date(Date.now() + 90_000).toISOString();
  const waiting = {
    'sweep/lr=2': { reason: 'dependency', detail: 'prep/data' },
    'sweep/lr=3': { reason: 'retry-delay', until: retryAt },
    'sweep/lr=4': { reason: 'slurm', detail: 'Priority' },
  } as const;
  for (const [id, reason] of Object.entries(waiting)) {
    await writeRun(root, id, { status: 'queued', startedAt: null, gpus: null, waiting: reason });
  }
  // This test's process stands for a live launcher, so the stored reasons hold.
  const startedAt = new Date().toISOString();
  await registerLauncher(root, {
    host: hostname(),
    pid: process.pid,
    startedAt,
    heartbeatAt: startedAt,
    plan: null,
  });
  const server = await serve();
  await page.goto(server.url);
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(4);

  expect(await row(page, 'sweep/lr=1').locator('.run-note').innerText()).toBe('exited with code 1');
  for (const [id, reason] of Object.entries(waiting)) {
    const note = row(page, id).locator('.run-note');
    expect(await note.innerText()).toBe(formatWaiting(reason));
    expect(await note.getAttribute('class')).toBe('run-note waiting');
  }
  expect(formatWaiting(waiting['sweep/lr=3'])).toMatch(/^retry at \d\d:\d\d:\d\d$/);

  await row(page, 'sweep/lr=1').click();
  const facts = page.locator('#detail-facts');
  await expect.poll(() => facts.locator('.fact.error dd').innerText()).toBe('exited with code 1');
  const tail = page.locator('#detail-error-tail');
  // The list leaves `errorTail` out; the panel reads it from the run's whole record.
  await expect.poll(() => tail.isVisible(), { timeout: LIVE_UPDATE_MS }).toBe(true);
  expect(await tail.innerText()).toBe(ERROR_TAIL.join('\n'));
  expect(await tail.evaluate((element) => getComputedStyle(element).fontFamily)).toMatch(/mono/i);
  await expect.poll(() => page.locator('#detail-plots').innerText()).toBe('No metrics reported.');
  expect(await page.locator('#detail-plots figure').count()).toBe(0);

  await row(page, 'sweep/lr=2').click();
  await expect
    .poll(() => facts.locator('.fact.waiting dd').innerText())
    .toBe('waiting for dependency prep/data');
  expect(await tail.isVisible()).toBe(false);
});

test('a queued run with no launcher running on the root says so', async ({ root, serve, page }) => {
  await writeRun(root, 'sweep/lr=2', {
    status: 'queued',
    startedAt: null,
    gpus: null,
    waiting: { reason: 'slot' },
  });
  const server = await serve();
  await page.goto(server.url);
  const note = row(page, 'sweep/lr=2').locator('.run-note');
  await expect
    .poll(() => note.innerText(), { timeout: LIVE_UPDATE_MS })
    .toBe('no launcher is running');
  await row(page, 'sweep/lr=2').click();
  await expect
    .poll(() => page.locator('#detail-facts .fact.waiting dd').innerText())
    .toBe('no launcher is running');
});

test('the overall percent leaves runs that ended without success out and counts them apart', async ({
  root,
  serve,
  page,
}) => {
  await writeRun(root, 'a', { status: 'succeeded', progress: { current: 10, total: 10 } });
  await writeRun(root, 'b', { progress: { current: 5, total: 10 } });
  await writeRun(root, 'c', { status: 'failed', exitCode: 3, error: 'exited with code 3' });
  const server = await serve();
  await page.goto(server.url);
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(3);
  const unsuccessful = page.locator('#overall-unsuccessful');
  await expect.poll(() => unsuccessful.innerText()).toBe('1 ended without success');
  // (100 + 50) / (3 − 1): the failed run is neither done nor to do.
  await expect.poll(() => page.locator('#overall-percent').innerText()).toBe('75%');
  expect(await page.locator('#indexing').isVisible()).toBe(false);
});

test('progress marker lines show as compact metrics lines, the raw text one click away', async ({
  root,
  serve,
  page,
}) => {
  await writeRun(root, 'cdd/run_1', { progress: { current: 2, total: 10, unit: 'epoch' } });
  await writeLog(
    root,
    'cdd/run_1',
    'epoch 1\n##runboard {"current": 1, "total": 10, "unit": "epoch", "metrics": {"loss": 0.51234}}\nepoch 2\n##runboard {"current": 2, "total": 10, "metrics": {"loss": NaN}}\n',
  );
  const server = await serve();
  await page.goto(server.url);
  await row(page, 'cdd/run_1').click({ timeout: LIVE_UPDATE_MS });
  const log = page.locator('#detail-log');
  await expect
    .poll(() => log.innerText())
    .toBe('epoch 1\n1/10 epoch · loss 0.5123\nepoch 2\n2/10 · loss NaN');
  expect(await log.locator('.log-marker').first().getAttribute('title')).toBe(
    '##runboard {"current": 1, "total": 10, "unit": "epoch", "metrics": {"loss": 0.51234}}',
  );
  await page.locator('#detail-raw').check();
  await expect
    .poll(() => log.innerText())
    .toBe(
      'epoch 1\n##runboard {"current": 1, "total": 10, "unit": "epoch", "metrics": {"loss": 0.51234}}\nepoch 2\n##runboard {"current": 2, "total": 10, "metrics": {"loss": NaN}}',
    );
  await page.locator('#detail-raw').uncheck();
  await expect.poll(() => log.locator('.log-marker').count()).toBe(2);
});
