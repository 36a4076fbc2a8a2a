import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/**
 * Tokens that expire: made with `expiresInDays`, listed with their expiry, refused (401) on
 * the database's clock once it has passed, in every process, with nothing else to do.
 */
for (const backend of testBackends()) {
  describe(`token expiry on ${backend.name}`, () => {
    let store: TestStore;
    let app: App;
    let admin: string;
    beforeEach(async () => {
      store = await backend.open();
      // The database's clock, as a server runs: expiry is read against now().
      app = buildApp({ store, version: 'test', webRoot: false });
      admin = (await createToken(store.db, { role: 'admin' }, new Date())).secret;
    }, 60_000);
    afterEach(async () => {
      await app.fastify.close();
      await store.dispose();
    }, 60_000);
    const call = async (method: 'GET' | 'POST', url: string, token: string, payload?: object) => {
      const response = await app.fastify.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload }),
      });
      return { status: response.statusCode, json: JSON.parse(response.body) as unknown };
    };

    it('makes a token that lasts the days asked, then stops it', async () => {
      const made = await call('POST', '/v1/tokens', admin, { role: 'viewer', expiresInDays: 30 });
      expect(made.status).toBe(201);
      const body = made.json as { id: string; token: string; expiresAt: string };
      const days = (Date.parse(body.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThanOrEqual(30);
      expect((await call('GET', '/v1/me', body.token)).status).toBe(200);
      const listed = (await call('GET', '/v1/tokens', admin)).json as {
        tokenId: string;
        expiresAt?: string;
      }[];
      expect(listed.find((t) => t.tokenId === body.id)?.expiresAt).toBe(body.expiresAt);

      // Its expiry passes (moved into the past, as time would move it).
      await store.db.execute(
        sql`update tokens set expires_at = now() - interval '1 second' where id = ${body.id}`,
      );
      const refused = await call('GET', '/v1/me', body.token);
      expect(refused.status).toBe(401);
      expect(JSON.stringify(refused.json)).toContain('unknown, expired or revoked token');
      // A token without expiry goes on.
      expect((await call('GET', '/v1/me', admin)).status).toBe(200);
    });

    it('refuses an expiry that is not a number of days from above 0 to ten years', async () => {
      for (const expiresInDays of [0, -1, 3651, '30']) {
        const answer = await call('POST', '/v1/tokens', admin, { role: 'viewer', expiresInDays });
        expect(answer.status).toBe(400);
        expect(JSON.stringify(answer.json)).toContain('body.expiresInDays');
      }
    });
  });
}
