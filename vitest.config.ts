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
  },
});

// Vitest loads the configuration through its default export; this file is the one exception to
// the project's no-default-exports rule.
// eslint-disable-next-line import-x/no-default-export
export default config;
