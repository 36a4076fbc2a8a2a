import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from '../test-support/api-harness.js';
import { closeHarness, errorOf, HOOK_TIMEOUT, openHarness } from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';
import { allRoutes } from './routes/index.js';

/**
 * The service endpoints: health, readiness, metrics, the OpenAPI document and the docs, end to end
 * in process on every test backend (src/test-support/api-harness.ts).
 */

for (const backend of testBackends()) {
  describe(`API service endpoints on ${backend.name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await openHarness(backend);
    }, HOOK_TIMEOUT);
    afterEach(() => closeHarness(h), HOOK_TIMEOUT);

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
  });
}
