import { defineConfig } from 'vitest/config';
import { runboardVitestConfig } from '../../tools/vitest-shared.js';

export default defineConfig(
  runboardVitestConfig({ globalSetup: ['test/support/global-setup.ts'] }),
);
