import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.browser.test.ts'],
    testTimeout: 60_000,
  },
});

// Vitest loads the configuration through its default export.
// eslint-disable-next-line import-x/no-default-export
export default config;
