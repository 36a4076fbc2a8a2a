import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventJson, Harness } from '../test-support/api-harness.js';
import {
  closeHarness,
  HOOK_TIMEOUT,
  openHarness,
  request,
  REQUEST,
  T0,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * The audit log: who did what, readable by planners only, end to end in process on every test
 * backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API events on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

    it('keeps an audit log of who did what, readable by planners only', async () => {
      const created = await request(h, REQUEST, { 'x-request-id': 'audit-1' });
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
