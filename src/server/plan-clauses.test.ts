import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import { dedent } from '../test-support/unit-scenarios.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/** `GET /v1/plans/{id}/clauses`, in process, on a one-month scenario priced by hand. */

const NOW = new Date('2026-01-10T00:00:00.000Z');
const TIMEOUT = 60_000;

// azure $3 (100 GPUs), oracle $1 (200); api must run on azure; a $300,000 azure commitment.
// Base: api on azure $223,200 + train on oracle $74,400 + shortfall $76,800.
const DOCUMENT = parse(
  dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: clauses-api }
  horizon: { start: 2026-01, end: 2026-01 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: oracle, name: Oracle, kind: partner }
  pools:
    - { id: az, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
    - { id: oci, provider: oracle, accelerator: h100, gpus: 200, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
  workloads:
    - { id: api, class: api, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
    - { id: train, class: training, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
  contracts:
    - id: msft
      parties: [openai, microsoft]
      effective: { from: 2025-01, to: 2030-12 }
      terms:
        - { id: excl, type: exclusivity, classes: [api], provider: azure }
        - { id: commit, type: commitment, provider: azure, minSpendUSD: 300000, window: { from: 2026-01, to: 2026-12 } }
        - { id: words, type: note, text: Not enforced. }
`),
) as Record<string, unknown>;

interface Priced {
  plan: number;
  base: { totalUSD: number };
  solves: number;
  singles: { terms: string[]; priceUSD: number; verdict: string; intervalUSD: object }[];
  pairs: { terms: string[]; priceUSD: number; interactionUSD: number; providers: object[] }[];
  ledgerTerms: { key: string; type: string }[];
}

for (const backend of testBackends()) {
  describe(`GET /v1/plans/{id}/clauses on ${backend.name}`, () => {
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
    /** Asks until the prices are ready: 202 while they are computed, then the answer. */
    const priced = async (url: string) => {
      for (let attempt = 0; attempt < 240; attempt++) {
        const answer = await call('viewer', 'GET', url);
        if (answer.status !== 202) return { ...answer, attempts: attempt + 1 };
        expect(JSON.parse(answer.text)).toEqual({
          plan: Number(/plans\/(\d+)/.exec(url)?.[1]),
          status: 'computing',
        });
        expect(answer.retryAfter).toBe('2');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${url} still computing after 60 s`);
    };

    beforeEach(async () => {
      store = await backend.open();
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(DOCUMENT)));
      for (const role of ['planner', 'viewer'] as const) {
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
      'prices each term and the pair of a stored plan in the background, then from its cache',
      async () => {
        const made = await call('planner', 'POST', '/v1/plans', { solver: 'exact' });
        expect(made.status, made.text).toBe(201);
        const id = (JSON.parse(made.text) as { id: number }).id;
        const first = await priced(`/v1/plans/${id}/clauses`);
        expect(first.status, first.text).toBe(200);
        // The first request starts the re-solves and answers at once.
        expect(first.attempts).toBeGreaterThan(1);
        const body = JSON.parse(first.text) as Priced;
        expect(body.plan).toBe(id);
        expect(body.base.totalUSD).toBe(374_400);
        expect(body.solves).toBe(3);
        expect(body.singles.map((s) => [s.terms.join(), s.priceUSD, s.verdict])).toEqual([
          ['msft/excl', 0, 'nothing'],
          ['msft/commit', 76_800, 'costs'],
        ]);
        // Together: api goes to oracle, azure loses its compute and the shortfall.
        expect(body.pairs.map((p) => [p.terms.join(), p.priceUSD, p.interactionUSD])).toEqual([
          ['msft/excl,msft/commit', 225_600, 148_800],
        ]);
        expect(body.pairs[0]?.providers).toEqual([
          { provider: 'oracle', computeUSD: 74_400, shortfallUSD: 0, totalUSD: 74_400 },
          { provider: 'azure', computeUSD: -223_200, shortfallUSD: -76_800, totalUSD: -300_000 },
        ]);
        expect(body.ledgerTerms).toEqual([{ key: 'msft/words', type: 'note' }]);

        const again = await call('viewer', 'GET', `/v1/plans/${id}/clauses`);
        expect(again.status).toBe(200);
        expect(again.text).toBe(first.text);
        const singles = JSON.parse(
          (await priced(`/v1/plans/${id}/clauses?pairs=none`)).text,
        ) as Priced;
        expect(singles.pairs).toEqual([]);
        expect(singles.solves).toBe(2);
      },
      TIMEOUT,
    );

    it(
      'refuses an unknown plan, a bad pairs value and a holder',
      async () => {
        expect((await call('viewer', 'GET', '/v1/plans/99/clauses')).status).toBe(404);
        const bad = await call('viewer', 'GET', '/v1/plans/1/clauses?pairs=some');
        expect(bad.status).toBe(400);
        expect(bad.text).toContain('expected all or none');
        expect((await call('holder', 'GET', '/v1/plans/1/clauses')).status).toBe(403);
      },
      TIMEOUT,
    );
  });
}
