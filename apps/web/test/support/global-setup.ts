import type { TestProject } from 'vitest/node';
import { resolveChromium } from './chromium-binary.js';
import type { ChromiumBinary } from './chromium-binary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The browser of the browser tests, picked once per run (see `resolveChromium`). */
    chromium: ChromiumBinary;
  }
}

/**
 * Picks (and for the npm one, extracts) Chromium once for the whole run, before any test file
 * starts, and hands it to the files with `inject('chromium')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('chromium', await resolveChromium(process.env));
}
