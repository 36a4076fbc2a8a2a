import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PlanJson } from '../core/planner/plan-json.js';
import { replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';
import type { planWorkloadBody, planWorkloadsBody } from './routes/plans.js';
import type { termsResponse } from './routes/terms.js';
import type { z } from 'zod';

/**
 * The routes the dashboard's plan and contracts pages read, end to end in process: the plan
 * per workload (`/v1/plans/{id}/workloads`, and one workload month by month) and every
 * contract term in words (`/v1/terms`).
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const NOW = new Date('2026-01-10T00:00:00.000Z');
/** Opening a store and planning the example can outlast vitest's 10 s default when busy. */
const TIMEOUT = 60_000;

type Workloads = ReturnType<typeof planWorkloadsBody>;
type Workload = ReturnType<typeof planWorkloadBody>;
type Terms = z.infer<typeof termsResponse>;

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

let example: Record<string, unknown>;
beforeAll(async () => {
  example = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
});

for (const backend of testBackends()) {
  describe(`dashboard routes on ${backend.name}`, () => {
    let store: TestStore;
    const apps: App[] = [];
    const secrets = new Map<Role, string>();

    const open = () => {
      const app = buildApp({
        store,
        clock: () => Promise.resolve(NOW),
        version: 'test',
        webRoot: false,
      });
      apps.push(app);
      return app;
    };

    async function call(app: App, role: Role, url: string, body?: object): Promise<Answer> {
      const response = await app.fastify.inject({
        method: body === undefined ? 'GET' : 'POST',
        url,
        headers: { authorization: `Bearer ${secrets.get(role) ?? ''}` },
        ...(body === undefined ? {} : { payload: body }),
      });
      return {
        status: response.statusCode,
        text: response.body,
        json: response.body === '' ? undefined : response.json<unknown>(),
      };
    }

    beforeEach(async () => {
      store = await backend.open();
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(example)));
      for (const role of ['admin', 'planner', 'viewer', 'funder', 'operator'] as const) {
        secrets.set(role, (await createToken(store.db, { role }, NOW)).secret);
      }
      secrets.set(
        'holder',
        (await createToken(store.db, { role: 'holder', providerId: 'azure' }, NOW)).secret,
      );
    }, TIMEOUT);
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.fastify.close();
      await store.dispose();
    }, TIMEOUT);

    it(
      'summarises a stored plan per workload, the same from cache as computed afresh',
      async () => {
        const app = open();
        const planned = await call(app, 'planner', '/v1/plans', { solver: 'fast' });
        expect(planned.status, planned.text).toBe(201);
        const id = (planned.json as { id: number }).id;

        const listed = await call(app, 'viewer', `/v1/plans/${id}/workloads`);
        expect(listed.status, listed.text).toBe(200);
        const body = listed.json as Workloads;
        expect(body.plan).toEqual(planned.json);

        const document = (await call(app, 'viewer', `/v1/plans/${id}`)).json as PlanJson;
        expect(body.objective).toEqual(document.objective);
        expect(body.workloads.map((row) => row.workload)).toEqual(
          (example['workloads'] as { id: string }[]).map((workload) => workload.id).sort(),
        );
        expect(total(body.workloads.map((row) => row.placedGpuMonths))).toBe(
          total(document.assignments.map((row) => row.gpus)),
        );
        expect(total(body.workloads.map((row) => row.unmetGpuMonths))).toBe(
          total(document.unmet.map((row) => row.gpus)),
        );
        // Each reason of the document once, and each row's reasons are its own.
        expect([...body.reasons].sort()).toEqual(
          [...new Set(document.unmet.flatMap((row) => row.reasons))].sort(),
        );
        const pretrain = body.workloads.find((row) => row.workload === 'pretrain-2029');
        expect(pretrain?.unmetGpuMonths).toBeGreaterThan(0);
        const ownReasons = new Set(
          document.unmet
            .filter((row) => row.workload === 'pretrain-2029')
            .flatMap((row) => row.reasons),
        );
        expect(pretrain?.reasons.map((index) => body.reasons[index])).toEqual([...ownReasons]);

        // Summarised as it was stored; a server that never saw it computes the same body.
        const again = await call(app, 'admin', `/v1/plans/${id}/workloads`);
        expect(again.text).toBe(listed.text);
        const fresh = await call(open(), 'viewer', `/v1/plans/${id}/workloads`);
        expect(fresh.text).toBe(listed.text);
      },
      TIMEOUT,
    );

    it(
      'gives one workload month by month with its reasons in words',
      async () => {
        const app = open();
        const planned = await call(app, 'planner', '/v1/plans', { solver: 'fast' });
        const id = (planned.json as { id: number }).id;
        const document = (await call(app, 'viewer', `/v1/plans/${id}`)).json as PlanJson;

        const answer = await call(app, 'viewer', `/v1/plans/${id}/workloads/pretrain-2029`);
        expect(answer.status, answer.text).toBe(200);
        const detail = answer.json as Workload;
        expect(detail.plan).toBe(id);
        expect(detail.workload).toBe('pretrain-2029');
        const unmetRows = document.unmet.filter((row) => row.workload === 'pretrain-2029');
        expect(total(detail.unmet.map((run) => run.gpus * months(run.from, run.to)))).toBe(
          total(unmetRows.map((row) => row.gpus)),
        );
        expect(detail.reasons.map((reason) => reason.text)).toEqual([
          ...new Set(unmetRows.flatMap((row) => row.reasons)),
        ]);
        expect(detail.reasons.some((reason) => /term \S+ of \S+/.test(reason.text))).toBe(true);
        const placed = document.assignments.filter((row) => row.workload === 'research-2029');
        const research = (await call(app, 'planner', `/v1/plans/${id}/workloads/research-2029`))
          .json as Workload;
        expect(
          total(
            research.pools.flatMap((pool) =>
              pool.runs.map((run) => run.gpus * months(run.from, run.to)),
            ),
          ),
        ).toBe(total(placed.map((row) => row.gpus)));

        const unknown = await call(app, 'viewer', `/v1/plans/${id}/workloads/no-such-work`);
        expect(unknown.status).toBe(404);
        expect(unknown.text).toContain('workload no-such-work');
        expect((await call(app, 'viewer', `/v1/plans/${id + 1}/workloads`)).status).toBe(404);
        expect((await call(app, 'viewer', `/v1/plans/${id + 1}/workloads/x`)).status).toBe(404);
      },
      TIMEOUT,
    );

    it(
      'keeps the plan per workload from funders, holders and operators',
      async () => {
        const app = open();
        const planned = await call(app, 'planner', '/v1/plans', { solver: 'fast' });
        const id = (planned.json as { id: number }).id;
        for (const role of ['funder', 'holder', 'operator'] as const) {
          expect((await call(app, role, `/v1/plans/${id}/workloads`)).status, role).toBe(403);
          expect((await call(app, role, '/v1/terms')).status, role).toBe(403);
        }
      },
      TIMEOUT,
    );

    it(
      'lists every contract term as a sentence with the pools and classes it touches',
      async () => {
        const answer = await call(open(), 'viewer', '/v1/terms');
        expect(answer.status, answer.text).toBe(200);
        const { contracts } = answer.json as Terms;
        expect(contracts.map((contract) => contract.contract)).toEqual([
          'msft-openai-2025',
          'stargate-jv',
        ]);
        const terms = contracts.flatMap((contract) => contract.terms);
        const rofr = terms.find((term) => term.term === 'msft-rofr');
        expect(rofr?.sentence).toContain('offered to azure');
        expect(rofr?.pools).toContain('abilene-b1');
        expect(rofr?.pools.some((pool) => pool.startsWith('azure'))).toBe(false);
        expect(terms.find((term) => term.term === 'api-on-azure')?.classes).toEqual(['api']);
        expect(terms.find((term) => term.term === 'azure-commitment')?.sentence).toContain(
          '$110.0B',
        );
        expect(
          terms.filter((term) => !term.shapesPlacement).map((term) => term.type),
        ).not.toContain('exclusivity');
      },
      TIMEOUT,
    );

    it(
      'documents both routes and their responses in the OpenAPI description',
      async () => {
        const response = await open().fastify.inject({ method: 'GET', url: '/openapi.json' });
        const paths = response.json<{
          paths: Record<
            string,
            Record<string, { responses: Record<string, { content?: unknown }> }>
          >;
        }>().paths;
        for (const path of [
          '/v1/terms',
          '/v1/plans/{id}/workloads',
          '/v1/plans/{id}/workloads/{workload}',
        ]) {
          expect(paths[path]?.['get']?.responses['200']?.content, path).toBeDefined();
        }
      },
      TIMEOUT,
    );
  });

  describe(`/v1/terms without a scenario on ${backend.name}`, () => {
    it(
      'answers 409 and says how to import one',
      async () => {
        const store = await backend.open();
        const app = buildApp({
          store,
          clock: () => Promise.resolve(NOW),
          version: 'test',
          webRoot: false,
        });
        try {
          const { secret } = await createToken(store.db, { role: 'viewer' }, NOW);
          const response = await app.fastify.inject({
            method: 'GET',
            url: '/v1/terms',
            headers: { authorization: `Bearer ${secret}` },
          });
          expect(response.statusCode).toBe(409);
          expect(response.body).toContain('no scenario');
        } finally {
          await app.fastify.close();
          await store.dispose();
        }
      },
      TIMEOUT,
    );
  });
}

const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);

/** Months from `from` to `to` inclusive, both `YYYY-MM`. */
function months(from: string, to: string): number {
  const [fy = 0, fm = 0] = from.split('-').map(Number);
  const [ty = 0, tm = 0] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm) + 1;
}
