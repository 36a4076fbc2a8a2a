import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from '../test-support/api-harness.js';
import {
  closeHarness,
  errorOf,
  HOOK_TIMEOUT,
  openHarness,
  problemPaths,
  request,
  REQUEST,
  snapshot,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';

/**
 * Validation: every problem with its path, malformed and unwelcome bodies, nothing written, end to
 * end in process on every test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API validation on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

    it('refuses invalid bodies with every problem and its path, writing nothing', async () => {
      await request(h);
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
  });
}
