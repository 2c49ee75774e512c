// @ts-check
import { defaultServerConditions } from 'vite';

/**
 * The vitest settings every runboard project shares: tests import workspace packages from
 * source (the `@runboard/source` export condition), and each run leaves a JSON report in
 * `test-output/` that `tools/test-summary.mjs` adds up for CI.
 *
 * @param {import('vitest/node').InlineConfig} [overrides]
 * @returns {import('vitest/config').ViteUserConfig}
 */
export function runboardVitestConfig(overrides = {}) {
  const conditions = ['@runboard/source', ...defaultServerConditions];
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      watch: false,
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // expect.poll's 1 s default is tight for a loaded 2-core CI machine.
      expect: { poll: { timeout: 5_000, interval: 50 } },
      reporters: ['default', ['json', { outputFile: 'test-output/vitest-results.json' }]],
      ...overrides,
    },
  };
}
