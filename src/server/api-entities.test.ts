import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventJson, Harness } from '../test-support/api-harness.js';
import {
  closeHarness,
  errorOf,
  HOOK_TIMEOUT,
  openHarness,
  snapshot,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Scenario entities: optimistic concurrency (If-Match) and changes that break the scenario, end to
 * end in process on every test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API entities on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

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
  });
}
