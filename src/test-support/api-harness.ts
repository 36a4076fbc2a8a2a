import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { App } from '../server/app.js';
import { buildApp } from '../server/app.js';
import type { Method } from '../server/route.js';
import type { Queryable } from '../store/db.js';
import { exportScenario, replaceScenario } from '../store/scenario-store.js';
import * as t from '../store/schema.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestBackend, TestStore } from './stores.js';

/**
 * The API end to end, in process (`fastify.inject`): a store of one test backend loaded with the
 * example scenario, an app on a clock the test moves, a token of each kind, and the shapes and
 * helpers the `src/server/api-*.test.ts` suites share.
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
export const T0 = new Date('2026-01-10T00:00:00.000Z');
export const DAY = 24 * 60 * 60 * 1000;
/** Opening a store can outlast vitest's 10 s hook default on a busy machine. */
export const HOOK_TIMEOUT = 30_000;
export const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly text: string;
  readonly json: unknown;
}

interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** A body sent as it is (malformed JSON). */
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Token {
  readonly id: string;
  readonly secret: string;
}

export interface Harness {
  readonly store: TestStore;
  readonly app: App;
  /** The example scenario the store was loaded with, as parsed from its YAML. */
  readonly example: Record<string, unknown>;
  /** The time the app's clock reads; tests move it. */
  now: Date;
  readonly tokens: {
    readonly admin: Token;
    readonly planner: Token;
    readonly viewer: Token;
    readonly azure: Token;
    readonly coreweave: Token;
  };
  call(method: Method, url: string, options?: CallOptions): Promise<Answer>;
}

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly problems?: readonly { readonly path: string; readonly message: string }[];
    readonly requestId: string;
  };
}

export interface OfferJson {
  readonly id: number;
  readonly request: number;
  readonly holder: string;
  readonly contract: string;
  readonly term: string;
  readonly gpus: number;
  readonly state: string;
  readonly createdAt: string;
  readonly deadline: string;
  readonly respondedAt?: string;
  readonly acceptedGpus?: number;
  readonly pool?: string;
  readonly requested: Record<string, unknown>;
}

export interface RequestJson {
  readonly id: number;
  readonly state: string;
  readonly gpus: number;
  readonly clearedGpus: number;
  readonly offers: readonly Omit<OfferJson, 'requested'>[];
  readonly quotes: readonly { readonly id: number }[];
  readonly awards: readonly {
    readonly id: number;
    readonly pool: string;
    readonly quote: number;
  }[];
  readonly history: readonly {
    readonly at: string;
    readonly actor: string;
    readonly action: string;
    readonly after?: unknown;
  }[];
}

export interface PlanJson {
  readonly assignments: readonly {
    workload: string;
    pool: string;
    period: string;
    gpus: number;
  }[];
  readonly unmet: readonly { workload: string; period: string; gpus: number; reasons: string[] }[];
  readonly lateDeliveries?: readonly Record<string, unknown>[];
}

export interface EventJson {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
}

let example: Promise<Record<string, unknown>> | undefined;

/** Opens a store of `backend` with the example scenario and an app on it; close it after. */
export async function openHarness(backend: TestBackend): Promise<Harness> {
  example ??= readFile(EXAMPLE, 'utf8').then((text) => parse(text) as Record<string, unknown>);
  const scenario = await example;
  const store = await backend.open();
  await store.db.transaction((tx) => replaceScenario(tx, structuredClone(scenario)));
  const token = (role: Role, providerId?: string) =>
    createToken(store.db, { role, ...(providerId ? { providerId } : {}) }, T0);
  const harness: Harness = {
    store,
    app: buildApp({ store, clock: () => Promise.resolve(harness.now), version: 'test' }),
    example: scenario,
    now: T0,
    tokens: {
      admin: await token('admin'),
      planner: await token('planner'),
      viewer: await token('viewer'),
      azure: await token('holder', 'azure'),
      coreweave: await token('holder', 'coreweave'),
    },
    async call(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
      const payload =
        options.raw !== undefined
          ? { payload: options.raw }
          : options.body !== undefined
            ? { payload: options.body as object }
            : {};
      const response = await harness.app.fastify.inject({ method, url, headers, ...payload });
      const type = String(response.headers['content-type'] ?? '');
      return {
        status: response.statusCode,
        headers: response.headers,
        text: response.body,
        json: type.includes('json') && response.body !== '' ? response.json() : undefined,
      };
    },
  };
  return harness;
}

export async function closeHarness(h: Harness): Promise<void> {
  await h.app.fastify.close();
  await h.store.dispose();
}

export const problemPaths = (answer: Answer) =>
  ((answer.json as ErrorBody).error.problems ?? []).map((problem) => problem.path);

export const errorOf = (answer: Answer) => (answer.json as ErrorBody).error;

export async function count(db: Queryable, table: PgTable): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(table);
  return row?.n ?? 0;
}

/** Everything a refused request must leave as it was: the scenario and the procurement tables. */
export async function snapshot(db: Queryable): Promise<string> {
  return JSON.stringify({
    scenario: await exportScenario(db),
    requests: await db.select().from(t.requests).orderBy(t.requests.id),
    offers: await db.select().from(t.offers).orderBy(t.offers.id),
    quotes: await count(db, t.quotes),
    awards: await count(db, t.awards),
    deliveries: await count(db, t.deliveries),
    events: await count(db, t.events),
    idempotencyKeys: await count(db, t.idempotencyKeys),
  });
}

export const REQUEST = {
  accelerator: 'vr200',
  gpus: 100_000,
  window: { from: '2029-01', to: '2030-12' },
  workloadClass: 'research',
  reason: 'research-2029 is short of GPUs',
} as const;

/** Every month from `from` to `to`, inclusive. */
export function months(from: string, to: string): string[] {
  const out: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const text = `${year}-${String(month).padStart(2, '0')}`;
    if (text > to) return out;
    out.push(text);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
}

/** Creates a request as the planner; returns it with its (first) offer. */
export async function request(
  h: Harness,
  body: object = REQUEST,
  headers: Record<string, string> = {},
): Promise<RequestJson> {
  const answer = await h.call('POST', '/v1/requests', {
    token: h.tokens.planner.secret,
    body,
    headers,
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.json as RequestJson;
}

/** Request → azure declines → stargate quote → award; returns the request and its pool. */
export async function procure(
  h: Harness,
  quote: { site: string; gpus: number; deliveryMonth: string },
): Promise<{ request: RequestJson; pool: string }> {
  const created = await request(h, { ...REQUEST, gpus: quote.gpus });
  const offer = created.offers[0];
  if (!offer) throw new Error('no offer');
  const declined = await h.call('POST', `/v1/offers/${offer.id}/decline`, {
    token: h.tokens.azure.secret,
    body: {},
  });
  expect(declined.status, declined.text).toBe(200);
  const quoted = await h.call('POST', '/v1/quotes', {
    token: h.tokens.planner.secret,
    body: { request: created.id, provider: 'stargate', pricePerGpuHour: '2.00', ...quote },
  });
  expect(quoted.status, quoted.text).toBe(201);
  const awarded = await h.call('POST', '/v1/awards', {
    token: h.tokens.planner.secret,
    body: { quote: (quoted.json as { id: number }).id },
  });
  expect(awarded.status, awarded.text).toBe(201);
  return { request: created, pool: (awarded.json as { pool: string }).pool };
}

/** Makes a plan as the planner and reads it back as a viewer. */
export async function plan(
  h: Harness,
  solver: 'exact' | 'fast',
): Promise<{ id: number; json: PlanJson }> {
  const made = await h.call('POST', '/v1/plans', {
    token: h.tokens.planner.secret,
    body: { solver },
  });
  expect(made.status, made.text).toBe(201);
  const { id } = made.json as { id: number };
  expect(made.headers['location']).toBe(`/v1/plans/${id}`);
  const read = await h.call('GET', `/v1/plans/${id}`, { token: h.tokens.viewer.secret });
  expect(read.status).toBe(200);
  return { id, json: read.json as PlanJson };
}
