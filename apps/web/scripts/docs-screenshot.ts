/**
 * `npm run docs:screenshot`: the README's picture of the dashboard, docs/dashboard.png. Serves
 * the built page over a demo sweep (twelve runs in every state, five simulated busy H200s, see
 * test/support/demo-sweep.ts) and photographs it in headless Chromium at 1440 × 1060, with a
 * running run open. What the page must show is asserted by the browser tests; this only waits
 * until it shows it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboardServer } from '@runboard/dashboard-api';
import { webAssetsDir } from '../src/index.js';
import { launchHeadlessChromium } from '../test/support/browser.js';
import { writeDemoSweep } from '../test/support/demo-sweep.js';

const OUTPUT = join(import.meta.dirname, '..', '..', '..', 'docs', 'dashboard.png');
const FAKE_NVIDIA_SMI = join(import.meta.dirname, '..', 'test', 'fixtures', 'fake-nvidia-smi.mjs');

const root = await mkdtemp(join(tmpdir(), 'runboard-screenshot-'));
const demo = await writeDemoSweep(root);
// nvidia-smi runs as a child of this process: the stand-in finds its scenario here.
process.env['FAKE_NVIDIA_SMI_SCENARIO'] = demo.scenario;
const browser = await launchHeadlessChromium();
const server = await startDashboardServer({
  root,
  port: 0,
  staticDir: webAssetsDir,
  token: 'screenshot',
  resources: { nvidiaSmiCommand: FAKE_NVIDIA_SMI },
});
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1440, height: 1060 });
  await page.goto(`${server.url}#token=screenshot`);
  await page
    .locator('#runs-body tr.run-row')
    .nth(demo.runCount - 1)
    .waitFor();
  await page.locator(`#runs-body tr[data-run-id="${demo.runningIds[0]}"]`).click();
  await page.locator('#detail-plots figure').nth(1).waitFor();
  await page.locator('#gpu-body tr').nth(4).waitFor();
  await page.waitForFunction(() =>
    document.querySelector('#detail-log')?.textContent?.includes('190/500'),
  );
  // Let the bars finish their transition.
  await page.waitForTimeout(900);
  await mkdir(join(OUTPUT, '..'), { recursive: true });
  await page.screenshot({ path: OUTPUT, animations: 'disabled' });
  console.log(`wrote ${OUTPUT}`);
} finally {
  await server.close();
  await browser.close();
  await demo.stop();
  await rm(root, { recursive: true, force: true, maxRetries: 3 });
}
