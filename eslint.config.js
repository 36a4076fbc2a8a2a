// @ts-check
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'timers',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

/** The database and HTTP libraries: the shell's, never the core's. */
const ioPackages = ['pg', 'pg-boss', '@electric-sql/pglite', 'drizzle-orm', 'fastify'];

export const config = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.ts', 'bench/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Sources import `./x.js` and mean `./x.ts` (NodeNext), and the import-x rules read only
      // the extensions listed here: without these three settings nothing resolves, no file is
      // read, and no-cycle passes without having looked.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: false },
      ],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-default-export': 'error',
      'import-x/no-self-import': 'error',
    },
  },
  {
    // The core is pure: no I/O, no clock, no randomness, no boundary libraries. It receives
    // typed, validated values from the shell and returns values.
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'src/core does no I/O.' })),
            ...ioPackages.map((name) => ({ name, message: 'src/core does no I/O.' })),
            { name: 'highs', message: 'The core sees the solver only through the Solver port.' },
            { name: 'yaml', message: 'Parsing belongs to src/scenario.' },
            { name: 'zod', message: 'Validation happens once, at the boundary.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'src/core does no I/O.' },
            {
              group: [
                'pg/**',
                'pg-boss/**',
                '@electric-sql/pglite/**',
                'drizzle-orm/**',
                'fastify/**',
              ],
              message: 'src/core does no I/O.',
            },
            {
              group: [
                '**/cli/**',
                '**/scenario/**',
                '**/solver/**',
                '**/store/**',
                '**/server/**',
                '**/web/**',
                '**/client/**',
                '**/agent/**',
              ],
              message: 'src/core imports nothing from the shell.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core does no I/O.' },
        { name: 'console', message: 'src/core does no I/O.' },
        { name: 'fetch', message: 'src/core does no I/O.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the clock in.' },
        { object: 'Math', property: 'random', message: 'Pass the random source in.' },
      ],
    },
  },
  {
    // The exports (plan → Kueue objects, SkyPilot tasks) are pure like the core: the CLI and
    // the API do the I/O. One adapter reads the CRDs shipped beside them.
    files: ['src/export/**/*.ts'],
    ignores: ['src/export/**/*.test.ts', 'src/export/crd-files.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'src/export does no I/O.' })),
          patterns: [
            { group: ['node:*'], message: 'src/export does no I/O.' },
            {
              group: ['**/cli/**', '**/server/**', '**/store/**', '**/solver/**'],
              message: 'src/export imports nothing from the shell.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the clock in.' },
        { object: 'Math', property: 'random', message: 'Pass the random source in.' },
      ],
    },
  },
  {
    // The store is the bottom of the service: the API and the CLI use it, never the reverse.
    files: ['src/store/**/*.ts'],
    ignores: ['src/store/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '**/cli/**', '**/web/**'],
              message: 'src/store imports no API, CLI or dashboard code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The API and the scenario format sit below the CLI: what they share with it (the JSON
    // views of the ledger and the forecast, the formatters) lives in src/core. Tests may drive
    // the CLI end to end.
    files: ['src/server/**/*.ts', 'src/scenario/**/*.ts'],
    ignores: ['src/server/**/*.test.ts', 'src/scenario/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '**/web/**'],
              message: 'src/server and src/scenario import no CLI or dashboard code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The API's schemas are the contract that the server, the client and the dashboard share:
    // zod and each other only, so that any of them may import them without pulling in the rest.
    files: ['src/api/**/*.ts'],
    ignores: ['src/api/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod(/|$)|\\./)',
              message: 'src/api imports only zod and its own files.',
            },
          ],
        },
      ],
    },
  },
  {
    // The API client and the node agent talk to the server over HTTP, like any other client.
    files: ['src/client/**/*.ts', 'src/agent/**/*.ts'],
    ignores: ['src/client/**/*.test.ts', 'src/agent/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '**/server/**', '**/store/**', '**/web/**'],
              message: 'src/client and src/agent reach the service over HTTP only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard: hooks called in order, effects that list what they read.
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // The dashboard talks to the server over HTTP only; it may read the core's pure helpers
    // and take types (only types) from the server's schemas and views.
    files: ['src/web/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/**', '**/server/**', '**/cli/**', '**/scenario/**', '**/solver/**'],
              allowTypeImports: true,
              message: 'src/web talks to the server over HTTP; import only types from the shell.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

// ESLint loads flat configuration through the default export.
// eslint-disable-next-line import-x/no-default-export
export default config;
