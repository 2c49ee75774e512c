import { expect } from 'vitest';
import { formatWaiting } from '../src/page/format.js';
import { LIVE_UPDATE_MS, row, rows, test, useBrowser } from './support/page-test.js';
import { writeRun } from './support/run-folders.js';

useBrowser();

test("a submitted Slurm job that pends shows Slurm's reason in the table and the details", async ({
  root,
  serve,
  page,
}) => {
  // As the Slurm executor records a job in Slurm's queue: `starting`, claimed, not yet run.
  await writeRun(root, 'sweep/held', {
    status: 'starting',
    startedAt: null,
    host: null,
    supervisorPid: null,
    pid: null,
    gpus: null,
    progress: null,
    executor: { kind: 'slurm', jobId: '1234' },
    waiting: { reason: 'slurm', detail: 'JobHeldUser', since: new Date().toISOString() },
  });
  // A `starting` run of another executor has no reason to show.
  await writeRun(root, 'sweep/local', {
    status: 'starting',
    startedAt: null,
    supervisorPid: null,
    pid: null,
    progress: null,
  });
  const server = await serve();
  await page.goto(server.url);
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(2);

  const note = row(page, 'sweep/held').locator('.run-note');
  expect(formatWaiting({ reason: 'slurm', detail: 'JobHeldUser' })).toBe('Slurm: JobHeldUser');
  await expect.poll(() => note.innerText()).toBe('Slurm: JobHeldUser');
  expect(await note.getAttribute('class')).toBe('run-note waiting');
  expect(await row(page, 'sweep/held').getAttribute('data-status')).toBe('starting');
  expect(await row(page, 'sweep/local').locator('.run-note').innerText()).toBe('');

  await row(page, 'sweep/held').click();
  await expect
    .poll(() => page.locator('#detail-facts .fact.waiting dd').innerText())
    .toBe('Slurm: JobHeldUser');
});
