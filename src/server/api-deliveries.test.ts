import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToken } from '../store/tokens.js';
import type { Harness } from '../test-support/api-harness.js';
import {
  closeHarness,
  errorOf,
  HOOK_TIMEOUT,
  openHarness,
  plan,
  problemPaths,
  procure,
  snapshot,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Deliveries: late pools, plans on what arrived, over-delivery refused, end to end in process on
 * every test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API deliveries on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

    it('tracks late deliveries, plans on what arrived, and refuses over-delivery', async () => {
      // Research wants more than there is, so the late pool's shortfall shows as unmet demand.
      const grown = await h.call('PATCH', '/v1/workloads/research-2029', {
        token: h.tokens.planner.secret,
        body: { gpus: 1_500_000 },
      });
      expect(grown.status).toBe(200);
      h.now = new Date('2029-03-15T12:00:00.000Z');
      const { request: created, pool } = await procure(h, {
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

      const planned = await plan(h, 'fast');
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
  });
}
