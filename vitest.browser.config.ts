import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.browser.test.ts'],
    // Each file starts its own server and browser; one at a time keeps the machine's two cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

// Vitest loads the configuration through its default export.
// eslint-disable-next-line import-x/no-default-export
export default config;
