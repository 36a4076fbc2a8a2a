import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Queryable } from '../store/db.js';
import { exportScenario, replaceScenario } from '../store/scenario-store.js';
import * as t from '../store/schema.js';
import { createToken } from '../store/tokens.js';
import type { Role } from '../store/tokens.js';
import type { TestBackend, TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';
import type { Method } from './route.js';
import { allRoutes } from './routes/index.js';

/**
 * The API end to end, in process (`fastify.inject`), on every test backend: the procurement
 * walk-through with the right of first refusal, deadlines on a clock the test moves, validation,
 * idempotency, optimistic concurrency, deliveries, and the service endpoints.
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const T0 = new Date('2026-01-10T00:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
/** Opening a store can outlast vitest's 10 s hook default on a busy machine. */
const HOOK_TIMEOUT = 30_000;
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

interface Answer {
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

interface Harness {
  readonly store: TestStore;
  readonly app: App;
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

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly problems?: readonly { readonly path: string; readonly message: string }[];
    readonly requestId: string;
  };
}

interface OfferJson {
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

interface RequestJson {
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

interface PlanJson {
  readonly assignments: readonly {
    workload: string;
    pool: string;
    period: string;
    gpus: number;
  }[];
  readonly unmet: readonly { workload: string; period: string; gpus: number; reasons: string[] }[];
  readonly lateDeliveries?: readonly Record<string, unknown>[];
}

interface EventJson {
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

let example: Record<string, unknown>;
beforeAll(async () => {
  example = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
});

async function openHarness(backend: TestBackend): Promise<Harness> {
  const store = await backend.open();
  await store.db.transaction((tx) => replaceScenario(tx, structuredClone(example)));
  const token = (role: Role, providerId?: string) =>
    createToken(store.db, { role, ...(providerId ? { providerId } : {}) }, T0);
  const harness: Harness = {
    store,
    app: buildApp({ store, clock: () => Promise.resolve(harness.now), version: 'test' }),
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

const problemPaths = (answer: Answer) =>
  ((answer.json as ErrorBody).error.problems ?? []).map((problem) => problem.path);

const errorOf = (answer: Answer) => (answer.json as ErrorBody).error;

async function count(db: Queryable, table: PgTable): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(table);
  return row?.n ?? 0;
}

/** Everything a refused request must leave as it was: the scenario and the procurement tables. */
async function snapshot(db: Queryable): Promise<string> {
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

const REQUEST = {
  accelerator: 'vr200',
  gpus: 100_000,
  window: { from: '2029-01', to: '2030-12' },
  workloadClass: 'research',
  reason: 'research-2029 is short of GPUs',
} as const;

/** Every month from `from` to `to`, inclusive. */
function months(from: string, to: string): string[] {
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

for (const backend of testBackends()) {
  describe(`API on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(async () => {
      await h.app.fastify.close();
      await h.store.dispose();
    }, HOOK_TIMEOUT);

    /** Creates a request as the planner; returns it with its (first) offer. */
    async function request(body: object = REQUEST, headers: Record<string, string> = {}) {
      const answer = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body,
        headers,
      });
      expect(answer.status, answer.text).toBe(201);
      return answer.json as RequestJson;
    }

    /** Request → azure declines → stargate quote → award; returns the request and its pool. */
    async function procure(quote: { site: string; gpus: number; deliveryMonth: string }) {
      const created = await request({ ...REQUEST, gpus: quote.gpus });
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

    async function plan(solver: 'exact' | 'fast'): Promise<{ id: number; json: PlanJson }> {
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

    it('walks a request through the ROFR offer, its refusal, a quote and an award into a plan', async () => {
      // In the example the buildout serves research-2029 in full; research wanting more than
      // the buildout holds is what makes new capacity worth buying.
      const grown = await h.call('PATCH', '/v1/workloads/research-2029', {
        token: h.tokens.planner.secret,
        body: { gpus: 1_500_000 },
      });
      expect(grown.status, grown.text).toBe(200);
      const first = await plan('exact');
      const unmetBefore = new Map(
        first.json.unmet
          .filter((row) => row.workload === 'research-2029')
          .map((row) => [row.period, row.gpus]),
      );
      expect([...unmetBefore.keys()].sort()).toEqual(months('2029-01', '2030-12'));
      for (const gpus of unmetBefore.values()) expect(gpus).toBeGreaterThanOrEqual(100_000);

      // The request: the ROFR term binds new vr200 capacity, so it becomes an offer to azure.
      const created = await request(REQUEST, { 'x-request-id': 'walk-request' });
      expect(created).toMatchObject({ state: 'offered', gpus: 100_000, clearedGpus: 0 });
      expect(created.offers).toHaveLength(1);
      const offer = created.offers[0];
      if (!offer) throw new Error('no offer');
      expect(offer).toMatchObject({
        holder: 'azure',
        contract: 'msft-openai-2025',
        term: 'msft-rofr',
        gpus: 100_000,
        state: 'pending',
        createdAt: T0.toISOString(),
        deadline: later(T0, 30 * DAY).toISOString(),
      });

      // Each holder sees only the offers addressed to it, and not what the request is for.
      const azureOffers = await h.call('GET', '/v1/offers', { token: h.tokens.azure.secret });
      expect(azureOffers.status).toBe(200);
      const seen = azureOffers.json as OfferJson[];
      expect(seen.map((o) => o.id)).toEqual([offer.id]);
      expect(seen[0]?.requested).toEqual({
        id: created.id,
        accelerator: 'vr200',
        window: { from: '2029-01', to: '2030-12' },
      });
      const coreweaveOffers = await h.call('GET', '/v1/offers', {
        token: h.tokens.coreweave.secret,
      });
      expect(coreweaveOffers.json).toEqual([]);
      const notTheirs = await h.call('GET', `/v1/offers/${offer.id}`, {
        token: h.tokens.coreweave.secret,
      });
      expect(notTheirs.status).toBe(404);
      expect(errorOf(notTheirs).code).toBe('not_found');
      const notTheirsToDecline = await h.call('POST', `/v1/offers/${offer.id}/decline`, {
        token: h.tokens.coreweave.secret,
        body: {},
      });
      expect(notTheirsToDecline.status).toBe(404);

      // Before clearing, neither a quote nor an award of covered capacity is taken.
      const quote = {
        request: created.id,
        provider: 'stargate',
        site: 'lordstown',
        gpus: 100_000,
        pricePerGpuHour: '2.00',
        deliveryMonth: '2029-01',
      };
      const early = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: quote,
      });
      expect(early.status).toBe(409);
      expect(errorOf(early).message).toContain('msft-rofr');
      expect(errorOf(early).message).toContain('msft-openai-2025');
      // The API never lets such a quote exist, so one is planted behind its back: the award
      // must refuse it on its own.
      const [planted] = await h.store.db
        .insert(t.quotes)
        .values({
          requestId: created.id,
          providerId: 'stargate',
          siteId: 'lordstown',
          gpus: 100_000,
          pricePerGpuHour: '2.00',
          deliveryMonth: '2029-01',
          createdAt: T0,
          createdBy: 'test',
        })
        .returning();
      if (!planted) throw new Error('no quote');
      const earlyAward = await h.call('POST', '/v1/awards', {
        token: h.tokens.planner.secret,
        body: { quote: planted.id },
      });
      expect(earlyAward.status).toBe(409);
      expect(errorOf(earlyAward).message).toContain('msft-rofr');
      expect(errorOf(earlyAward).message).toContain('msft-openai-2025');
      expect(await count(h.store.db, t.pools)).toBe((example['pools'] as unknown[]).length);
      await h.store.db.delete(t.quotes).where(eq(t.quotes.id, planted.id));

      // Azure declines two days later: the request is cleared for other providers.
      h.now = later(T0, 2 * DAY);
      const declined = await h.call('POST', `/v1/offers/${offer.id}/decline`, {
        token: h.tokens.azure.secret,
        body: { note: 'no vr200 to spare' },
      });
      expect(declined.status, declined.text).toBe(200);
      expect(declined.json).toMatchObject({
        state: 'declined',
        acceptedGpus: 0,
        respondedAt: h.now.toISOString(),
      });
      const cleared = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.viewer.secret,
      });
      expect(cleared.json).toMatchObject({ state: 'cleared', clearedGpus: 100_000 });

      h.now = later(T0, 3 * DAY);
      const quoted = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: quote,
      });
      expect(quoted.status, quoted.text).toBe(201);
      const quoteId = (quoted.json as { id: number }).id;
      const awarded = await h.call('POST', '/v1/awards', {
        token: h.tokens.planner.secret,
        body: { quote: quoteId },
      });
      expect(awarded.status, awarded.text).toBe(201);
      const poolId = `req-${created.id}-stargate`;
      expect(awarded.json).toMatchObject({ request: created.id, quote: quoteId, pool: poolId });
      const pool = await h.call('GET', `/v1/pools/${poolId}`, { token: h.tokens.viewer.secret });
      expect(pool.status).toBe(200);
      expect(pool.json).toEqual({
        id: poolId,
        provider: 'stargate',
        site: 'lordstown',
        accelerator: 'vr200',
        gpus: 100_000,
        window: { from: '2029-01', to: '2030-12' },
        pricePerGpuHour: '2.00',
        origin: 'new',
        rofr: 'cleared',
      });
      const again = await h.call('POST', '/v1/awards', {
        token: h.tokens.planner.secret,
        body: { quote: quoteId },
      });
      expect(again.status).toBe(409);
      expect(errorOf(again).message).toContain('already awarded');

      // The next plan uses the new pool in full: at $2.00 it is the cheapest capacity there is,
      // and research-2029 still wants more than it holds.
      const second = await plan('exact');
      const onPool = new Map<string, number>();
      for (const row of second.json.assignments) {
        if (row.pool === poolId) onPool.set(row.period, (onPool.get(row.period) ?? 0) + row.gpus);
      }
      expect([...onPool.keys()].sort()).toEqual(months('2029-01', '2030-12'));
      for (const gpus of onPool.values()) expect(gpus).toBe(100_000);
      expect(
        second.json.assignments.some(
          (row) => row.pool === poolId && row.workload === 'research-2029',
        ),
      ).toBe(true);

      const diff = await h.call('GET', `/v1/plans/${first.id}/diff/${second.id}`, {
        token: h.tokens.viewer.secret,
      });
      expect(diff.status).toBe(200);
      const moved = diff.json as {
        a: number;
        b: number;
        objective: { totalUSD: { change: number } };
        providers: { provider: string; gpuMonths: { a: number; b: number } }[];
        unmet: { workload: string; gpuMonths: { change: number } }[];
        moved: { workload: string; pool: string; gpuMonths: { a: number; b: number } }[];
      };
      expect(moved).toMatchObject({ a: first.id, b: second.id });
      expect(moved.objective.totalUSD.change).toBeLessThan(0);
      const newPoolRows = moved.moved.filter((row) => row.pool === poolId);
      expect(newPoolRows.reduce((sum, row) => sum + row.gpuMonths.b, 0)).toBe(24 * 100_000);
      expect(newPoolRows.every((row) => row.gpuMonths.a === 0)).toBe(true);
      expect(
        moved.unmet.find((row) => row.workload === 'research-2029')?.gpuMonths.change,
      ).toBeLessThan(0);

      // The request's whole history, in order.
      const detail = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.planner.secret,
      });
      const final = detail.json as RequestJson;
      expect(final).toMatchObject({ state: 'awarded', clearedGpus: 0 });
      expect(final.awards).toMatchObject([{ quote: quoteId, pool: poolId }]);
      expect(final.quotes.map((q) => q.id)).toEqual([quoteId]);
      expect(final.offers.map((o) => o.state)).toEqual(['declined']);
      expect(final.history.map((event) => event.action)).toEqual([
        'request.create',
        'offer.create',
        'offer.decline',
        'request.clear',
        'quote.create',
        'award.create',
        'request.award',
      ]);
      expect(final.history.map((event) => event.at)).toEqual([
        T0.toISOString(),
        T0.toISOString(),
        later(T0, 2 * DAY).toISOString(),
        later(T0, 2 * DAY).toISOString(),
        later(T0, 3 * DAY).toISOString(),
        later(T0, 3 * DAY).toISOString(),
        later(T0, 3 * DAY).toISOString(),
      ]);
      expect(final.history[2]?.actor).toBe(`holder:azure/${h.tokens.azure.id}`);
      expect(final.history[0]?.actor).toBe(`planner/${h.tokens.planner.id}`);

      // The procured pool belongs to a request now: the scenario is no longer replaced whole.
      const replace = await h.call('PUT', '/v1/scenario', {
        token: h.tokens.admin.secret,
        body: example,
      });
      expect(replace.status).toBe(409);
      expect(
        (await h.call('GET', `/v1/pools/${poolId}`, { token: h.tokens.viewer.secret })).status,
      ).toBe(200);
    });

    it("turns a plan's unmet demand into requests, one per workload", async () => {
      const grown = await h.call('PATCH', '/v1/workloads/research-2029', {
        token: h.tokens.planner.secret,
        body: { gpus: 1_500_000 },
      });
      expect(grown.status).toBe(200);
      const made = await plan('fast');
      const unmet = made.json.unmet.filter((row) => row.workload === 'research-2029');
      expect(unmet.length).toBeGreaterThan(0);
      const periods = unmet.map((row) => row.period).sort();

      const wrongAccelerator = await h.call('POST', `/v1/plans/${made.id}/requests`, {
        token: h.tokens.planner.secret,
        body: { workloads: ['research-2029'], accelerator: 'tpu9' },
      });
      expect(wrongAccelerator.status).toBe(400);
      expect(problemPaths(wrongAccelerator)).toEqual(['body.accelerator']);
      const served = made.json.unmet.some((row) => row.workload === 'chatgpt-2029');
      expect(served).toBe(false);
      const nothingUnmet = await h.call('POST', `/v1/plans/${made.id}/requests`, {
        token: h.tokens.planner.secret,
        body: { workloads: ['chatgpt-2029'] },
      });
      expect(nothingUnmet.status).toBe(400);
      expect(problemPaths(nothingUnmet)).toEqual(['body.workloads']);
      expect(await count(h.store.db, t.requests)).toBe(0);

      const created = await h.call('POST', `/v1/plans/${made.id}/requests`, {
        token: h.tokens.planner.secret,
        body: { workloads: ['research-2029'], accelerator: 'vr200' },
      });
      expect(created.status, created.text).toBe(201);
      const { requests } = created.json as { requests: number[] };
      expect(requests).toHaveLength(1);
      const detail = await h.call('GET', `/v1/requests/${requests[0] ?? 0}`, {
        token: h.tokens.planner.secret,
      });
      expect(detail.json).toMatchObject({
        state: 'offered',
        accelerator: 'vr200',
        gpus: Math.max(...unmet.map((row) => row.gpus)),
        window: { from: periods[0], to: periods[periods.length - 1] },
        workloadClass: 'research',
        plan: made.id,
        workload: 'research-2029',
      });
      expect((detail.json as RequestJson).offers.map((offer) => offer.holder)).toEqual(['azure']);
    });

    it('lets the holder take part of an offer: a pool of the holder, the rest cleared', async () => {
      const created = await request();
      const offer = created.offers[0];
      if (!offer) throw new Error('no offer');
      const before = await snapshot(h.store.db);
      const tooMuch = await h.call('POST', `/v1/offers/${offer.id}/accept`, {
        token: h.tokens.azure.secret,
        body: { gpus: 100_001, pricePerGpuHour: '3.80', deliveryMonth: '2028-12' },
      });
      expect(tooMuch.status).toBe(400);
      expect(problemPaths(tooMuch)).toEqual(['body.deliveryMonth', 'body.gpus']);
      expect(await snapshot(h.store.db)).toBe(before);

      // The pool is the holder's: a site of another provider is a bad answer, like a bad quote.
      const foreignSite = await h.call('POST', `/v1/offers/${offer.id}/accept`, {
        token: h.tokens.azure.secret,
        body: { gpus: 40_000, pricePerGpuHour: '3.80', site: 'abilene' },
      });
      expect(foreignSite.status).toBe(400);
      expect(problemPaths(foreignSite)).toEqual(['body.site']);
      expect(errorOf(foreignSite).problems?.[0]?.message).toBe(
        "expected one of azure's sites, got abilene",
      );
      expect(await snapshot(h.store.db)).toBe(before);

      const accepted = await h.call('POST', `/v1/offers/${offer.id}/accept`, {
        token: h.tokens.azure.secret,
        body: { gpus: 40_000, pricePerGpuHour: '3.80', deliveryMonth: '2029-03' },
      });
      expect(accepted.status, accepted.text).toBe(200);
      const poolId = `req-${created.id}-azure`;
      expect(accepted.json).toMatchObject({
        state: 'accepted',
        acceptedGpus: 40_000,
        pricePerGpuHour: '3.80',
        deliveryMonth: '2029-03',
        pool: poolId,
      });
      const pool = await h.call('GET', `/v1/pools/${poolId}`, { token: h.tokens.planner.secret });
      expect(pool.json).toEqual({
        id: poolId,
        provider: 'azure',
        accelerator: 'vr200',
        gpus: 40_000,
        window: { from: '2029-03', to: '2030-12' },
        pricePerGpuHour: '3.80',
        origin: 'new',
        rofr: 'cleared',
      });
      const detail = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.planner.secret,
      });
      expect(detail.json).toMatchObject({ state: 'cleared', clearedGpus: 60_000 });

      // Answered once: a second answer is refused. The rest is open to others, not to azure.
      const twice = await h.call('POST', `/v1/offers/${offer.id}/decline`, {
        token: h.tokens.azure.secret,
        body: {},
      });
      expect(twice.status).toBe(409);
      const quote = {
        request: created.id,
        provider: 'stargate',
        site: 'abilene',
        pricePerGpuHour: '2.10',
        deliveryMonth: '2029-01',
      };
      const over = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: { ...quote, gpus: 60_001 },
      });
      expect(over.status).toBe(400);
      expect(problemPaths(over)).toEqual(['body.gpus']);
      const byHolder = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: { ...quote, provider: 'azure', site: 'azure-us-central', gpus: 60_000 },
      });
      expect(byHolder.status).toBe(409);
      const rest = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: { ...quote, gpus: 60_000 },
      });
      expect(rest.status, rest.text).toBe(201);
    });

    it('lapses an offer at its deadline exactly once, on the test clock', async () => {
      const created = await request();
      const offer = created.offers[0];
      if (!offer) throw new Error('no offer');
      const deadline = later(T0, 30 * DAY);
      expect(offer.deadline).toBe(deadline.toISOString());

      h.now = later(deadline, -1);
      const pending = await h.call('GET', `/v1/offers/${offer.id}`, {
        token: h.tokens.azure.secret,
      });
      expect(pending.json).toMatchObject({ state: 'pending' });
      expect(await h.app.sweep()).toBe(0);

      // Several requests arrive after the deadline at once; the first to sweep lapses it.
      h.now = later(deadline, 3_600_000);
      const reads = await Promise.all([
        h.call('GET', '/v1/offers', { token: h.tokens.planner.secret }),
        h.call('GET', `/v1/offers/${offer.id}`, { token: h.tokens.azure.secret }),
        h.call('GET', '/v1/requests', { token: h.tokens.viewer.secret }),
        h.call('GET', `/v1/requests/${created.id}`, { token: h.tokens.planner.secret }),
      ]);
      expect(reads.map((read) => read.status)).toEqual([200, 200, 200, 200]);
      expect(reads[1]?.json).toMatchObject({
        state: 'lapsed',
        acceptedGpus: 0,
        respondedAt: deadline.toISOString(),
      });
      expect(await h.app.sweep()).toBe(0);
      const byState = await h.call('GET', '/v1/offers?state=lapsed', {
        token: h.tokens.viewer.secret,
      });
      expect((byState.json as OfferJson[]).map((o) => o.id)).toEqual([offer.id]);
      const stillPending = await h.call('GET', '/v1/offers?state=pending', {
        token: h.tokens.viewer.secret,
      });
      expect(stillPending.json).toEqual([]);
      const detail = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.planner.secret,
      });
      const lapsed = detail.json as RequestJson;
      expect(lapsed).toMatchObject({ state: 'cleared', clearedGpus: 100_000 });
      expect(lapsed.history.map((event) => event.action)).toEqual([
        'request.create',
        'offer.create',
        'offer.lapse',
        'request.clear',
      ]);
      expect(lapsed.history[2]).toMatchObject({
        at: deadline.toISOString(),
        actor: 'system:deadline',
      });
      const events = await h.call('GET', '/v1/events?entityType=request', {
        token: h.tokens.planner.secret,
      });
      expect((events.json as EventJson[]).filter((e) => e.action === 'offer.lapse')).toHaveLength(
        1,
      );
      const metrics = await h.call('GET', '/metrics');
      expect(metrics.text).toMatch(/^stargate_offers_lapsed_total 1$/m);

      // Too late to accept; nothing changes.
      const before = await snapshot(h.store.db);
      const late = await h.call('POST', `/v1/offers/${offer.id}/accept`, {
        token: h.tokens.azure.secret,
        body: { pricePerGpuHour: '3.80' },
      });
      expect(late.status).toBe(409);
      expect(errorOf(late).message).toContain('lapsed');
      expect(await snapshot(h.store.db)).toBe(before);
      const pool = await h.call('GET', `/v1/pools/req-${created.id}-azure`, {
        token: h.tokens.planner.secret,
      });
      expect(pool.status).toBe(404);
    });

    it('refuses invalid bodies with every problem and its path, writing nothing', async () => {
      await request();
      const before = await snapshot(h.store.db);
      const invalid = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: {
          accelerator: 'vr200',
          gpus: -5,
          window: { from: '2029-13', to: '2029-01' },
          workloadClass: '',
          colour: 'blue',
        },
        headers: { 'x-request-id': 'bad-body' },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.json).toMatchObject({
        error: { code: 'invalid_request', requestId: 'bad-body' },
      });
      expect(problemPaths(invalid)).toEqual([
        'body.colour',
        'body.gpus',
        'body.reason',
        'body.window.from',
        'body.workloadClass',
      ]);
      for (const problem of errorOf(invalid).problems ?? []) expect(problem.message).not.toBe('');

      const reversed = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: { ...REQUEST, window: { from: '2030-01', to: '2029-01' } },
      });
      expect(reversed.status).toBe(400);
      expect(problemPaths(reversed)).toEqual(['body.window.to']);
      const unknown = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: { ...REQUEST, accelerator: 'tpu9' },
      });
      expect(unknown.status).toBe(400);
      expect(problemPaths(unknown)).toEqual(['body.accelerator']);
      const quote = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: { request: 'one', provider: 'Not An Id', gpus: 1.5, deliveryMonth: 'soon' },
      });
      expect(quote.status).toBe(400);
      expect(problemPaths(quote)).toEqual([
        'body.deliveryMonth',
        'body.gpus',
        'body.pricePerGpuHour',
        'body.provider',
        'body.request',
      ]);
      const params = await h.call('GET', '/v1/requests/zero', { token: h.tokens.planner.secret });
      expect(params.status).toBe(400);
      expect(problemPaths(params)).toEqual(['params.id']);

      // Not JSON at all: our error shape, no stack trace.
      const malformed = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        raw: '{"accelerator": "vr200", ',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      const error = errorOf(malformed);
      expect(Object.keys(malformed.json as object)).toEqual(['error']);
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'requestId']);
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/^body: /);
      expect(malformed.text).not.toMatch(/\bat .*\.(js|ts):\d+|stack|node_modules/);
      // A key twice: JSON.parse would keep the second quietly; we refuse the body.
      const repeated = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        raw: JSON.stringify(REQUEST).replace('{', '{"gpus": 1, '),
        headers: { 'content-type': 'application/json' },
      });
      expect(repeated.status).toBe(400);
      expect(errorOf(repeated).message).toBe('body: a key appears twice in one object; keep one');
      // And prototype poisoning stays refused, as Fastify's own parser refuses it.
      const poisoned = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        raw: JSON.stringify(REQUEST).replace('{', '{"__proto__": {"admin": true}, '),
        headers: { 'content-type': 'application/json' },
      });
      expect(poisoned.status).toBe(400);
      const wrongType = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        raw: 'accelerator=vr200',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(wrongType.status).toBe(415);
      expect(errorOf(wrongType).message).toBe('expected Content-Type: application/json');

      expect(await snapshot(h.store.db)).toBe(before);
    });

    it('never stores a token secret for an Idempotency-Key, and reads no body before auth', async () => {
      const key = { 'idempotency-key': 'token-1' };
      const body = { role: 'holder', provider: 'azure' };
      const first = await h.call('POST', '/v1/tokens', {
        token: h.tokens.admin.secret,
        body,
        headers: key,
      });
      const second = await h.call('POST', '/v1/tokens', {
        token: h.tokens.admin.secret,
        body,
        headers: key,
      });
      expect([first.status, second.status]).toEqual([201, 201]);
      const secrets = [first, second].map((a) => (a.json as { token: string }).token);
      expect(secrets[0]).not.toBe(secrets[1]);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(await count(h.store.db, t.idempotencyKeys)).toBe(0);
      // An unauthenticated 2 MiB body is refused for the missing token, not parsed and measured.
      const big = await h.call('POST', '/v1/requests', {
        raw: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(big.status).toBe(401);
      const bigAuthed = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        raw: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(bigAuthed.status).toBe(413);
      expect((bigAuthed.json as ErrorBody).error.code).toBe('invalid_request');
    });

    it('acts once per Idempotency-Key and refuses the key for a different body', async () => {
      const key = { 'idempotency-key': 'request-2029-research' };
      const first = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: REQUEST,
        headers: key,
      });
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const events = await count(h.store.db, t.events);
      const replay = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: REQUEST,
        headers: key,
      });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json).toEqual(first.json);
      expect(await count(h.store.db, t.requests)).toBe(1);
      expect(await count(h.store.db, t.offers)).toBe(1);
      expect(await count(h.store.db, t.events)).toBe(events);

      const before = await snapshot(h.store.db);
      const reused = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: { ...REQUEST, gpus: 1 },
        headers: key,
      });
      expect(reused.status).toBe(422);
      expect(errorOf(reused).code).toBe('idempotency_key_reused');
      expect(await snapshot(h.store.db)).toBe(before);

      // A retry racing the first attempt waits for it, then replays it.
      const raceKey = { 'idempotency-key': 'raced' };
      const raced = await Promise.all(
        [1, 2].map(() =>
          h.call('POST', '/v1/requests', {
            token: h.tokens.planner.secret,
            body: { ...REQUEST, gpus: 7 },
            headers: raceKey,
          }),
        ),
      );
      expect(raced.map((answer) => answer.status)).toEqual([201, 201]);
      expect(raced[0]?.json).toEqual(raced[1]?.json);
      expect(
        raced.filter((answer) => answer.headers['idempotent-replayed'] === 'true'),
      ).toHaveLength(1);
      expect(await count(h.store.db, t.requests)).toBe(2);
      const badKey = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: REQUEST,
        headers: { 'idempotency-key': 'has spaces in it' },
      });
      expect(badKey.status).toBe(400);
      expect(await count(h.store.db, t.requests)).toBe(2);

      // Keys belong to a token: another caller's same key is a request of its own.
      const other = await h.call('POST', '/v1/requests', {
        token: h.tokens.admin.secret,
        body: REQUEST,
        headers: key,
      });
      expect(other.status).toBe(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(await count(h.store.db, t.requests)).toBe(3);

      // A refused first attempt leaves its key unused: the retry acts once it can.
      const { id } = first.json as RequestJson;
      const quote = {
        request: id,
        provider: 'stargate',
        gpus: 1000,
        pricePerGpuHour: '2.00',
        deliveryMonth: '2029-01',
      };
      const quoteKey = { 'idempotency-key': 'quote-1' };
      const early = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: quote,
        headers: quoteKey,
      });
      expect(early.status).toBe(409);
      const offer = (first.json as RequestJson).offers[0];
      const declined = await h.call('POST', `/v1/offers/${offer?.id ?? 0}/decline`, {
        token: h.tokens.azure.secret,
        body: {},
      });
      expect(declined.status).toBe(200);
      const retried = await h.call('POST', '/v1/quotes', {
        token: h.tokens.planner.secret,
        body: quote,
        headers: quoteKey,
      });
      expect(retried.status).toBe(201);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
    });

    it('awards a request once when two awards race for it', async () => {
      const created = await request();
      const offer = created.offers[0];
      const declined = await h.call('POST', `/v1/offers/${offer?.id ?? 0}/decline`, {
        token: h.tokens.azure.secret,
        body: {},
      });
      expect(declined.status).toBe(200);
      const quotes: number[] = [];
      for (const [provider, site] of [
        ['stargate', 'abilene'],
        ['coreweave', 'coreweave-us'],
      ] as const) {
        const quoted = await h.call('POST', '/v1/quotes', {
          token: h.tokens.planner.secret,
          body: {
            request: created.id,
            provider,
            site,
            gpus: 100_000,
            pricePerGpuHour: '2.50',
            deliveryMonth: '2029-01',
          },
        });
        expect(quoted.status, quoted.text).toBe(201);
        quotes.push((quoted.json as { id: number }).id);
      }
      const answers = await Promise.all(
        quotes.map((quote) =>
          h.call('POST', '/v1/awards', { token: h.tokens.planner.secret, body: { quote } }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
      expect(await count(h.store.db, t.awards)).toBe(1);
      const procured = await h.store.db
        .select({ id: t.pools.id })
        .from(t.pools)
        .where(eq(t.pools.requestId, created.id));
      expect(procured).toHaveLength(1);
      const detail = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.planner.secret,
      });
      expect(detail.json).toMatchObject({ state: 'awarded', awards: [{ pool: procured[0]?.id }] });
    });

    it('leaves the rest of a request open after an award of part; the award of the rest closes it', async () => {
      const created = await request();
      const declined = await h.call('POST', `/v1/offers/${created.offers[0]?.id ?? 0}/decline`, {
        token: h.tokens.azure.secret,
        body: {},
      });
      expect(declined.status).toBe(200);
      const quote = async (provider: string, site: string, gpus: number) => {
        const quoted = await h.call('POST', '/v1/quotes', {
          token: h.tokens.planner.secret,
          body: {
            request: created.id,
            provider,
            site,
            gpus,
            pricePerGpuHour: '2.50',
            deliveryMonth: '2029-01',
          },
        });
        expect(quoted.status, quoted.text).toBe(201);
        return (quoted.json as { id: number }).id;
      };
      const award = (quote: number) =>
        h.call('POST', '/v1/awards', { token: h.tokens.planner.secret, body: { quote } });
      const detail = async () =>
        (await h.call('GET', `/v1/requests/${created.id}`, { token: h.tokens.viewer.secret }))
          .json as RequestJson;

      const stargate = await quote('stargate', 'abilene', 60_000);
      const oversized = await quote('coreweave', 'coreweave-us', 60_000);
      const first = await award(stargate);
      expect(first.status, first.text).toBe(201);
      const firstId = (first.json as { id: number }).id;
      const stargatePool = `req-${created.id}-stargate`;
      const partly = await detail();
      expect(partly).toMatchObject({ state: 'cleared', clearedGpus: 40_000 });
      expect(partly.awards).toMatchObject([{ id: firstId, quote: stargate, pool: stargatePool }]);
      expect(partly.history.map((event) => event.action).slice(-2)).toEqual([
        'quote.create',
        'award.create',
      ]);

      // Refused awards leave everything as it was.
      const stargateAgain = await quote('stargate', 'milam', 10_000);
      const before = await snapshot(h.store.db);
      const tooBig = await award(oversized);
      expect(tooBig.status).toBe(409);
      expect(errorOf(tooBig).message).toBe(
        `quote ${oversized} offers 60000 GPUs; request ${created.id} has 40000 open`,
      );
      const twice = await award(stargateAgain);
      expect(twice.status).toBe(409);
      expect(errorOf(twice).message).toContain(`stargate already has award ${firstId}`);
      expect(errorOf(twice).message).toContain(`pool ${stargatePool}`);
      expect(await snapshot(h.store.db)).toBe(before);

      const rest = await award(await quote('coreweave', 'coreweave-us', 40_000));
      expect(rest.status, rest.text).toBe(201);
      const closed = await detail();
      expect(closed).toMatchObject({ state: 'awarded', clearedGpus: 0 });
      expect(closed.awards.map((row) => row.pool)).toEqual([
        stargatePool,
        `req-${created.id}-coreweave`,
      ]);
      expect(closed.history.map((event) => event.action).slice(-3)).toEqual([
        'quote.create',
        'award.create',
        'request.award',
      ]);
    });

    it('guards entity edits with If-Match and refuses changes that break the scenario', async () => {
      const read = await h.call('GET', '/v1/pools/azure-h100', { token: h.tokens.viewer.secret });
      expect(read.status).toBe(200);
      expect(read.headers['etag']).toBe('"1"');
      expect(read.json).toMatchObject({ id: 'azure-h100', gpus: 250_000 });

      const patched = await h.call('PATCH', '/v1/pools/azure-h100', {
        token: h.tokens.planner.secret,
        body: { gpus: 240_000 },
        headers: { 'if-match': '"1"', 'x-request-id': 'shrink-h100' },
      });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.headers['etag']).toBe('"2"');
      expect(patched.json).toMatchObject({ id: 'azure-h100', gpus: 240_000, provider: 'azure' });

      const stale = await h.call('PATCH', '/v1/pools/azure-h100', {
        token: h.tokens.planner.secret,
        body: { gpus: 230_000 },
        headers: { 'if-match': '"1"' },
      });
      expect(stale.status).toBe(412);
      expect(errorOf(stale).code).toBe('precondition_failed');
      const kept = await h.call('GET', '/v1/pools/azure-h100', { token: h.tokens.viewer.secret });
      expect(kept.headers['etag']).toBe('"2"');
      expect(kept.json).toMatchObject({ gpus: 240_000 });

      const before = await snapshot(h.store.db);
      const dangling = await h.call('PATCH', '/v1/pools/azure-h100', {
        token: h.tokens.planner.secret,
        body: { provider: 'nowhere' },
        headers: { 'if-match': '"2"' },
      });
      expect(dangling.status).toBe(409);
      expect(errorOf(dangling).code).toBe('conflict');
      expect(
        errorOf(dangling)
          .problems?.map((p) => p.message)
          .join('\n'),
      ).toContain('unknown provider nowhere');
      const referenced = await h.call('DELETE', '/v1/providers/coreweave', {
        token: h.tokens.admin.secret,
      });
      expect(referenced.status).toBe(409);
      expect(
        errorOf(referenced)
          .problems?.map((p) => p.message)
          .join('\n'),
      ).toContain('unknown provider coreweave');
      expect(await snapshot(h.store.db)).toBe(before);
      const still = await h.call('GET', '/v1/pools/azure-h100', { token: h.tokens.viewer.secret });
      expect(still.headers['etag']).toBe('"2"');
      expect(still.json).toMatchObject({ provider: 'azure', gpus: 240_000 });

      // The audit log has the one change that was made: who, what, before and after.
      const events = await h.call('GET', '/v1/events?entityType=pool&entityId=azure-h100', {
        token: h.tokens.planner.secret,
      });
      expect(events.status).toBe(200);
      const log = events.json as EventJson[];
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        action: 'pools.update',
        actor: `planner/${h.tokens.planner.id}`,
        requestId: 'shrink-h100',
        before: { gpus: 250_000 },
        after: { gpus: 240_000 },
      });
    });

    it('tracks late deliveries, plans on what arrived, and refuses over-delivery', async () => {
      // Research wants more than there is, so the late pool's shortfall shows as unmet demand.
      const grown = await h.call('PATCH', '/v1/workloads/research-2029', {
        token: h.tokens.planner.secret,
        body: { gpus: 1_500_000 },
      });
      expect(grown.status).toBe(200);
      h.now = new Date('2029-03-15T12:00:00.000Z');
      const { request: created, pool } = await procure({
        site: 'abilene',
        gpus: 50_000,
        deliveryMonth: '2029-02',
      });
      expect(pool).toBe(`req-${created.id}-stargate`);
      const operator = await createToken(
        h.store.db,
        { role: 'operator', siteIds: ['abilene'] },
        h.now,
      );
      const elsewhere = await createToken(
        h.store.db,
        { role: 'operator', siteIds: ['lordstown'] },
        h.now,
      );
      const late = {
        pool,
        provider: 'stargate',
        site: 'abilene',
        request: created.id,
        source: 'manual',
        promisedGpus: 50_000,
        promisedBy: '2029-02',
        deliveredGpus: 0,
        shortGpus: 50_000,
        monthsLate: 2,
      };
      const listed = await h.call('GET', '/v1/procurement/late', {
        token: h.tokens.planner.secret,
      });
      expect(listed.json).toEqual([late]);
      const forOperator = await h.call('GET', '/v1/procurement/late', { token: operator.secret });
      expect(forOperator.json).toEqual([late]);
      const forOther = await h.call('GET', '/v1/procurement/late', { token: elsewhere.secret });
      expect(forOther.json).toEqual([]);

      const planned = await plan('fast');
      expect(planned.json.lateDeliveries).toEqual([late]);
      expect(planned.json.assignments.some((row) => row.pool === pool)).toBe(false);
      const march = planned.json.unmet.find(
        (row) => row.workload === 'research-2029' && row.period === '2029-03',
      );
      expect(march?.reasons.join('\n')).toContain(
        `pool ${pool} of stargate is late: 0 of 50000 GPUs promised by 2029-02 delivered (request ${created.id})`,
      );
      // The API may not use new stargate capacity (use-restriction new-capacity-use), so the
      // late pool is no reason for its unmet demand.
      const api = planned.json.unmet.find(
        (row) => row.workload === 'api-2029' && row.period === '2029-03',
      );
      expect(api).toBeDefined();
      expect(api?.reasons.join('\n')).not.toContain(pool);

      const notTheirs = await h.call('POST', '/v1/deliveries', {
        token: elsewhere.secret,
        body: { pool, month: '2029-03', gpus: 20_000 },
      });
      expect(notTheirs.status).toBe(404);
      const part = await h.call('POST', '/v1/deliveries', {
        token: operator.secret,
        body: { pool, month: '2029-03', gpus: 20_000 },
      });
      expect(part.status, part.text).toBe(201);
      expect(part.json).toMatchObject({ pool, month: '2029-03', gpus: 20_000 });
      const partly = await h.call('GET', '/v1/procurement/late', {
        token: h.tokens.viewer.secret,
      });
      expect(partly.json).toEqual([{ ...late, deliveredGpus: 20_000, shortGpus: 30_000 }]);

      const before = await snapshot(h.store.db);
      const over = await h.call('POST', '/v1/deliveries', {
        token: h.tokens.planner.secret,
        body: { pool, month: '2029-03', gpus: 30_001 },
      });
      expect(over.status).toBe(400);
      expect(problemPaths(over)).toEqual(['body.gpus']);
      const notProcured = await h.call('POST', '/v1/deliveries', {
        token: h.tokens.planner.secret,
        body: { pool: 'azure-h100', month: '2029-03', gpus: 1 },
      });
      expect(notProcured.status).toBe(409);
      expect(await snapshot(h.store.db)).toBe(before);

      const rest = await h.call('POST', '/v1/deliveries', {
        token: h.tokens.planner.secret,
        body: { pool, month: '2029-03', gpus: 30_000 },
      });
      expect(rest.status).toBe(201);
      const none = await h.call('GET', '/v1/procurement/late', { token: h.tokens.planner.secret });
      expect(none.json).toEqual([]);
      const beyond = await h.call('POST', '/v1/deliveries', {
        token: h.tokens.planner.secret,
        body: { pool, month: '2029-03', gpus: 1 },
      });
      expect(beyond.status).toBe(400);
      expect(problemPaths(beyond)).toEqual(['body.gpus']);
      const early = await h.call('POST', '/v1/deliveries', {
        token: h.tokens.planner.secret,
        body: { pool, month: '2029-04', gpus: 1 },
      });
      expect(problemPaths(early)).toEqual(['body.gpus', 'body.month']);
      const deliveries = await h.call('GET', `/v1/deliveries?pool=${pool}`, {
        token: operator.secret,
      });
      expect((deliveries.json as { gpus: number }[]).map((d) => d.gpus)).toEqual([20_000, 30_000]);
      const hidden = await h.call('GET', '/v1/deliveries', { token: elsewhere.secret });
      expect(hidden.json).toEqual([]);

      // The award and the deliveries refer to the pool: it stays while they do.
      const beforeDelete = await snapshot(h.store.db);
      const removed = await h.call('DELETE', `/v1/pools/${pool}`, {
        token: h.tokens.admin.secret,
      });
      expect(removed.status).toBe(409);
      expect(errorOf(removed).message).toContain(`request ${created.id}`);
      // Nor is it edited: its GPUs are what was promised, against which deliveries count.
      const shrunk = await h.call('PATCH', `/v1/pools/${pool}`, {
        token: h.tokens.admin.secret,
        body: { gpus: 1 },
      });
      expect(shrunk.status).toBe(409);
      expect(errorOf(shrunk).message).toContain('cannot be changed');
      expect(await snapshot(h.store.db)).toBe(beforeDelete);
    });

    it('serves health, readiness, metrics, the OpenAPI document and the docs', async () => {
      const health = await h.call('GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.json).toEqual({ status: 'ok' });
      const ready = await h.call('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({ status: 'ready', store: backend.name });

      await h.call('GET', '/v1/pools/azure-h100', { token: h.tokens.viewer.secret });
      await h.call('GET', '/v1/pools/azure-h100', { token: h.tokens.viewer.secret });
      await h.call('GET', '/v1/pools/azure-h100');
      const metrics = await h.call('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(String(metrics.headers['content-type'])).toMatch(/^text\/plain/);
      expect(metrics.text).toContain('# TYPE stargate_http_requests_total counter');
      expect(metrics.text).toContain(
        'stargate_http_requests_total{method="GET",route="/v1/pools/:id",status="200"} 2',
      );
      expect(metrics.text).toContain(
        'stargate_http_requests_total{method="GET",route="/v1/pools/:id",status="401"} 1',
      );
      expect(metrics.text).toMatch(
        /^stargate_http_request_duration_seconds_count\{method="GET",route="\/v1\/pools\/:id"\} 3$/m,
      );

      const openapi = await h.call('GET', '/openapi.json');
      expect(openapi.status).toBe(200);
      const document = openapi.json as {
        openapi: string;
        paths: Record<string, Record<string, { description: string }>>;
      };
      expect(document.openapi).toBe('3.1.0');
      const routes = allRoutes();
      for (const route of routes) {
        const operation = document.paths[route.path]?.[route.method.toLowerCase()];
        expect(operation, `${route.method} ${route.path}`).toBeDefined();
        expect(operation?.description).toContain(`Roles: ${route.roles.join(', ')}.`);
      }
      const operations = Object.values(document.paths).flatMap((ops) => Object.keys(ops));
      expect(operations).toHaveLength(routes.length);

      const docs = await h.call('GET', '/docs');
      expect(docs.status).toBe(200);
      expect(String(docs.headers['content-type'])).toMatch(/^text\/html/);
      expect(docs.text).toContain('/v1/offers/{id}/accept');

      const missing = await h.call('GET', '/v1/nothing-here', { token: h.tokens.admin.secret });
      expect(missing.status).toBe(404);
      expect(errorOf(missing).code).toBe('not_found');
    });

    it('keeps an audit log of who did what, readable by planners only', async () => {
      const created = await request(REQUEST, { 'x-request-id': 'audit-1' });
      const events = await h.call('GET', '/v1/events', { token: h.tokens.planner.secret });
      expect(events.status).toBe(200);
      const log = (events.json as EventJson[]).filter((event) => event.requestId === 'audit-1');
      expect(log.map((event) => event.action)).toEqual(['request.create', 'offer.create']);
      expect(log[0]).toMatchObject({
        at: T0.toISOString(),
        actor: `planner/${h.tokens.planner.id}`,
        entityType: 'request',
        entityId: String(created.id),
        before: null,
        after: { id: created.id, state: 'offered', gpus: 100_000, reason: REQUEST.reason },
      });
      const cursor = log[0]?.id ?? 0;
      const after = await h.call('GET', `/v1/events?after=${cursor}&limit=1`, {
        token: h.tokens.planner.secret,
      });
      expect((after.json as EventJson[]).map((event) => event.action)).toEqual(['offer.create']);
      const viewer = await h.call('GET', '/v1/events', { token: h.tokens.viewer.secret });
      expect(viewer.status).toBe(403);
    });
  });
}
