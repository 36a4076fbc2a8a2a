import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Suites that need a real browser or real services run on their own: npm run test:browser,
    // npm run test:services.
    exclude: [
      'src/**/*.browser.test.ts',
      'src/**/*.services.test.ts',
      'node_modules/**',
      'dist/**',
    ],
    testTimeout: 60_000,
    // Set-up hooks open embedded databases and import the example: 3–5 s alone, and past
    // Vitest's default 10 s on the 2-core machine beside another heavy process
    // (src/cli/client.test.ts's beforeAll, seen in several sessions).
    hookTimeout: 60_000,
    // Two files at once even on two cores (Vitest's default leaves one core to itself): the
    // suites wait on child processes and databases much of the time. Measured on the 2-core
    // machine: the whole run 255 s with one worker, 198 s with two.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

// Vitest loads the configuration through its default export; this file is the one exception to
// the project's no-default-exports rule.
// eslint-disable-next-line import-x/no-default-export
export default config;
