import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../store/tokens.js';
import type { RoleRoute, RoleRow } from './role-table.js';
import {
  ROLE_COLUMNS,
  ROLE_TABLE,
  ROLE_TABLE_END,
  ROLE_TABLE_START,
  UNLISTED_ROUTES,
  renderRoleTable,
  roleTableIn,
  roleTableProblems,
  routeName,
  withRoleTable,
} from './role-table.js';
import { allRoutes } from './routes/index.js';

const DOC = fileURLToPath(new URL('../../docs/service.md', import.meta.url));
const REGENERATE =
  'regenerate it with `npm run docs:roles` (node dist/tools/role-table.js --write)';

describe('the role table', () => {
  const routes = allRoutes();

  it('has every route in exactly one row, and nothing that is not a route', () => {
    expect(roleTableProblems(routes)).toEqual([]);
    const inRows = ROLE_TABLE.flatMap((row) => row.routes).sort();
    const served = [...routes, ...UNLISTED_ROUTES].map(routeName).sort();
    expect(inRows).toEqual(served);
  });

  it('lists outside allRoutes() only what allRoutes() does not serve', () => {
    const names = new Set(routes.map(routeName));
    expect(UNLISTED_ROUTES.map(routeName).filter((name) => names.has(name))).toEqual([]);
  });

  it('has a column for every role', () => {
    expect([...ROLE_COLUMNS].sort()).toEqual([...ROLES].sort());
  });

  it('is what docs/service.md shows, as prettier formats it', async () => {
    const markdown = await readFile(DOC, 'utf8');
    const rendered = renderRoleTable(routes);
    expect(roleTableIn(markdown), `docs/service.md's role table is stale: ${REGENERATE}`).toBe(
      rendered,
    );
    const options = { ...(await resolveConfig(DOC)), parser: 'markdown' };
    expect(await format(`${rendered}\n`, options), 'prettier would realign the table').toBe(
      `${rendered}\n`,
    );
  });
});

describe('renderRoleTable', () => {
  const routes: RoleRoute[] = [
    { method: 'GET', path: '/v1/offers', roles: ['admin', 'planner', 'holder'] },
    { method: 'POST', path: '/v1/offers/{id}/accept', roles: ['admin', 'holder'] },
    { method: 'GET', path: '/v1/buildings', roles: ['admin', 'operator', 'funder'] },
    { method: 'GET', path: '/v1/me', roles: ROLES },
  ];
  const rows: RoleRow[] = [
    { what: 'offers: list', routes: ['GET /v1/offers'] },
    { what: 'offers: accept', routes: ['POST /v1/offers/{id}/accept'] },
    { what: 'read buildings', routes: ['GET /v1/buildings'] },
    { what: 'who am I', routes: ['GET /v1/me'], scoped: false },
    { what: 'live changes', routes: ['GET /v1/stream'] },
  ];
  const cells = (table: string) =>
    table
      .split('\n')
      .slice(2)
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );

  it('takes each row’s roles from its routes: own for a holder, own sites for an operator', () => {
    expect(cells(renderRoleTable(routes, rows))).toEqual([
      ['offers: list', '✓', '✓', '', 'own', '', ''],
      ['offers: accept', '✓', '', '', 'own', '', ''],
      ['read buildings', '✓', '', '', '', 'own sites', '✓'],
      ['who am I', '✓', '✓', '✓', '✓', '✓', '✓'],
      ['live changes', '✓', '✓', '✓', 'own', 'own sites', '✓'],
    ]);
    expect(renderRoleTable(routes, rows).split('\n')[0]).toMatch(
      /^\| what +\| admin \| planner \| viewer \| holder \| operator +\| funder \|$/,
    );
  });

  it('refuses a row whose routes allow different roles, naming them', () => {
    const merged = [
      { what: 'offers', routes: ['GET /v1/offers', 'POST /v1/offers/{id}/accept'] },
      ...rows.slice(2),
    ];
    expect(() => renderRoleTable(routes, merged)).toThrow(
      'role table row "offers": its routes allow different roles, split it: ' +
        'GET /v1/offers (admin, planner, holder); POST /v1/offers/{id}/accept (admin, holder)',
    );
  });

  it('refuses a route with no row, one in two rows, and a row naming no route', () => {
    expect(() => renderRoleTable(routes, rows.slice(1))).toThrow(
      'GET /v1/offers has no row in the role table',
    );
    expect(roleTableProblems(routes, [...rows, { what: 'again', routes: ['GET /v1/me'] }])).toEqual(
      ['GET /v1/me is in 2 rows: who am I / again'],
    );
    expect(
      roleTableProblems(routes, [...rows, { what: 'gone', routes: ['GET /v1/gone'] }]),
    ).toEqual(['GET /v1/gone is in the role table but is not a route']);
    expect(roleTableProblems(routes, [...rows, { what: 'a | b', routes: [] }])).toEqual([
      'row "a | b" names no route',
      'row "a | b" has a | in its text',
    ]);
  });
});

describe('the markers in the docs', () => {
  const doc = `# Roles\n\nintro\n\n${ROLE_TABLE_START}\n\n| old |\n\n${ROLE_TABLE_END}\n\nafter\n`;

  it('replaces only what lies between them', () => {
    const written = withRoleTable(doc, '| new |');
    expect(written).toBe(
      `# Roles\n\nintro\n\n${ROLE_TABLE_START}\n\n| new |\n\n${ROLE_TABLE_END}\n\nafter\n`,
    );
    expect(roleTableIn(written)).toBe('| new |');
    expect(withRoleTable(written, '| new |')).toBe(written);
  });

  it('refuses a document without them', () => {
    expect(() => roleTableIn('# Roles\n')).toThrow(ROLE_TABLE_START);
    expect(() => withRoleTable(`${ROLE_TABLE_END}\n${ROLE_TABLE_START}`, '')).toThrow();
  });
});
