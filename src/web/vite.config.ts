import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: `npm run build` (and so `npm ci`, through `prepare`) writes it to
 * dist/web, which `stargate serve` serves at `/`. No React plugin: esbuild compiles TSX with the
 * automatic runtime, and the app needs no fast refresh to be built.
 */
export const config = defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      onwarn(warning, warn) {
        // React Query's "use client" marks are for server-component frameworks; here they mean nothing.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        // Stable chunk names: ECharts and React change less often than the pages. The table
        // libraries stay with the pages that use them, out of the first page's download.
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender'))
            return 'echarts';
          if (id.includes('node_modules/react/') || id.includes('node_modules/react-dom/'))
            return 'react';
          if (id.includes('node_modules/scheduler')) return 'react';
          if (id.includes('node_modules/@tanstack/react-query')) return 'query';
          if (id.includes('node_modules/@tanstack/query-core')) return 'query';
          if (id.includes('node_modules/@tanstack/')) return 'table';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});

// Vite loads its configuration through the default export.
// eslint-disable-next-line import-x/no-default-export
export default config;
