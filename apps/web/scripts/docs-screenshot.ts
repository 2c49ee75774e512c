/**
 * `npm run docs:screenshot`: the README's pictures of the dashboard. Serves the built page over
 * a demo sweep (twelve runs in every state, five simulated busy H200s, see
 * test/support/demo-sweep.ts) and photographs it in headless Chromium (the browser tests' own,
 * see test/support/chromium-binary.ts): docs/dashboard.png at 1440 × 1060 with a running run
 * open, and docs/dashboard-phone.png at 390 × 844, the list as a phone shows it. What the page
 * must show is asserted by the browser tests; this only waits until it shows it.
 *
 * `-- --only desktop` or `-- --only phone` takes one of them.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startDashboardServer } from '@runboard/dashboard-api';
import { FAKE_NVIDIA_SMI } from '@runboard/test-kit';
import { webAssetsDir } from '../src/index.js';
import { launchHeadlessChromium } from '../test/support/browser.js';
import { resolveChromium } from '../test/support/chromium-binary.js';
import { writeDemoSweep } from '../test/support/demo-sweep.js';
import type { DemoSweep } from '../test/support/demo-sweep.js';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'docs');

interface Shot {
  file: string;
  width: number;
  height: number;
  /** Opens a running run and waits for its plots and log. */
  openRun: boolean;
}

const SHOTS: Record<string, Shot> = {
  desktop: { file: 'dashboard.png', width: 1440, height: 1060, openRun: true },
  phone: { file: 'dashboard-phone.png', width: 390, height: 844, openRun: false },
};

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const wanted = values.only === undefined ? Object.keys(SHOTS) : [values.only];
for (const name of wanted) {
  if (!(name in SHOTS)) throw new Error(`--only: expected one of ${Object.keys(SHOTS).join(', ')}`);
}

const root = await mkdtemp(join(tmpdir(), 'runboard-screenshot-'));
const demo = await writeDemoSweep(root);
// nvidia-smi runs as a child of this process: the stand-in finds its scenario here.
process.env['FAKE_NVIDIA_SMI_SCENARIO'] = demo.scenario;
const browser = await launchHeadlessChromium(await resolveChromium(process.env));
const server = await startDashboardServer({
  root,
  port: 0,
  staticDir: webAssetsDir,
  token: 'screenshot',
  resources: { nvidiaSmiCommand: FAKE_NVIDIA_SMI },
});
try {
  await mkdir(DOCS, { recursive: true });
  for (const name of wanted) {
    const shot = SHOTS[name]!;
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: shot.width, height: shot.height });
    await page.goto(`${server.url}#token=screenshot`);
    await showDemo(page, demo, shot.openRun);
    const output = join(DOCS, shot.file);
    await page.screenshot({ path: output, animations: 'disabled' });
    await page.close();
    console.log(`wrote ${output}`);
  }
} finally {
  await server.close();
  await browser.close();
  await demo.stop();
  await rm(root, { recursive: true, force: true, maxRetries: 3 });
}

async function showDemo(page: Page, sweep: DemoSweep, openRun: boolean): Promise<void> {
  await page
    .locator('#runs-body tr.run-row')
    .nth(sweep.runCount - 1)
    .waitFor();
  await page.locator('#gpu-body tr').nth(4).waitFor();
  if (openRun) {
    await page.locator(`#runs-body tr[data-run-id="${sweep.runningIds[0]}"]`).click();
    await page.locator('#detail-plots figure').nth(1).waitFor();
    await page.waitForFunction(() =>
      document.querySelector('#detail-log')?.textContent?.includes('190/500'),
    );
  }
  // Let the bars finish their transition.
  await page.waitForTimeout(900);
}
