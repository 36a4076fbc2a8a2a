#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderRoleTable, roleTableIn, withRoleTable } from '../server/role-table.js';
import { allRoutes } from '../server/routes/index.js';

/**
 * Writes the role table of docs/service.md from src/server/role-table.ts and the routes' roles:
 *
 *   npm run docs:roles                      (builds, then writes)
 *   node dist/tools/role-table.js --write
 *   node dist/tools/role-table.js           (checks only: exit 1 when the docs are stale)
 *
 * Only the lines between the markers change; the rest of the page is left as it is.
 */
const DOC = fileURLToPath(new URL('../../docs/service.md', import.meta.url));
const USAGE = 'usage: node dist/tools/role-table.js [--write]';

async function main(argv: readonly string[]): Promise<number> {
  const write = argv.includes('--write');
  if (argv.some((arg) => arg !== '--write')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const markdown = await readFile(DOC, 'utf8');
  const table = renderRoleTable(allRoutes());
  if (roleTableIn(markdown) === table) {
    process.stdout.write('docs/service.md: the role table is up to date\n');
    return 0;
  }
  if (!write) {
    process.stderr.write('docs/service.md: the role table is stale; run npm run docs:roles\n');
    return 1;
  }
  await writeFile(DOC, withRoleTable(markdown, table));
  process.stdout.write('docs/service.md: the role table written\n');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
