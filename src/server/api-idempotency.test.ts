import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as t from '../store/schema.js';
import type { ErrorBody, Harness, RequestJson } from '../test-support/api-harness.js';
import {
  closeHarness,
  count,
  errorOf,
  HOOK_TIMEOUT,
  openHarness,
  REQUEST,
  snapshot,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Idempotency keys: one action per key, replays, races, and never a stored secret, end to end in
 * process on every test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API idempotency on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

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
  });
}
