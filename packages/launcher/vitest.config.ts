import { defineConfig } from 'vitest/config';
import { runboardVitestConfig } from '../../tools/vitest-shared.js';

export default defineConfig(
  runboardVitestConfig({
    // The bundled supervisor and launcher entries, built once per run and removed at its end.
    globalSetup: ['test/global-setup.ts'],
  }),
);
