import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runPlanTask } from '../solver/plan-task.js';
import { validateScenario } from '../scenario/parse.js';
import { replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { pgliteBackend, testBackends } from '../test-support/stores.js';
import { quarterScenario } from '../test-support/unit-scenarios.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/** `POST /v1/what-if` and `GET /v1/what-if/{id}`, in process. */

const NOW = new Date('2026-01-10T00:00:00.000Z');
const TIMEOUT = 60_000;

// Azure 100 GPUs at $3; b1 (100 GPUs at $1) online in March; api needs 150 worth $5 an hour.
const DOCUMENT = parse(quarterScenario('what-if-api')) as Record<string, unknown>;

interface Answer {
  totalUSD: number;
  lowerBoundUSD: number;
  gap: number;
  changeUSD: { value: number; low: number; high: number };
  diff: {
    objective: { totalUSD: { a: number; b: number } };
    moved: { workload: string; pool: string }[];
  };
}

interface Result {
  id: string;
  status: string;
  base: { plan: number; current: boolean };
  first: Answer;
  exact?: Answer;
}

for (const backend of testBackends()) {
  describe(`POST /v1/what-if on ${backend.name}`, () => {
    let store: TestStore;
    let app: App;
    const secrets = new Map<Role | 'planner2', string>();
    const call = async (
      who: Role | 'planner2',
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      payload?: object,
    ) => {
      const response = await app.fastify.inject({
        method,
        url,
        headers: { authorization: `Bearer ${secrets.get(who) ?? ''}` },
        ...(payload === undefined ? {} : { payload }),
      });
      return { status: response.statusCode, text: response.body };
    };
    /** What a what-if leaves behind in the store: it must be nothing. */
    const storeState = async () =>
      JSON.stringify([
        (await call('admin', 'GET', '/v1/scenario')).text,
        (await call('admin', 'GET', '/v1/plans')).text,
        (await call('admin', 'GET', '/v1/events')).text,
      ]);

    beforeEach(async () => {
      store = await backend.open();
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(DOCUMENT)));
      for (const role of ['admin', 'planner', 'viewer', 'funder'] as const) {
        secrets.set(role, (await createToken(store.db, { role }, NOW)).secret);
      }
      secrets.set('planner2', (await createToken(store.db, { role: 'planner' }, NOW)).secret);
      app = buildApp({ store, clock: () => Promise.resolve(NOW), version: 'test', webRoot: false });
    }, TIMEOUT);
    afterEach(async () => {
      await app.fastify.close();
      await store.dispose();
    }, TIMEOUT);

    it(
      'plans the stored scenario with the change, compares it with the latest plan, and stores nothing',
      async () => {
        const none = await call('planner', 'POST', '/v1/what-if', { patch: {} });
        expect(none.status, none.text).toBe(409);
        expect(none.text).toContain('POST /v1/plans');
        const made = await call('planner', 'POST', '/v1/plans', { solver: 'exact' });
        expect(made.status, made.text).toBe(201);
        const before = await storeState();

        // b1 a month earlier: February's 50 unmet GPUs go to it, and 50 of azure's move too.
        const patch = { buildings: [{ id: 'b1', online: '2026-02' }] };
        const asked = await call('planner2', 'POST', '/v1/what-if', { patch });
        expect(asked.status, asked.text).toBe(200);
        const body = JSON.parse(asked.text) as Result & { exact: { status: string; href: string } };
        expect(body.base).toMatchObject({ plan: 1, current: true });
        expect(body.first.diff.objective.totalUSD.a).toBe(964_800);

        // The true change, from a plan of the patched document made independently.
        const patched = structuredClone(DOCUMENT) as { buildings: { online: string }[] };
        const building = patched.buildings[0];
        if (building) building.online = '2026-02';
        const valid = validateScenario(patched);
        if (!valid.ok) throw new Error('the patched document is not valid');
        const optimum = await runPlanTask({ scenario: valid.scenario, planner: 'exact' });
        const truth = Number(optimum.objective.total) / 1e6 - 964_800;
        expect(truth).toBeLessThan(0);
        // The first answer's interval holds the true change.
        expect(body.first.changeUSD.low).toBeLessThanOrEqual(truth + 0.01);
        expect(body.first.changeUSD.high).toBeGreaterThanOrEqual(truth - 0.01);

        let result: Result | undefined;
        for (let attempt = 0; attempt < 200; attempt++) {
          const got = await call('planner2', 'GET', body.exact.href);
          expect(got.status, got.text).toBe(200);
          result = JSON.parse(got.text) as Result;
          if (result.status !== 'computing') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(result?.status).toBe('done');
        expect(result?.exact?.gap).toBe(0);
        expect(result?.exact?.changeUSD.value).toBeCloseTo(truth, 2);
        expect(result?.exact?.diff.moved.map((row) => row.pool).sort()).toContain('b1');

        // Only its caller may read it; nothing was stored.
        expect((await call('planner', 'GET', body.exact.href)).status).toBe(404);
        expect(await storeState()).toBe(before);
      },
      TIMEOUT,
    );

    it(
      'says when the stored scenario changed since the latest plan',
      async () => {
        expect((await call('planner', 'POST', '/v1/plans', { solver: 'exact' })).status).toBe(201);
        const changed = structuredClone(DOCUMENT) as { workloads: { gpus: number }[] };
        const workload = changed.workloads[0];
        if (workload) workload.gpus = 120;
        expect((await call('admin', 'PUT', '/v1/scenario', changed)).status).toBe(200);
        const asked = await call('planner', 'POST', '/v1/what-if', { patch: {} });
        expect(asked.status, asked.text).toBe(200);
        expect((JSON.parse(asked.text) as Result).base.current).toBe(false);
      },
      TIMEOUT,
    );

    it(
      'refuses a patch it cannot apply, or whose result is not valid, naming the path; changes nothing',
      async () => {
        expect((await call('planner', 'POST', '/v1/plans', { solver: 'exact' })).status).toBe(201);
        const before = await storeState();
        const cases: [object, string, string][] = [
          [
            { patch: { buildings: [{ online: '2026-02' }] } },
            'body.patch.buildings[0].id',
            'naming the building',
          ],
          [
            { patch: { buildings: [{ id: 'b9', $patch: 'delete' }] } },
            'body.patch.buildings[0].id',
            'no building "b9" to delete',
          ],
          [
            { patch: { buildings: [{ id: 'b1', online: '2026-13' }] } },
            'body.patch.buildings[0].online',
            '2026-13',
          ],
          [
            { patch: { pools: [{ id: 'az', pricePerGpuHour: -1 }] } },
            'body.patch.pools[0].pricePerGpuHour',
            '',
          ],
          [
            { patch: { workloads: [{ id: 'api', accelerators: ['tpu'] }] } },
            'body.patch.workloads[0].accelerators',
            'tpu',
          ],
          [{ patch: 'b1' }, 'body.patch', 'expected an object'],
          [{ patch: {}, extra: 1 }, 'body', 'extra'],
        ];
        for (const [payload, path, words] of cases) {
          const answer = await call('planner', 'POST', '/v1/what-if', payload);
          expect(answer.status, answer.text).toBe(400);
          const problems = (
            JSON.parse(answer.text) as { error: { problems: { path: string; message: string }[] } }
          ).error.problems;
          expect(
            problems.map((p) => p.path),
            answer.text,
          ).toContainEqual(expect.stringContaining(path));
          expect(problems.map((p) => `${p.path}: ${p.message}`).join('\n')).toContain(words);
        }
        expect(await storeState()).toBe(before);
      },
      TIMEOUT,
    );

    it(
      'is for those who plan: a viewer or a funder may not ask',
      async () => {
        expect((await call('funder', 'POST', '/v1/what-if', { patch: {} })).status).toBe(403);
        expect(
          (await call('funder', 'GET', '/v1/what-if/00000000-0000-4000-8000-000000000000')).status,
        ).toBe(403);
        expect((await call('viewer', 'POST', '/v1/what-if', { patch: {} })).status).toBe(403);
        const bad = await call('planner', 'GET', '/v1/what-if/nope');
        expect(bad.status).toBe(400);
      },
      TIMEOUT,
    );
  });
}

describe('exact what-if answers, bounded', () => {
  it(
    'gives a what-if past the bound its first answer only; within it, the exact one is computed',
    async () => {
      const store = await pgliteBackend.open();
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(DOCUMENT)));
      const secret = (await createToken(store.db, { role: 'planner' }, NOW)).secret;
      // 0: no exact answer at all, whatever runs (the bound's one test that needs no timing).
      const apps = [0, 1].map((exactAtOnce) =>
        buildApp({
          store,
          clock: () => Promise.resolve(NOW),
          version: 'test',
          webRoot: false,
          whatIfExactAtOnce: exactAtOnce,
        }),
      );
      const ask = async (app: App, method: 'GET' | 'POST', url: string, payload?: object) => {
        const response = await app.fastify.inject({
          method,
          url,
          headers: { authorization: `Bearer ${secret}` },
          ...(payload === undefined ? {} : { payload }),
        });
        expect(response.statusCode, response.body).toBeLessThan(300);
        return JSON.parse(response.body) as {
          status: string;
          error?: string;
          exact: { status: string; href: string };
        };
      };
      try {
        const [none, one] = apps as [App, App];
        await ask(none, 'POST', '/v1/plans', { solver: 'exact' });
        // b1 a month earlier: the first answer is not proven optimal (the test above).
        const patch = { buildings: [{ id: 'b1', online: '2026-02' }] };
        const skipped = await ask(none, 'POST', '/v1/what-if', { patch });
        expect(skipped.exact.status).toBe('skipped');
        const result = await ask(none, 'GET', skipped.exact.href);
        expect(result.status).toBe('skipped');
        expect(result.error).toBe(
          'no exact answer: this process already computes or has waiting 0 exact what-ifs, its most; ask again later',
        );
        const computing = await ask(one, 'POST', '/v1/what-if', { patch });
        expect(computing.exact.status).toBe('computing');
      } finally {
        for (const app of apps) await app.fastify.close();
        await store.dispose();
      }
    },
    TIMEOUT,
  );
});
