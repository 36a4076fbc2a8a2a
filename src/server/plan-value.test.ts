import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import { quarterScenario } from '../test-support/unit-scenarios.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/** `GET /v1/plans/{id}/value`, in process, on the quarter `stargate value`'s test prices. */

const NOW = new Date('2026-01-10T00:00:00.000Z');
const TIMEOUT = 60_000;

// Azure 100 GPUs at $3; b1 (100 GPUs at $1) online in March; api needs 150 worth $5 an hour.
const DOCUMENT = parse(quarterScenario('value-api')) as Record<string, unknown>;

interface Valued {
  plan: number;
  base: { totalUSD: number };
  capacity: { pool: string; month: string; perGpuMonthUSD: number }[];
  buildings: { building: string; monthEarlier: { usd: number } | null; monthLate: null }[];
}

for (const backend of testBackends()) {
  describe(`GET /v1/plans/{id}/value on ${backend.name}`, () => {
    let store: TestStore;
    let app: App;
    const secrets = new Map<Role, string>();
    const call = async (role: Role, method: 'GET' | 'POST', url: string, payload?: object) => {
      const response = await app.fastify.inject({
        method,
        url,
        headers: { authorization: `Bearer ${secrets.get(role) ?? ''}` },
        ...(payload === undefined ? {} : { payload }),
      });
      return {
        status: response.statusCode,
        text: response.body,
        retryAfter: response.headers['retry-after'],
      };
    };
    /** Asks until the values are ready: 202 while they are computed, then the answer. */
    const valued = async (url: string, role: Role) => {
      for (let attempt = 0; attempt < 240; attempt++) {
        const answer = await call(role, 'GET', url);
        if (answer.status !== 202) return { ...answer, attempts: attempt + 1 };
        expect(answer.retryAfter).toBe('2');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${url} still computing after 60 s`);
    };

    beforeEach(async () => {
      store = await backend.open();
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(DOCUMENT)));
      for (const role of ['planner', 'viewer', 'funder'] as const) {
        secrets.set(role, (await createToken(store.db, { role }, NOW)).secret);
      }
      secrets.set(
        'holder',
        (await createToken(store.db, { role: 'holder', providerId: 'azure' }, NOW)).secret,
      );
      app = buildApp({ store, clock: () => Promise.resolve(NOW), version: 'test', webRoot: false });
    }, TIMEOUT);
    afterEach(async () => {
      await app.fastify.close();
      await store.dispose();
    }, TIMEOUT);

    it(
      "computes a stored plan's capacity values in the background, then from its cache",
      async () => {
        const made = await call('planner', 'POST', '/v1/plans', { solver: 'exact' });
        expect(made.status, made.text).toBe(201);
        const id = (JSON.parse(made.text) as { id: number }).id;
        const first = await valued(`/v1/plans/${id}/value`, 'funder');
        expect(first.status, first.text).toBe(200);
        expect(first.attempts).toBeGreaterThan(1);
        const body = JSON.parse(first.text) as Valued;
        expect(body.plan).toBe(id);
        expect(body.base.totalUSD).toBe(964_800);
        expect(body.capacity.map((r) => [r.pool, r.month, r.perGpuMonthUSD])).toEqual([
          ['az', '2026-01', 1488],
          ['b1', '2026-03', 1488],
          ['az', '2026-02', 1344],
          ['az', '2026-03', 0],
        ]);
        expect(body.buildings.map((b) => [b.building, b.monthEarlier?.usd, b.monthLate])).toEqual([
          ['b1', 201_600, null],
        ]);
        const again = await call('viewer', 'GET', `/v1/plans/${id}/value`);
        expect(again.status).toBe(200);
        expect(again.text).toBe(first.text);
      },
      TIMEOUT,
    );

    it(
      'refuses an unknown plan, a query and a holder',
      async () => {
        expect((await call('viewer', 'GET', '/v1/plans/99/value')).status).toBe(404);
        expect((await call('viewer', 'GET', '/v1/plans/1/value?top=3')).status).toBe(400);
        expect((await call('holder', 'GET', '/v1/plans/1/value')).status).toBe(403);
      },
      TIMEOUT,
    );
  });
}
