import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportScenario, replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { ROLES, createToken, listTokens, revokeToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';
import { ROLE_TABLE, UNLISTED_ROUTES, routeName } from './role-table.js';
import type { Method, Route } from './route.js';
import { allRoutes } from './routes/index.js';

/**
 * Who may call what, walked from the route table itself: every route × every role, plus no
 * token and a revoked one. A route added to the table is covered without touching this file
 * (unless it needs an id of a kind below), once it has its row in the role table of the docs
 * (src/server/role-table.ts). Then the rules where the answer is 404, not 403: a
 * caller bound to a provider or to sites does not learn that other offers, buildings or pools
 * exist.
 *
 * The calls of allowed roles must not change anything, so that the matrix can share one store:
 * a route with a body gets one that is not valid (the role check comes first, so a 400 listing
 * body problems shows the call got past it), and a DELETE sends a stale If-Match.
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const NOW = new Date('2026-01-10T00:00:00.000Z');
/** Opening a store and planning once can outlast vitest's 10 s hook default on a busy machine. */
const HOOK_TIMEOUT = 60_000;

/** An id that exists for each kind of entity in the example. */
const ENTITY_IDS: Readonly<Record<string, string>> = {
  accelerators: 'vr200',
  providers: 'azure',
  parties: 'openai',
  sites: 'abilene',
  pools: 'azure-h100',
  buildings: 'abilene-b1',
  workloads: 'research-2029',
  contracts: 'msft-openai-2025',
  'revenue-streams': 'openai-revenue',
};

/** Queries that keep a route cheap; the answer does not depend on them. */
const QUERIES: Readonly<Record<string, string>> = {
  '/v1/forecast': '?runs=10',
  '/v1/plans/{id}/export/kueue': '?month=2027-06',
  '/v1/plans/{id}/clauses': '?pairs=none',
  '/v1/plans/{id}/risk': '?runs=10',
};

/** Routes that answer 202 while they compute in the background. */
const BACKGROUND: ReadonlySet<string> = new Set([
  '/v1/plans/{id}/clauses',
  '/v1/plans/{id}/risk',
  '/v1/plans/{id}/value',
]);

/** Not valid for any route's body schema: every one expects an object (or nothing). */
const INVALID_BODY: unknown[] = [];

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly problems?: readonly { readonly path: string; readonly message: string }[];
  };
}

const errorOf = (answer: Answer) => (answer.json as ErrorBody).error;

/**
 * The matrix below checks that the server enforces the table; this checks the table against the
 * policy, so that widening a route's roles by mistake fails here.
 */
describe('the route table', () => {
  const routes = allRoutes();
  const name = (route: Route) => `${route.method} ${route.path}`;
  const allowing = (role: Role) => routes.filter((route) => route.roles.includes(role)).map(name);

  it('walks the routes of the role table in docs/service.md, no more and no fewer', () => {
    // GET /v1/stream has a row but holds its response open: stream.test.ts walks its roles.
    const unlisted = new Set(UNLISTED_ROUTES.map(routeName));
    const tabled = ROLE_TABLE.flatMap((row) => row.routes).filter((r) => !unlisted.has(r));
    expect(routes.map(name).sort()).toEqual(tabled.sort());
  });

  it('lets an admin call everything and only an admin manage tokens', () => {
    expect(routes.filter((route) => !route.roles.includes('admin')).map(name)).toEqual([]);
    const tokens = routes.filter((route) => route.path.startsWith('/v1/tokens'));
    expect(tokens.length).toBeGreaterThan(0);
    for (const route of tokens) expect(route.roles, name(route)).toEqual(['admin']);
  });

  it('keeps viewers and funders to reading, and funders to the buildout and the books', () => {
    expect(allowing('viewer').filter((route) => !route.startsWith('GET '))).toEqual([]);
    expect(allowing('funder').sort()).toEqual(
      [
        'GET /v1/buildings',
        'GET /v1/buildings/{id}',
        'GET /v1/forecast',
        'GET /v1/inventory',
        'GET /v1/ledger',
        'GET /v1/me',
        'GET /v1/plans/{id}/risk',
        'GET /v1/plans/{id}/value',
        'GET /v1/procurement/late',
        'GET /v1/sites',
        'GET /v1/sites/{id}',
      ].sort(),
    );
  });

  it('keeps a holder to its offers', () => {
    expect(allowing('holder').sort()).toEqual(
      [
        'GET /v1/me',
        'GET /v1/offers',
        'GET /v1/offers/{id}',
        'POST /v1/offers/{id}/accept',
        'POST /v1/offers/{id}/decline',
      ].sort(),
    );
  });

  it('lets an operator change only buildings and deliveries, and report its nodes', () => {
    expect(
      allowing('operator')
        .filter((route) => !route.startsWith('GET '))
        .sort(),
    ).toEqual(
      [
        'PATCH /v1/buildings/{id}',
        'POST /v1/deliveries',
        'POST /v1/heartbeats',
        'PUT /v1/buildings/{id}',
      ].sort(),
    );
  });
});

for (const backend of testBackends()) {
  describe(`roles on ${backend.name}`, () => {
    let store: TestStore;
    let app: App;
    let example: Record<string, unknown>;
    const secrets = new Map<Role, string>();
    let revoked: { id: string; secret: string };
    let ids: { request: number; offer: number; plan: number };

    async function call(
      method: Method,
      url: string,
      secret: string | undefined,
      options: { body?: unknown; headers?: Record<string, string> } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = { ...options.headers };
      if (secret !== undefined) headers['authorization'] = `Bearer ${secret}`;
      const response = await app.fastify.inject({
        method,
        url,
        headers,
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      });
      return {
        status: response.statusCode,
        json: response.body === '' ? undefined : response.json<unknown>(),
      };
    }

    const secretOf = (role: Role): string => {
      const secret = secrets.get(role);
      if (!secret) throw new Error(`no token for ${role}`);
      return secret;
    };

    beforeAll(async () => {
      store = await backend.open();
      example = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(example)));
      app = buildApp({ store, clock: () => Promise.resolve(NOW), version: 'test' });
      for (const role of ROLES) {
        // The holder answers for azure, so azure's offer is its own; the operator's sites hold
        // the building and the pool the matrix reads.
        const grant =
          role === 'holder'
            ? { role, providerId: 'azure' }
            : role === 'operator'
              ? { role, siteIds: ['abilene', 'azure-us-east'] }
              : { role };
        secrets.set(role, (await createToken(store.db, grant, NOW)).secret);
      }
      revoked = await createToken(store.db, { role: 'admin' }, NOW);
      await revokeToken(store.db, revoked.id, NOW);

      const reported = await call('POST', '/v1/heartbeats', secretOf('operator'), {
        body: {
          node: 'matrix-node',
          site: 'azure-us-east',
          sequence: 1,
          intervalSeconds: 30,
          observedAt: NOW.toISOString(),
          reading: { source: 'nvidia-smi', gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3' }] },
        },
      });
      expect(reported.status).toBe(200);
      const created = await call('POST', '/v1/requests', secretOf('planner'), {
        body: {
          accelerator: 'vr200',
          gpus: 100_000,
          window: { from: '2029-01', to: '2030-12' },
          workloadClass: 'research',
          reason: 'the matrix needs a request and an offer',
        },
      });
      expect(created.status).toBe(201);
      const request = created.json as { id: number; offers: { id: number }[] };
      const planned = await call('POST', '/v1/plans', secretOf('planner'), {
        body: { solver: 'fast' },
      });
      expect(planned.status).toBe(201);
      ids = {
        request: request.id,
        offer: request.offers[0]?.id ?? 0,
        plan: (planned.json as { id: number }).id,
      };
    }, HOOK_TIMEOUT);

    afterAll(async () => {
      await app.fastify.close();
      await store.dispose();
    }, HOOK_TIMEOUT);

    /** The route's path with ids that exist in this store. */
    function urlOf(route: Route): string {
      const segment = route.path.split('/')[2] ?? '';
      const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        const entity = ENTITY_IDS[segment];
        if (entity !== undefined) return entity;
        if (name === 'workload') return ENTITY_IDS['workloads'] ?? '';
        if (segment === 'requests') return String(ids.request);
        if (segment === 'offers') return String(ids.offer);
        if (segment === 'plans') return String(ids.plan);
        if (segment === 'tokens') return revoked.id;
        // Another caller's what-if, or none: 404 for whoever may ask.
        if (segment === 'what-if') return '00000000-0000-4000-8000-000000000000';
        // The node beforeAll reported; a DELETE names one that does not exist (404), so the
        // matrix changes nothing.
        if (segment === 'nodes') return route.method === 'DELETE' ? 'no-such-node' : 'matrix-node';
        throw new Error(`roles.test.ts has no id for {${name}} in ${route.path}: add one`);
      });
      return `${path}${QUERIES[route.path] ?? ''}`;
    }

    async function callAs(route: Route, secret: string | undefined): Promise<Answer> {
      return call(route.method, urlOf(route), secret, {
        ...(route.body ? { body: INVALID_BODY } : {}),
        ...(route.method === 'DELETE' ? { headers: { 'if-match': '"0"' } } : {}),
      });
    }

    for (const route of allRoutes()) {
      it(`${route.method} ${route.path}: ${route.roles.join(', ')}`, async () => {
        const before = JSON.stringify(await exportScenario(store.db));
        const tokensBefore = JSON.stringify(await listTokens(store.db));

        const anonymous = await callAs(route, undefined);
        expect(anonymous.status, 'no token').toBe(401);
        expect(errorOf(anonymous).code).toBe('unauthorized');
        const stale = await callAs(route, revoked.secret);
        expect(stale.status, 'revoked token').toBe(401);
        expect(errorOf(stale).message).toBe('unknown, expired or revoked token');

        for (const role of ROLES) {
          const answer = await callAs(route, secretOf(role));
          const what = `${role} ${route.method} ${urlOf(route)}: ${JSON.stringify(answer.json)}`;
          if (!route.roles.includes(role)) {
            expect(answer.status, what).toBe(403);
            expect(errorOf(answer).code).toBe('forbidden');
            expect(errorOf(answer).message).toContain(`role ${role}`);
            continue;
          }
          expect([401, 403], what).not.toContain(answer.status);
          if (route.body) {
            // Past the role check, stopped by validation.
            expect(answer.status, what).toBe(400);
            const paths = (errorOf(answer).problems ?? []).map((problem) => problem.path);
            expect(paths.length, what).toBeGreaterThan(0);
            for (const path of paths) expect(path, what).toMatch(/^body\b/);
          } else if (route.method === 'DELETE') {
            // The stale If-Match (entities) or the revoked token (tokens) stops it.
            expect([404, 412], what).toContain(answer.status);
          } else if (route.path === '/v1/what-if/{id}') {
            // What-ifs live in the process that answered them, for their caller: none here.
            expect(answer.status, what).toBe(404);
          } else if (BACKGROUND.has(route.path)) {
            // Computed in the background: 202 until ready, then 200.
            expect([200, 202], what).toContain(answer.status);
          } else {
            expect(answer.status, what).toBe(200);
          }
        }

        expect(JSON.stringify(await exportScenario(store.db))).toBe(before);
        expect(JSON.stringify(await listTokens(store.db))).toBe(tokensBefore);
      });
    }

    it('answers a bound holder 404, not 403, for an offer addressed to another', async () => {
      const coreweave = (
        await createToken(store.db, { role: 'holder', providerId: 'coreweave' }, NOW)
      ).secret;
      const own = await call('GET', `/v1/offers/${ids.offer}`, secretOf('holder'));
      expect(own.status).toBe(200);
      expect(own.json).toMatchObject({ id: ids.offer, holder: 'azure', state: 'pending' });
      const other = await call('GET', `/v1/offers/${ids.offer}`, coreweave);
      expect(other.status).toBe(404);
      expect(errorOf(other).code).toBe('not_found');
      for (const [action, body] of [
        ['accept', { pricePerGpuHour: '3.00' }],
        ['decline', {}],
      ] as const) {
        const answer = await call('POST', `/v1/offers/${ids.offer}/${action}`, coreweave, { body });
        expect(answer.status, action).toBe(404);
      }
      const listed = await call('GET', '/v1/offers', coreweave);
      expect(listed.json).toEqual([]);
      const still = await call('GET', `/v1/offers/${ids.offer}`, secretOf('admin'));
      expect(still.json).toMatchObject({ state: 'pending' });
    });

    it('shows an operator only what stands at its sites, 404 for the rest', async () => {
      const abilene = (await createToken(store.db, { role: 'operator', siteIds: ['abilene'] }, NOW))
        .secret;
      const buildings = example['buildings'] as { id: string; site: string; sqft: number }[];
      const listed = await call('GET', '/v1/buildings', abilene);
      expect(listed.status).toBe(200);
      const ids = (listed.json as { id: string; site: string }[]).map((b) => b.id);
      expect(ids).toEqual(buildings.filter((b) => b.site === 'abilene').map((b) => b.id));
      expect(ids.length).toBeGreaterThan(0);
      expect((await call('GET', '/v1/sites', abilene)).json).toMatchObject([{ id: 'abilene' }]);
      expect((await call('GET', '/v1/pools', abilene)).json).toEqual([]);

      expect((await call('GET', '/v1/buildings/abilene-b1', abilene)).status).toBe(200);
      const elsewhere = await call('GET', '/v1/buildings/lordstown-b1', abilene);
      expect(elsewhere.status).toBe(404);
      expect(errorOf(elsewhere).code).toBe('not_found');
      expect((await call('GET', '/v1/pools/azure-h100', abilene)).status).toBe(404);
      expect((await call('GET', '/v1/sites/lordstown', abilene)).status).toBe(404);
      const lordstown = buildings.find((b) => b.id === 'lordstown-b1');
      const replaced = await call('PUT', '/v1/buildings/lordstown-b1', abilene, {
        body: { ...lordstown, sqft: 1 },
      });
      expect(replaced.status).toBe(404);
      const patched = await call('PATCH', '/v1/buildings/lordstown-b1', abilene, {
        body: { sqft: 1 },
      });
      expect(patched.status).toBe(404);

      // Its own building it may edit, but not move to a site it is not bound to.
      const moved = await call('PATCH', '/v1/buildings/abilene-b1', abilene, {
        body: { site: 'lordstown' },
      });
      expect(moved.status).toBe(403);
      const kept = await call('GET', '/v1/buildings/abilene-b1', secretOf('viewer'));
      expect(kept.json).toMatchObject({ site: 'abilene' });
      // Of its own building it changes when it comes online, not its price or capex.
      const priced = await call('PATCH', '/v1/buildings/abilene-b1', abilene, {
        body: { capexUSD: 1, pricePerGpuHour: '0.01', rofr: 'cleared' },
      });
      expect(priced.status).toBe(403);
      expect((priced.json as { error: { message: string } }).error.message).toContain(
        'not capexUSD, pricePerGpuHour',
      );
      const online = (kept.json as { online: string }).online;
      const slipped = await call('PATCH', '/v1/buildings/abilene-b1', abilene, {
        body: { online: '2025-09' },
      });
      expect(slipped.status).toBe(200);
      expect(
        (await call('PATCH', '/v1/buildings/abilene-b1', abilene, { body: { online } })).status,
      ).toBe(200);
      expect(
        (await call('GET', '/v1/buildings/lordstown-b1', secretOf('viewer'))).json,
      ).toMatchObject({ sqft: lordstown?.sqft });
    });

    it('keeps workloads, costs and other providers from a holder', async () => {
      const holder = secretOf('holder');
      for (const url of [
        '/v1/workloads',
        '/v1/workloads/research-2029',
        '/v1/providers',
        '/v1/providers/coreweave',
        '/v1/pools',
        '/v1/pools/coreweave-h100',
        '/v1/scenario',
        '/v1/plans',
        `/v1/plans/${ids.plan}`,
        '/v1/ledger',
        '/v1/quotes',
        `/v1/requests/${ids.request}`,
      ]) {
        const answer = await call('GET', url, holder);
        expect(answer.status, url).toBe(403);
      }
      // What it does see of the request behind its offer is the capacity, not the purpose.
      const offer = await call('GET', `/v1/offers/${ids.offer}`, holder);
      expect(Object.keys((offer.json as { requested: object }).requested).sort()).toEqual([
        'accelerator',
        'id',
        'window',
      ]);
    });

    it('refuses a malformed or foreign Authorization header', async () => {
      for (const authorization of [
        'Basic dXNlcjpwYXNz',
        'Bearer',
        `Token ${secretOf('admin')}`,
        'Bearer sgt_not-a-real-token',
      ]) {
        const response = await app.fastify.inject({
          method: 'GET',
          url: '/v1/pools',
          headers: { authorization },
        });
        expect(response.statusCode, authorization).toBe(401);
      }
    });
  });
}
