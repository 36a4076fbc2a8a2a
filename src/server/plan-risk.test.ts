import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bufferIo } from '../cli/io.js';
import { run } from '../cli/main.js';
import { replaceScenario } from '../store/scenario-store.js';
import * as t from '../store/schema.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import { FINANCE } from '../test-support/finance-scenario.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/**
 * `GET /v1/plans/{id}/risk`, in process, on the finance test scenario (two buildings that may
 * slip, slip correlation 0.3): the answer is `stargate risk`'s for the stored plan and its
 * scenario, run for run.
 */

const NOW = new Date('2026-01-10T00:00:00.000Z');
const TIMEOUT = 60_000;
const DOCUMENT = parse(FINANCE) as Record<string, unknown>;

for (const backend of testBackends()) {
  describe(`GET /v1/plans/{id}/risk on ${backend.name}`, () => {
    let store: TestStore;
    let app: App;
    let dir: string;
    const secrets = new Map<Role, string>();
    const call = async (role: Role, url: string) => {
      const response = await app.fastify.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${secrets.get(role) ?? ''}` },
      });
      return {
        status: response.statusCode,
        text: response.body,
        retryAfter: response.headers['retry-after'],
      };
    };
    /** Asks until the report is ready: 202 while it is computed, then the answer. */
    const computed = async (url: string, role: Role) => {
      for (let attempt = 0; attempt < 240; attempt++) {
        const answer = await call(role, url);
        if (answer.status !== 202) return { ...answer, attempts: attempt + 1 };
        expect(answer.retryAfter).toBe('2');
        expect(JSON.parse(answer.text)).toMatchObject({ status: 'computing' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${url} still computing after 24 s`);
    };

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'stargate-plan-risk-'));
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
      await rm(dir, { recursive: true, force: true });
    }, TIMEOUT);

    it(
      "answers stargate risk's report for the stored plan and its scenario, then from its cache",
      async () => {
        const made = await app.fastify.inject({
          method: 'POST',
          url: '/v1/plans',
          headers: { authorization: `Bearer ${secrets.get('planner') ?? ''}` },
          payload: { solver: 'exact' },
        });
        expect(made.statusCode, made.body).toBe(201);
        const id = (JSON.parse(made.body) as { id: number }).id;
        const url = `/v1/plans/${id}/risk?runs=300&seed=7`;
        const first = await computed(url, 'funder');
        expect(first.status, first.text).toBe(200);
        expect(first.attempts).toBeGreaterThan(1);
        const body = JSON.parse(first.text) as Record<string, unknown>;
        expect(body).toMatchObject({ plan: id, scenario: 'finance-test', runs: 300, seed: 7 });
        expect(body['correlation']).toBe(0.3);
        const byBuilding = body['byBuilding'] as { building: string }[];
        expect(byBuilding.map((b) => b.building).sort()).toEqual(['b1', 'b2']);

        // The CLI on the same plan and scenario, as a user would run it on `GET /v1/plans/{id}`
        // and the scenario stored with it.
        const [row] = await store.db
          .select({ scenario: t.plans.scenario, planJson: t.plans.planJson })
          .from(t.plans)
          .where(eq(t.plans.id, id));
        const scenarioFile = join(dir, 'scenario.json');
        const planFile = join(dir, 'plan.json');
        await writeFile(scenarioFile, JSON.stringify(row?.scenario));
        await writeFile(planFile, row?.planJson ?? '');
        const io = bufferIo();
        const argv = ['risk', scenarioFile, '--plan', planFile, '--runs', '300', '--seed', '7'];
        expect(await run([...argv, '--format', 'json'], io), io.stderr()).toBe(0);
        const cli = JSON.parse(io.stdout()) as Record<string, unknown>;
        expect(cli['plan']).toBe(planFile);
        expect(body).toEqual({ ...cli, plan: id });

        const again = await call('viewer', url);
        expect(again.status).toBe(200);
        expect(again.text).toBe(first.text);
        // Another seed is another report, computed anew.
        expect((await call('viewer', `/v1/plans/${id}/risk?runs=300&seed=8`)).status).toBe(202);
      },
      TIMEOUT,
    );

    it(
      'refuses an unknown plan, runs out of bounds, an unknown query and a holder',
      async () => {
        expect((await call('viewer', '/v1/plans/99/risk')).status).toBe(404);
        for (const query of ['runs=0', 'runs=20001', 'runs=1.5', 'seed=-1']) {
          const answer = await call('viewer', `/v1/plans/1/risk?${query}`);
          expect(answer.status, query).toBe(400);
          expect(answer.text, query).toContain(query.split('=')[0] ?? '');
        }
        expect((await call('viewer', '/v1/plans/1/risk?top=3')).status).toBe(400);
        expect((await call('holder', '/v1/plans/1/risk')).status).toBe(403);
      },
      TIMEOUT,
    );
  });
}
