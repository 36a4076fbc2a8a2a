import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventJson, Harness, OfferJson, RequestJson } from '../test-support/api-harness.js';
import {
  closeHarness,
  DAY,
  errorOf,
  HOOK_TIMEOUT,
  later,
  openHarness,
  problemPaths,
  request,
  snapshot,
  T0,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Offers: a holder's partial acceptance, and deadlines that lapse on a clock the test moves, end
 * to end in process on every test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API offers on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

    it('lets the holder take part of an offer: a pool of the holder, the rest cleared', async () => {
      const created = await request(h);
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
      const created = await request(h);
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
  });
}
