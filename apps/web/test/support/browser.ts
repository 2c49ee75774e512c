import { makeTempDir, removeTempDir } from '@runboard/test-kit';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import type { ChromiumBinary } from './chromium-binary.js';

export interface HeadlessBrowser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/**
 * The flags both binaries need: `--no-sandbox` because tests may run as root (CI containers);
 * the rest keep a test run offline and quiet. `@sparticuz/chromium`'s own `args` are for AWS
 * Lambda (`--single-process`, `--no-zygote`, swiftshader WebGL) and not needed here.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts headless Chromium (the binary `resolveChromium` picked) with a fresh profile
 * folder, removed again by `close()`. Launching gives up after 30 s.
 *
 * @example
 * const browser = await launchHeadlessChromium(await resolveChromium(process.env));
 * const page = await browser.context.newPage();
 * await browser.close();
 */
export async function launchHeadlessChromium(binary: ChromiumBinary): Promise<HeadlessBrowser> {
  if (!binary.ok) throw new Error(`No Chromium for the browser tests: ${binary.problem}`);
  const profile = await makeTempDir('runboard-chromium-profile-');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: binary.executablePath,
      headless: true,
      timeout: 30_000,
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    await removeTempDir(profile);
    throw error;
  }
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      try {
        await context.close();
      } finally {
        await removeTempDir(profile);
      }
    },
  };
}
