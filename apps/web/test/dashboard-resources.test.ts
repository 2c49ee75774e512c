import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FAKE_NVIDIA_SMI } from '@runboard/test-kit';
import { LIVE_UPDATE_MS, row, test, useBrowser } from './support/page-test.js';
import { writeRun } from './support/run-folders.js';

useBrowser();

test("the resources panel lists GPUs with their processes; a process's run opens on click", async ({
  root,
  serve,
  page,
}) => {
  // A run whose job is this test's own process, on this host: the dashboard can label it.
  await writeRun(root, 'gpu/run', {
    host: hostname(),
    supervisorPid: null,
    pid: process.pid,
    gpus: [1],
    progress: { current: 3, total: 10 },
  });
  await writeRun(root, 'other/run');
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
  await writeRun(root, 'cpu/run');
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
