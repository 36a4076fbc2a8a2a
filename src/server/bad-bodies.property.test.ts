import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportScenario, replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { pgliteBackend } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';
import type { Route } from './route.js';
import { allRoutes } from './routes/index.js';

/**
 * Bad bodies, at random: every route that takes a body gets random JSON and mutations of a
 * valid body (a field removed, replaced by any JSON value, or one added). Whatever comes in:
 * never a 5xx; a 4xx changes nothing (the audit log, which every change writes in its own
 * transaction, the scenario, and the tables a change could touch without an event); a 400
 * names the path of every problem. A mutation that happens to be valid may succeed: the state
 * it leaves is the next baseline. Seeded, so a failure replays.
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const NOW = new Date('2026-01-10T00:00:00.000Z');
const RUNS_PER_ROUTE = 12;
const SEED = 20261205;

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

const REQUEST = {
  accelerator: 'vr200',
  gpus: 1000,
  window: { from: '2029-01', to: '2029-12' },
  workloadClass: 'research',
  reason: 'bad bodies',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a JSON value (objects' keys and arrays' indices), the root first. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

type Mutation =
  { kind: 'delete' } | { kind: 'replace'; with: Json } | { kind: 'add'; key: string; with: Json };

/** The value with one mutation at `path` (a copy; the root cannot be deleted, only replaced). */
function mutate(value: Json, path: readonly (string | number)[], mutation: Mutation): Json {
  if (path.length === 0) {
    if (
      mutation.kind === 'add' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      return { ...value, [mutation.key]: mutation.with };
    }
    return mutation.kind === 'delete' ? null : mutation.with;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') {
    const copy = [...value];
    if (rest.length === 0 && mutation.kind === 'delete') copy.splice(head, 1);
    else copy[head] = mutate(copy[head] ?? null, rest, mutation);
    return copy;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const copy = { ...value };
    const key = String(head);
    if (rest.length === 0 && mutation.kind === 'delete') Reflect.deleteProperty(copy, key);
    else copy[key] = mutate(copy[key] ?? null, rest, mutation);
    return copy;
  }
  return value;
}

const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'delete' as const }),
  json.map((w) => ({ kind: 'replace' as const, with: w })),
  fc
    .tuple(fc.string({ maxLength: 8 }), json)
    .map(([key, w]) => ({ kind: 'add' as const, key, with: w })),
);

const backend = pgliteBackend;

describe('bad bodies on every write route', () => {
  let store: TestStore;
  let app: App;
  const secrets = new Map<Role, string>();
  /** Ids the routes' paths and valid bodies need, made in beforeAll. */
  const ids = { plan: 0, request: 0, offer: 0, quote: 0 };

  const call = async (method: string, url: string, role: Role, body?: unknown, headers = {}) => {
    const response = await app.fastify.inject({
      method: method as 'GET',
      url,
      headers: {
        authorization: `Bearer ${secrets.get(role) ?? ''}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return {
      status: response.statusCode,
      json: response.body === '' ? undefined : (JSON.parse(response.body) as unknown),
      etag: response.headers['etag'],
    };
  };

  /** What a refused request must leave as it was. */
  const state = async () => {
    const counts = await store.db.execute(
      sql`select (select coalesce(max(id), 0) from events) as events,
                 (select count(*) from plans) as plans,
                 (select count(*) from fleet_nodes) as nodes,
                 (select count(*) from tokens) as tokens`,
    );
    return JSON.stringify([(counts as { rows: unknown[] }).rows, await exportScenario(store.db)]);
  };

  beforeAll(async () => {
    store = await backend.open();
    const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
    await store.db.transaction((tx) => replaceScenario(tx, doc));
    for (const role of ['admin', 'planner'] as const) {
      secrets.set(role, (await createToken(store.db, { role }, NOW)).secret);
    }
    secrets.set(
      'holder',
      (await createToken(store.db, { role: 'holder', providerId: 'azure' }, NOW)).secret,
    );
    app = buildApp({ store, clock: () => Promise.resolve(NOW), version: 'test', webRoot: false });
    ids.plan = (
      (await call('POST', '/v1/plans', 'planner', { solver: 'fast' })).json as { id: number }
    ).id;
    const made = (await call('POST', '/v1/requests', 'planner', REQUEST)).json as {
      id: number;
      offers: { id: number }[];
    };
    ids.request = made.id;
    ids.offer = made.offers[0]?.id ?? 0;
    // A second request, cleared, with a quote: for the award route.
    const second = (await call('POST', '/v1/requests', 'planner', { ...REQUEST, gpus: 500 }))
      .json as {
      id: number;
      offers: { id: number }[];
    };
    await call('POST', `/v1/offers/${second.offers[0]?.id ?? 0}/decline`, 'holder', {});
    ids.quote = (
      (
        await call('POST', '/v1/quotes', 'planner', {
          request: second.id,
          provider: 'stargate',
          pricePerGpuHour: '2.00',
          gpus: 500,
          deliveryMonth: '2029-02',
          site: 'lordstown',
        })
      ).json as { id: number }
    ).id;
  }, 120_000);

  afterAll(async () => {
    await app.fastify.close();
    await store.dispose();
  }, 60_000);

  /** The route's URL with ids that exist, and the role that may call it. */
  function target(route: Route): { url: string; role: Role } {
    const segment = route.path.split('/')[2] ?? '';
    const url = route.path.replace(/\{(\w+)\}/g, () => {
      if (ENTITY_IDS[segment] !== undefined) return ENTITY_IDS[segment];
      if (segment === 'plans') return String(ids.plan);
      if (segment === 'offers') return String(ids.offer);
      throw new Error(`bad-bodies: no id for ${route.path}: add one`);
    });
    const role: Role = route.roles.includes('planner')
      ? 'planner'
      : route.roles.includes('holder')
        ? 'holder'
        : 'admin';
    return { url, role };
  }

  /** A valid body for the route, as its users send it. */
  async function validBody(route: Route, url: string): Promise<Json> {
    const segment = route.path.split('/')[2] ?? '';
    if (route.path === '/v1/scenario')
      return (await call('GET', '/v1/scenario', 'admin')).json as Json;
    if (ENTITY_IDS[segment] !== undefined) {
      const current = (await call('GET', `/v1/${segment}/${ENTITY_IDS[segment]}`, 'admin'))
        .json as {
        [key: string]: Json;
      };
      if (route.method === 'POST')
        return {
          ...current,
          id: `${typeof current['id'] === 'string' ? current['id'] : 'entity'}-copy`,
        };
      if (route.method === 'PATCH') {
        const [key] = Object.keys(current).filter((k) => k !== 'id');
        return key === undefined ? {} : { [key]: current[key] ?? null };
      }
      return current;
    }
    const bodies: Record<string, Json> = {
      'POST /v1/plans': { solver: 'fast' },
      'POST /v1/plans/{id}/requests': { workloads: ['research-2029'] },
      'POST /v1/what-if': { patch: { buildings: [{ id: 'abilene-b3', online: '2025-11' }] } },
      'POST /v1/requests': REQUEST,
      'POST /v1/offers/{id}/accept': { pricePerGpuHour: '3.00', gpus: 10 },
      'POST /v1/offers/{id}/decline': {},
      'POST /v1/quotes': {
        request: ids.request,
        provider: 'coreweave',
        pricePerGpuHour: '2.50',
        gpus: 10,
        deliveryMonth: '2029-03',
      },
      'POST /v1/awards': { quote: ids.quote },
      'POST /v1/deliveries': { pool: 'req-1-stargate', month: '2029-03', gpus: 10 },
      'POST /v1/heartbeats': {
        node: 'bad-bodies-node',
        site: 'azure-us-east',
        sequence: 1,
        intervalSeconds: 30,
        observedAt: NOW.toISOString(),
        reading: { source: 'nvidia-smi', gpus: [] },
      },
      'POST /v1/tokens': { role: 'viewer', label: 'bad bodies' },
    };
    const body = bodies[`${route.method} ${route.path}`];
    if (body === undefined)
      throw new Error(`bad-bodies: no valid body for ${route.method} ${url}: add one`);
    return body;
  }

  const writeRoutes = allRoutes().filter((route) => route.body !== undefined);

  it('covers every route that takes a body', () => {
    expect(writeRoutes.length).toBeGreaterThan(30);
  });

  for (const route of writeRoutes) {
    it(`${route.method} ${route.path}: no 5xx, a 4xx changes nothing and names its paths`, async () => {
      const { url, role } = target(route);
      const valid = await validBody(route, url);
      const paths = pathsOf(valid);
      const body = fc.oneof(
        json,
        fc.tuple(fc.constantFrom(...paths), mutation).map(([path, m]) => mutate(valid, path, m)),
      );
      await fc.assert(
        fc.asyncProperty(body, async (sent) => {
          // Entity changes need the current version; a stale one would stop them before the body.
          const etag =
            route.method === 'PUT' || route.method === 'PATCH'
              ? (await call('GET', route.path === '/v1/scenario' ? '/v1/scenario' : url, 'admin'))
                  .etag
              : undefined;
          const before = await state();
          const answer = await call(
            route.method,
            url,
            role,
            sent,
            etag ? { 'if-match': etag } : {},
          );
          expect(
            answer.status,
            `${route.method} ${url} ${JSON.stringify(sent)?.slice(0, 300)} → ${JSON.stringify(answer.json)}`,
          ).toBeLessThan(500);
          if (answer.status >= 400) {
            expect(
              await state(),
              `${route.method} ${url}: a ${answer.status} changed the state`,
            ).toBe(before);
            const error = (
              answer.json as { error?: { message?: string; problems?: { path: string }[] } }
            ).error;
            expect(error?.message, JSON.stringify(answer.json)).toBeTruthy();
            if (answer.status === 400) {
              expect(error?.problems?.length ?? 0, JSON.stringify(answer.json)).toBeGreaterThan(0);
              for (const problem of error?.problems ?? [])
                expect(problem.path, JSON.stringify(answer.json)).not.toBe('');
            }
          }
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
      );
    }, 120_000);
  }
});
