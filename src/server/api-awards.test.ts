import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as t from '../store/schema.js';
import type { Harness, RequestJson } from '../test-support/api-harness.js';
import {
  closeHarness,
  count,
  errorOf,
  HOOK_TIMEOUT,
  openHarness,
  request,
  snapshot,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Awards: one award when two race, and awards of part of a request, end to end in process on every
 * test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API awards on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

    it('awards a request once when two awards race for it', async () => {
      const created = await request(h);
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
      const created = await request(h);
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
  });
}
