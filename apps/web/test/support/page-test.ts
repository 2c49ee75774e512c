import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test as base } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startDashboardServer } from '@runboard/dashboard-api';
import { tempDirFixture } from '@runboard/test-kit';
import type { DashboardServer, DashboardServerOptions } from '@runboard/dashboard-api';
import { WEB_ENTRY_SCRIPT, webAssetsDir } from '../../src/index.js';
import { launchHeadlessChromium } from './browser.js';
import type { HeadlessBrowser } from './browser.js';

/** How long the page may take to show a change made on disk (watcher, SSE, render). */
export const LIVE_UPDATE_MS = 10_000;

let browser: HeadlessBrowser | undefined;

/** Starts headless Chromium (the global setup's) once for the calling test file, and closes it after the file. */
export function useBrowser(): void {
  beforeAll(async () => {
    if (!existsSync(join(webAssetsDir, WEB_ENTRY_SCRIPT))) {
      throw new Error(
        `${WEB_ENTRY_SCRIPT} is missing in ${webAssetsDir}: build @runboard/web first (npx tsc --build apps/web/tsconfig.lib.json)`,
      );
    }
    browser = await launchHeadlessChromium(inject('chromium'));
  }, 45_000);
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  }, 30_000);
}

export interface PageFixtures {
  root: string;
  /** Starts a dashboard over `root` on a free port, serving the page; closed after the test. */
  serve: (options?: Partial<DashboardServerOptions>) => Promise<DashboardServer>;
  /** A fresh tab, closed after the test; errors thrown in the page fail the test. */
  page: Page;
}

/** A test with a fresh run root, dashboards over it, and a tab of the browser of {@link useBrowser}. */
export const test = base.extend<PageFixtures>({
  root: tempDirFixture('runboard-web-'),
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
    if (!browser) throw new Error('the browser did not start (call useBrowser() in the file)');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await use(page);
    await page.close();
    expect(errors, 'errors thrown in the page').toEqual([]);
  },
});

/** The table's run rows. */
export const rows = (page: Page): Locator => page.locator('#runs-body tr.run-row');

/** The table's row of run `id`. */
export const row = (page: Page, id: string): Locator =>
  page.locator(`#runs-body tr[data-run-id="${id}"]`);

/** The ids of the rows shown, in order. */
export function shownIds(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((elements) =>
    elements.map((element) => element.getAttribute('data-run-id') ?? ''),
  );
}
