import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});

// Vitest loads the configuration through its default export; this file is the one exception to
// the project's no-default-exports rule.
// eslint-disable-next-line import-x/no-default-export
export default config;
