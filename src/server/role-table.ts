import type { Role } from '../store/tokens.js';
import { ROLES } from '../store/tokens.js';
import type { Route } from './route.js';

/**
 * Who may call what, as docs/service.md shows it: one table of rows, each naming the routes it
 * stands for. The roles of a row are never written here: they come from the routes' own `roles`,
 * so the docs cannot say what the server does not do. role-table.test.ts checks that every route
 * has exactly one row and that the docs hold what `renderRoleTable` renders; roles.test.ts walks
 * the same routes against a running app.
 *
 * Regenerate the docs' table with `npm run docs:roles`.
 */

/** What the renderer needs of a route. */
export type RoleRoute = Pick<Route, 'method' | 'path' | 'roles'>;

export interface RoleRow {
  /** What the row lets a caller do, as the docs word it (markdown; no `|`). */
  readonly what: string;
  /** `METHOD /v1/path`, exactly as the route declares them; all must allow the same roles. */
  readonly routes: readonly string[];
  /**
   * False where a bound token's binding does not narrow the answer (its own token, alike for
   * every role): a holder or operator gets ✓ there, not "own".
   */
  readonly scoped?: false;
}

/** `GET /v1/pools/{id}`: how rows name a route. */
export const routeName = (route: Pick<Route, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/**
 * Routes served outside `allRoutes()`, with their roles stated here. `GET /v1/stream` is
 * registered by src/server/stream.ts on Fastify directly, since it holds its response open
 * instead of answering from one transaction; it lets in any live token and sends each caller
 * only what its role may read, so every role is listed.
 */
export const UNLISTED_ROUTES: readonly RoleRoute[] = [
  { method: 'GET', path: '/v1/stream', roles: ROLES },
];

/** The docs' column order, not `ROLES`' order: the lab's roles first, then the outside parties. */
export const ROLE_COLUMNS = [
  'admin',
  'planner',
  'viewer',
  'holder',
  'operator',
  'funder',
] as const satisfies readonly Role[];

/** The entity kinds that only the lab's roles read (sites, pools and buildings have rows). */
const SCENARIO_KINDS = [
  'accelerators',
  'providers',
  'parties',
  'workloads',
  'contracts',
  'revenue-streams',
] as const;
const ENTITY_KINDS = [...SCENARIO_KINDS, 'sites', 'pools', 'buildings'] as const;

const reads = (kind: string): string[] => [`GET /v1/${kind}`, `GET /v1/${kind}/{id}`];
const addsAndRemoves = (kind: string): string[] => [`POST /v1/${kind}`, `DELETE /v1/${kind}/{id}`];
const edits = (kind: string): string[] => [`PUT /v1/${kind}/{id}`, `PATCH /v1/${kind}/{id}`];

export const ROLE_TABLE: readonly RoleRow[] = [
  {
    what: 'read the scenario: `GET /v1/scenario`, accelerators, providers, parties, workloads, contracts, revenue streams',
    routes: ['GET /v1/scenario', ...SCENARIO_KINDS.flatMap(reads)],
  },
  { what: 'read sites and buildings', routes: [...reads('sites'), ...reads('buildings')] },
  { what: 'read pools', routes: reads('pools') },
  {
    what: 'change the scenario: `PUT /v1/scenario`, POST/PUT/PATCH/DELETE of any entity',
    routes: [
      'PUT /v1/scenario',
      ...ENTITY_KINDS.flatMap(addsAndRemoves),
      ...ENTITY_KINDS.filter((kind) => kind !== 'buildings').flatMap(edits),
    ],
  },
  {
    what: 'change a building (`PUT`, `PATCH`: construction start, online, milestones, delay)',
    routes: edits('buildings'),
  },
  { what: 'forecast, ledger', routes: ['GET /v1/forecast', 'GET /v1/ledger'] },
  {
    what: "what capacity is worth in a stored plan's scenario (`GET /v1/plans/{id}/value`, [decisions](decisions.md#what-capacity-is-worth))",
    routes: ['GET /v1/plans/{id}/value'],
  },
  {
    what: 'a stored plan under slip risk (`GET /v1/plans/{id}/risk`, [decisions](decisions.md#in-the-service))',
    routes: ['GET /v1/plans/{id}/risk'],
  },
  {
    what: "plans: create; request capacity for a plan's unmet demand",
    routes: ['POST /v1/plans', 'POST /v1/plans/{id}/requests'],
  },
  {
    what: "what if: `POST /v1/what-if`, `GET /v1/what-if/{id}` (the caller's own; [decisions](decisions.md#what-if-in-the-service))",
    routes: ['POST /v1/what-if', 'GET /v1/what-if/{id}'],
  },
  {
    what: 'plans: list, show, diff, summary, workloads, clause prices (`/v1/plans/{id}/summary`, `/workloads`, `/workloads/{w}`, `/clauses`)',
    routes: [
      'GET /v1/plans',
      'GET /v1/plans/{id}',
      'GET /v1/plans/{a}/diff/{b}',
      'GET /v1/plans/{id}/summary',
      'GET /v1/plans/{id}/workloads',
      'GET /v1/plans/{id}/workloads/{workload}',
      'GET /v1/plans/{id}/clauses',
    ],
  },
  {
    what: 'plans: export a month for Kueue (`GET /v1/plans/{id}/export/kueue`, [docs/export.md](export.md))',
    routes: ['GET /v1/plans/{id}/export/kueue'],
  },
  { what: 'contract terms as sentences: `GET /v1/terms`', routes: ['GET /v1/terms'] },
  { what: 'requests: create', routes: ['POST /v1/requests'] },
  { what: 'requests: list, show', routes: reads('requests') },
  { what: 'offers: list, show', routes: reads('offers') },
  {
    what: 'offers: accept, decline',
    routes: ['POST /v1/offers/{id}/accept', 'POST /v1/offers/{id}/decline'],
  },
  { what: 'quotes and awards: create', routes: ['POST /v1/quotes', 'POST /v1/awards'] },
  { what: 'quotes and awards: list', routes: ['GET /v1/quotes', 'GET /v1/awards'] },
  { what: 'deliveries: record', routes: ['POST /v1/deliveries'] },
  { what: 'deliveries: list', routes: ['GET /v1/deliveries'] },
  { what: 'late deliveries: `GET /v1/procurement/late`', routes: ['GET /v1/procurement/late'] },
  {
    what: "node agents' heartbeats: `POST /v1/heartbeats` ([docs/agent.md](agent.md))",
    routes: ['POST /v1/heartbeats'],
  },
  { what: 'the fleet: `GET /v1/inventory`', routes: ['GET /v1/inventory'] },
  {
    what: 'nodes: `GET /v1/nodes`, `GET /v1/nodes/{node}`',
    routes: ['GET /v1/nodes', 'GET /v1/nodes/{node}'],
  },
  { what: 'forget a node: `DELETE /v1/nodes/{node}`', routes: ['DELETE /v1/nodes/{node}'] },
  {
    what: 'tokens: create, list, revoke',
    routes: ['POST /v1/tokens', 'GET /v1/tokens', 'DELETE /v1/tokens/{id}'],
  },
  { what: 'audit log: `GET /v1/events`', routes: ['GET /v1/events'] },
  { what: 'who am I: `GET /v1/me`', routes: ['GET /v1/me'], scoped: false },
  {
    what: 'live changes: `GET /v1/stream` (server-sent events; each hears what its role may read)',
    routes: ['GET /v1/stream'],
  },
];

/**
 * What is wrong with the table for these routes (plus `UNLISTED_ROUTES`): a route with no row,
 * a route in two rows, a row naming a route that does not exist. Empty when it is complete.
 */
export function roleTableProblems(
  routes: readonly RoleRoute[],
  table: readonly RoleRow[] = ROLE_TABLE,
): string[] {
  const known = new Set([...routes, ...UNLISTED_ROUTES].map(routeName));
  const rowsOf = new Map<string, string[]>();
  for (const row of table) {
    for (const name of row.routes) rowsOf.set(name, [...(rowsOf.get(name) ?? []), row.what]);
  }
  const problems: string[] = [];
  for (const name of known) {
    if (!rowsOf.has(name)) problems.push(`${name} has no row in the role table`);
  }
  for (const [name, rows] of rowsOf) {
    if (!known.has(name)) problems.push(`${name} is in the role table but is not a route`);
    if (rows.length > 1) problems.push(`${name} is in ${rows.length} rows: ${rows.join(' / ')}`);
  }
  for (const row of table) {
    if (row.routes.length === 0) problems.push(`row "${row.what}" names no route`);
    if (row.what.includes('|')) problems.push(`row "${row.what}" has a | in its text`);
  }
  return problems;
}

/**
 * A role's cell: ✓, or what a bound token is narrowed to. Holder and operator tokens are always
 * bound (POST /v1/tokens refuses a holder without a provider, an operator without sites): a holder
 * acts only on its provider's offers, an operator only at its sites. What lies elsewhere is left
 * out of lists, and a 404 where its very existence is private (the text under the table in
 * docs/service.md; roles.test.ts checks both).
 */
function cell(role: Role, allowed: boolean, scoped: boolean): string {
  if (!allowed) return '';
  if (scoped && role === 'holder') return 'own';
  if (scoped && role === 'operator') return 'own sites';
  return '✓';
}

/** Columns as prettier aligns a markdown table, so `prettier --check` leaves the docs alone. */
function alignedTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // One column per character as shown (✓ is one); a wide character would be two for prettier,
  // and role-table.test.ts would say so.
  const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
  const width = (text: string) => Array.from(segmenter.segment(text)).length;
  const widths = header.map((title, i) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[i] ?? ''))),
  );
  // The first column (what) is left-aligned, the role columns centred.
  const pad = (text: string, i: number): string => {
    const room = (widths[i] ?? 0) - width(text);
    if (i === 0) return text + ' '.repeat(room);
    const before = Math.floor(room / 2);
    return ' '.repeat(before) + text + ' '.repeat(room - before);
  };
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `:${'-'.repeat(w - 2)}:`));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * The markdown role table of docs/service.md, from `table`'s rows and the routes' own roles.
 * Throws when the table is not complete for these routes (see `roleTableProblems`) or when the
 * routes of one row allow different roles: such a row must be split.
 */
export function renderRoleTable(
  routes: readonly RoleRoute[],
  table: readonly RoleRow[] = ROLE_TABLE,
): string {
  const problems = roleTableProblems(routes, table);
  if (problems.length > 0) {
    throw new Error(`the role table in src/server/role-table.ts:\n${problems.join('\n')}`);
  }
  const byName = new Map([...routes, ...UNLISTED_ROUTES].map((route) => [routeName(route), route]));
  const rows = table.map((row) => {
    const rolesOf = (name: string) => new Set(byName.get(name)?.roles ?? []);
    const first = rolesOf(row.routes[0] ?? '');
    const differ = row.routes.filter((name) => {
      const roles = rolesOf(name);
      return roles.size !== first.size || [...roles].some((role) => !first.has(role));
    });
    if (differ.length > 0) {
      const show = (name: string) => `${name} (${[...rolesOf(name)].join(', ')})`;
      throw new Error(
        `role table row "${row.what}": its routes allow different roles, split it: ` +
          [row.routes[0] ?? '', ...differ].map(show).join('; '),
      );
    }
    return [
      row.what,
      ...ROLE_COLUMNS.map((role) => cell(role, first.has(role), row.scoped ?? true)),
    ];
  });
  return alignedTable(['what', ...ROLE_COLUMNS], rows);
}

export const ROLE_TABLE_START =
  '<!-- roles: generated by src/server/role-table.ts; do not edit -->';
export const ROLE_TABLE_END = '<!-- /roles -->';

function markers(markdown: string): { start: number; end: number } {
  const start = markdown.indexOf(ROLE_TABLE_START);
  const end = markdown.indexOf(ROLE_TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`no ${ROLE_TABLE_START} … ${ROLE_TABLE_END} in the document`);
  }
  return { start: start + ROLE_TABLE_START.length, end };
}

/** The table between the markers, without the blank lines around it. */
export function roleTableIn(markdown: string): string {
  const { start, end } = markers(markdown);
  return markdown.slice(start, end).trim();
}

/** The document with `table` between the markers, a blank line either side. */
export function withRoleTable(markdown: string, table: string): string {
  const { start, end } = markers(markdown);
  return `${markdown.slice(0, start)}\n\n${table}\n\n${markdown.slice(end)}`;
}
