import { defineConfig } from 'vitest/config';

/**
 * Suites that need real services: `stargate serve` processes spawned from dist/ (so build
 * first) on the PostgreSQL server in STARGATE_TEST_DATABASE_URL, and on PGlite directories.
 * `npm run test:services` builds, sets the URL (default the local server) and runs them; without
 * a reachable server they fail, never skip.
 */
export const config = defineConfig({
  test: {
    include: ['src/**/*.services.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Each file starts its own server processes; one file at a time keeps a small machine's
    // cores for the processes a race needs.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

// Vitest loads the configuration through its default export.
// eslint-disable-next-line import-x/no-default-export
export default config;
