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
import type { ledgerToJson } from '../core/ledger/ledger-json.js';
import type { planOverviewBody, planWorkloadBody, planWorkloadsBody } from './routes/plans.js';
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
type Overview = ReturnType<typeof planOverviewBody>;
type LedgerJson = ReturnType<typeof ledgerToJson>;
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
      "gives a plan's overview: headline, cost by provider and quarter, the most unmet workloads",
      async () => {
        const app = open();
        const planned = await call(app, 'planner', '/v1/plans', { solver: 'fast' });
        const id = (planned.json as { id: number }).id;
        const stored = await call(app, 'viewer', `/v1/plans/${id}`);
        const document = stored.json as PlanJson;

        const answer = await call(app, 'viewer', `/v1/plans/${id}/summary`);
        expect(answer.status, answer.text).toBe(200);
        const body = answer.json as Overview;
        expect(body.plan).toEqual(planned.json);
        expect(body.objective).toEqual(document.objective);
        expect(body.bound).toEqual(document.bound);
        expect(body.solver).toEqual(document.solver);
        expect(body.commitments).toEqual(document.commitments);
        // A few kB, where the plan is hundreds.
        expect(answer.text.length).toBeLessThan(stored.text.length / 10);

        // Quarters: the cost adds up to the plan's compute, provider by provider.
        const providers = [...new Set(document.byProvider.map((row) => row.provider))].sort();
        expect([...new Set(body.byProvider.map((row) => row.provider))].sort()).toEqual(providers);
        for (const provider of providers) {
          const cents = (rows: readonly { provider: string; computeUSD: number }[]) =>
            total(
              rows
                .filter((row) => row.provider === provider)
                .map((row) => Math.round(row.computeUSD * 100)),
            );
          expect(cents(body.byProvider), provider).toBe(cents(document.byProvider));
        }
        expect(body.byProvider.every((row) => /^\d{4}-Q[1-4]$/.test(row.quarter))).toBe(true);
        // Each quarter's GPUs: the mean over the plan's months in it; a provider with no row in
        // a month (its first pool not yet online) has none that month.
        const quarterOf = (period: string) =>
          `${period.slice(0, 4)}-Q${Math.ceil(Number(period.slice(5, 7)) / 3)}`;
        for (const row of body.byProvider) {
          const months = new Set(
            document.byProvider
              .map((month) => month.period)
              .filter((period) => quarterOf(period) === row.quarter),
          ).size;
          const inQuarter = document.byProvider.filter(
            (month) => month.provider === row.provider && quarterOf(month.period) === row.quarter,
          );
          expect(row.months, `${row.provider} ${row.quarter}`).toBe(months);
          expect(row.gpus).toBeCloseTo(total(inQuarter.map((m) => m.gpus)) / months, 2);
          expect(row.capacityGpus).toBeCloseTo(
            total(inQuarter.map((m) => m.capacityGpus)) / months,
            2,
          );
        }

        // Unmet demand: the document's in all, and its workloads, most unmet first.
        expect(body.unmet.gpuMonths).toBe(total(document.unmet.map((row) => row.gpus)));
        const unmetBy = new Map<string, number>();
        for (const row of document.unmet)
          unmetBy.set(row.workload, (unmetBy.get(row.workload) ?? 0) + row.gpus);
        expect(body.unmet.workloads).toBe(unmetBy.size);
        expect(body.unmet.top.length).toBe(Math.min(10, unmetBy.size));
        const most = [...unmetBy].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        expect(body.unmet.top.map((row) => [row.workload, row.unmetGpuMonths])).toEqual(
          most.slice(0, 10),
        );
        const pretrain = body.unmet.top.find((row) => row.workload === 'pretrain-2029');
        expect(pretrain?.class).toBe('training');
        const pretrainMonths = document.unmet
          .filter((row) => row.workload === 'pretrain-2029')
          .map((row) => row.period)
          .sort();
        expect(pretrain?.unmetRange).toEqual({
          from: pretrainMonths[0],
          to: pretrainMonths[pretrainMonths.length - 1],
        });
        // The clause that kept it out, not the first reason given (a gang's size).
        expect(pretrain?.reason).toMatch(/term \S+ of \S+/);

        // From the cache; a server that never saw the plan computes the same body.
        expect((await call(app, 'admin', `/v1/plans/${id}/summary`)).text).toBe(answer.text);
        expect((await call(open(), 'planner', `/v1/plans/${id}/summary`)).text).toBe(answer.text);

        const unknown = await call(app, 'viewer', `/v1/plans/${id + 1}/summary`);
        expect(unknown.status).toBe(404);
        expect(unknown.text).toContain(`plan ${id + 1}`);
        for (const role of ['funder', 'holder', 'operator'] as const) {
          expect((await call(app, role, `/v1/plans/${id}/summary`)).status, role).toBe(403);
        }
      },
      TIMEOUT,
    );

    it(
      'leaves the journal out of the books when asked, and only then',
      async () => {
        const app = open();
        expect((await call(app, 'planner', '/v1/plans', { solver: 'fast' })).status).toBe(201);
        const whole = await call(app, 'funder', '/v1/ledger?by=quarter');
        expect(whole.status, whole.text).toBe(200);
        const ledger = whole.json as LedgerJson;
        expect(ledger.transactions.length).toBeGreaterThan(0);
        expect((await call(app, 'funder', '/v1/ledger?by=quarter&journal=true')).text).toBe(
          whole.text,
        );

        const light = await call(app, 'funder', '/v1/ledger?by=quarter&journal=false');
        expect(light.status, light.text).toBe(200);
        const { transactions, ...report } = ledger;
        expect(transactions.length).toBe(ledger.totals.transactions);
        expect(light.json).toEqual(report);
        expect(light.text.length).toBeLessThan(whole.text.length / 5);

        const bad = await call(app, 'funder', '/v1/ledger?journal=no');
        expect(bad.status).toBe(400);
        expect(bad.text).toContain('expected true or false');
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
          '/v1/plans/{id}/summary',
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
