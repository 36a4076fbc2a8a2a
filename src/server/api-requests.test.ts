import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as t from '../store/schema.js';
import type { Harness, OfferJson, RequestJson } from '../test-support/api-harness.js';
import {
  closeHarness,
  count,
  DAY,
  errorOf,
  HOOK_TIMEOUT,
  later,
  months,
  openHarness,
  plan,
  problemPaths,
  request,
  REQUEST,
  snapshot,
  T0,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Requests: the procurement walk-through with the right of first refusal, requests from a plan,
 * and the answer to a new request, end to end in process on every test backend
 * (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API requests on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

    it('walks a request through the ROFR offer, its refusal, a quote and an award into a plan', async () => {
      // In the example the buildout serves research-2029 in full; research wanting more than
      // the buildout holds is what makes new capacity worth buying.
      const grown = await h.call('PATCH', '/v1/workloads/research-2029', {
        token: h.tokens.planner.secret,
        body: { gpus: 1_500_000 },
      });
      expect(grown.status, grown.text).toBe(200);
      const first = await plan(h, 'exact');
      const unmetBefore = new Map(
        first.json.unmet
          .filter((row) => row.workload === 'research-2029')
          .map((row) => [row.period, row.gpus]),
      );
      expect([...unmetBefore.keys()].sort()).toEqual(months('2029-01', '2030-12'));
      for (const gpus of unmetBefore.values()) expect(gpus).toBeGreaterThanOrEqual(100_000);

      // The request: the ROFR term binds new vr200 capacity, so it becomes an offer to azure.
      const created = await request(h, REQUEST, { 'x-request-id': 'walk-request' });
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
      expect(await count(h.store.db, t.pools)).toBe((h.example['pools'] as unknown[]).length);
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
      const second = await plan(h, 'exact');
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
        body: h.example,
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
      const made = await plan(h, 'fast');
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

    it('answers a new request with the history that creating it wrote', async () => {
      const created = await request(h);
      const actor = `planner/${h.tokens.planner.id}`;
      expect(created.history).toMatchObject([
        {
          at: T0.toISOString(),
          actor,
          action: 'request.create',
          after: { id: created.id, state: 'offered', gpus: 100_000 },
        },
        {
          at: T0.toISOString(),
          actor,
          action: 'offer.create',
          after: { request: created.id, holder: 'azure' },
        },
      ]);
      // The answer is the request as it committed: a read afterwards sees the same.
      const read = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.planner.secret,
      });
      expect(read.json).toEqual(created);
    });

    it('answers a request no right of first refusal binds as it committed: cleared at once', async () => {
      // The Microsoft contract (and its right of first refusal) ended before the request's window.
      const shortened = await h.call('PATCH', '/v1/contracts/msft-openai-2025', {
        token: h.tokens.planner.secret,
        body: { effective: { from: '2025-01', to: '2028-12' } },
      });
      expect(shortened.status, shortened.text).toBe(200);
      const created = await request(h);
      expect(created).toMatchObject({ state: 'cleared', clearedGpus: 100_000, offers: [] });
      expect(created.history.map((event) => event.action)).toEqual([
        'request.create',
        'request.clear',
      ]);
      const read = await h.call('GET', `/v1/requests/${created.id}`, {
        token: h.tokens.planner.secret,
      });
      expect(read.json).toEqual(created);
    });

    it('refuses an unknown accelerator and a window outside the horizon at once, changing nothing', async () => {
      const before = await snapshot(h.store.db);
      const refused = await h.call('POST', '/v1/requests', {
        token: h.tokens.planner.secret,
        body: { ...REQUEST, accelerator: 'tpu-v9', window: { from: '2041-01', to: '2041-06' } },
      });
      expect(refused.status).toBe(400);
      expect(problemPaths(refused)).toEqual(['body.accelerator', 'body.window']);
      expect(JSON.stringify(errorOf(refused).problems)).toContain('unknown accelerator tpu-v9');
      expect(await snapshot(h.store.db)).toBe(before);
    });
  });
}
