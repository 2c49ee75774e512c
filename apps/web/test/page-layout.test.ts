import { expect, onTestFinished } from 'vitest';
import type { Page } from 'playwright-core';
import { FAKE_NVIDIA_SMI } from '@runboard/test-kit';
import { writeDemoSweep } from './support/demo-sweep.js';
import { LIVE_UPDATE_MS, row, rows, test, useBrowser } from './support/page-test.js';
import type { PageFixtures } from './support/page-test.js';

useBrowser();

/** What sticks out: the page's horizontal overflow, and every clipped run id or header. */
function layoutProblems(page: Page) {
  return page.evaluate(() => {
    const clipped = (element: Element) =>
      element.clientWidth === 0 || element.scrollWidth > element.clientWidth;
    const visible = (element: Element) => element.getClientRects().length > 0;
    const describe = (element: Element) =>
      `${element.className || element.tagName}: ${element.textContent ?? ''} (${element.scrollWidth} > ${element.clientWidth})`;
    return {
      overflow: document.scrollingElement!.scrollWidth - window.innerWidth,
      clippedIds: [...document.querySelectorAll('#runs-body .run-name')]
        .filter((element) => visible(element) && clipped(element))
        .map(describe),
      clippedHeaders: [...document.querySelectorAll('.runs-table th')]
        .filter((element) => visible(element) && clipped(element))
        .map(describe),
      offscreenControls: [...document.querySelectorAll('.topbar button, .topbar .pill')]
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return visible(element) && (box.left < 0 || box.right > window.innerWidth);
        })
        .map(describe),
    };
  });
}

const NO_PROBLEMS = { overflow: 0, clippedIds: [], clippedHeaders: [], offscreenControls: [] };

/** How much of `selector` is inside the viewport, 0–1. */
function shareInView(page: Page, selector: string) {
  return page.evaluate((selector) => {
    const box = document.querySelector(selector)!.getBoundingClientRect();
    const width = Math.min(box.right, window.innerWidth) - Math.max(box.left, 0);
    const height = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
    return width <= 0 || height <= 0
      ? 0
      : (width * height) /
          (Math.min(box.width, window.innerWidth) * Math.min(box.height, window.innerHeight));
  }, selector);
}

/** The demo sweep at `width` × `height`, every run and GPU shown; stopped after the test. */
async function openDemo({ root, serve, page }: PageFixtures, width: number, height: number) {
  const demo = await writeDemoSweep(root);
  onTestFinished(async () => {
    delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
    await demo.stop();
  });
  process.env['FAKE_NVIDIA_SMI_SCENARIO'] = demo.scenario;
  const server = await serve({ resources: { nvidiaSmiCommand: FAKE_NVIDIA_SMI } });
  await page.setViewportSize({ width, height });
  await page.goto(server.url);
  await expect.poll(() => rows(page).count(), { timeout: LIVE_UPDATE_MS }).toBe(demo.runCount);
  await expect
    .poll(() => page.locator('#gpu-body tr').count(), { timeout: LIVE_UPDATE_MS })
    .toBe(5);
  return demo;
}

test('at phone width (390 px) the runs are cards, nothing sticks out, and a tapped run opens full screen', async ({
  root,
  serve,
  page,
}) => {
  const demo = await openDemo({ root, serve, page }, 390, 844);
  expect(await layoutProblems(page)).toEqual(NO_PROBLEMS);
  // Cards: the whole id shows, not only its last part.
  const id = demo.runningIds[0];
  const runId = row(page, id).locator('.run-id');
  expect(await runId.textContent()).toBe(id);
  expect(
    await runId
      .locator('.run-group')
      .evaluate((group) => group.clientWidth > 0 && group.scrollWidth <= group.clientWidth),
  ).toBe(true);
  // A run far down the list: the detail still opens in view, over the list.
  const last = rows(page).last();
  await last.scrollIntoViewIfNeeded();
  await last.click();
  await expect.poll(() => page.locator('#detail').isVisible()).toBe(true);
  expect(await shareInView(page, '#detail')).toBe(1);
  expect(await layoutProblems(page)).toEqual(NO_PROBLEMS);
  const back = page.locator('#detail-back');
  expect(await back.isVisible()).toBe(true);
  await back.click();
  await expect.poll(() => page.locator('#detail').isVisible()).toBe(false);
  expect(await last.isVisible()).toBe(true);
});

test('at 1440 px every header and run name is readable, with and without a run open', async ({
  root,
  serve,
  page,
}) => {
  const demo = await openDemo({ root, serve, page }, 1440, 900);
  expect(await layoutProblems(page)).toEqual(NO_PROBLEMS);
  await row(page, demo.runningIds[0]).click();
  await expect.poll(() => page.locator('#detail').isVisible()).toBe(true);
  expect(await layoutProblems(page)).toEqual(NO_PROBLEMS);
  // The desktop closes with ×; the phone's back button stays out of the way.
  expect(await page.locator('#detail-back').isVisible()).toBe(false);
  expect(await shareInView(page, '#detail')).toBeGreaterThan(0.5);
});
