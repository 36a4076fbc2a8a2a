import { randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { PlanJsonDiff } from '../../core/diff/plan-json-diff.js';
import { diffPlanJson } from '../../core/diff/plan-json-diff.js';
import type { Plan } from '../../core/planner/plan.js';
import type { PlanJson } from '../../core/planner/plan-json.js';
import { planToJson } from '../../core/planner/plan-json.js';
import type { PlannerChoice } from '../../core/planner/planner.js';
import { applyMergePatch, locateProblem } from '../../scenario/merge-patch.js';
import { validateScenario } from '../../scenario/parse.js';
import { scenarioHash } from '../../scenario/scenario-hash.js';
import { sortProblems } from '../../scenario/problems.js';
import type { Scenario } from '../../core/model.js';
import type { PlanPool } from '../../solver/plan-pool.js';
import { createPlanPool } from '../../solver/plan-pool.js';
import { badRequest, notFound } from '../../store/errors.js';
import { ConflictProblems } from '../../store/scenario-store.js';
import * as t from '../../store/schema.js';
import type { Described } from '../described.js';
import { plannedScenario, readCurrentState } from '../planning.js';
import type { Route } from '../route.js';
import { route } from '../route.js';

/** Seconds the exact answer may take; the first answer is the fast planner's. */
const EXACT_TIME_LIMIT_SECONDS = 60;

/** How many what-ifs' exact answers a process keeps for `GET /v1/what-if/{id}`. */
const KEPT = 64;

/** Exact answers a process computes or has waiting at once, by default (`whatIfRoutes`). */
const EXACT_AT_ONCE = 4;

const change = z.object({ a: z.number(), b: z.number(), change: z.number() });
const gpuMonths = z.object({ gpuMonths: change });

/** `diffPlanJson`'s document, as `GET /v1/plans/{a}/diff/{b}` sends it. */
const planDiff = z.object({
  objective: z.object({
    totalUSD: change,
    computeUSD: change,
    shortfallUSD: change,
    unmetUSD: change,
  }),
  providers: z.array(gpuMonths.extend({ provider: z.string() })),
  commitments: z.array(z.object({ contract: z.string(), term: z.string(), shortfallUSD: change })),
  unmet: z.array(gpuMonths.extend({ workload: z.string() })),
  moved: z.array(gpuMonths.extend({ workload: z.string(), pool: z.string() })),
});

const answer = z.object({
  solver: z.object({ method: z.string(), status: z.string() }),
  totalUSD: z.number(),
  lowerBoundUSD: z.number(),
  gap: z.number().describe('(total − bound) / total of this answer’s plan'),
  changeUSD: z
    .object({ value: z.number(), low: z.number(), high: z.number() })
    .describe(
      'What-if total less the stored plan’s, with the interval where the change of the two optima lies (from both plans’ proven bounds)',
    ),
  diff: planDiff.describe(
    'Stored plan (a) against the what-if plan (b), as /v1/plans/{a}/diff/{b}',
  ),
});

const base = z.object({
  plan: z.number(),
  createdAt: z.string(),
  current: z
    .boolean()
    .describe(
      'False when the stored scenario changed since the plan was made: the diff then shows those changes too',
    ),
});

/** The schema of `POST /v1/what-if`. */
export const whatIfResponse = z.object({
  id: z.string().describe('Names this what-if in `GET /v1/what-if/{id}` and on the live stream'),
  base,
  first: answer.describe('The fast planner’s answer, with its proven gap'),
  exact: z
    .object({ status: z.enum(['computing', 'same', 'skipped']), href: z.string() })
    .describe(
      '`computing`: the exact answer follows (event `what-if` on /v1/stream, and GET href); `same`: the first answer is proven optimal; `skipped`: this process already computes or has waiting as many exact answers as it may, so there is none for this what-if (ask again later)',
    ),
});

/** The schema of `GET /v1/what-if/{id}`. */
export const whatIfResultResponse = z.object({
  id: z.string(),
  base,
  status: z.enum(['computing', 'done', 'failed', 'skipped']),
  first: answer,
  exact: answer.optional(),
  error: z.string().optional(),
});

type WhatIfResult = Described<typeof whatIfResultResponse>;
type Answer = Described<typeof answer>;

interface Kept {
  readonly tokenId: string;
  result: WhatIfResult;
}

/** The plan's answer to a what-if, beside the stored plan it is compared with. */
function answerOf(stored: PlanJson, plan: Plan): Answer {
  const json = planToJson(plan);
  const diff: PlanJsonDiff = diffPlanJson(stored, json);
  const round = (usd: number) => Math.round(usd * 100) / 100;
  return {
    solver: { method: json.solver.method, status: json.solver.status },
    totalUSD: json.objective.totalUSD,
    lowerBoundUSD: json.bound.lowerBoundUSD,
    gap: json.bound.gap,
    changeUSD: {
      value: round(json.objective.totalUSD - stored.objective.totalUSD),
      low: round(json.bound.lowerBoundUSD - stored.objective.totalUSD),
      high: round(json.objective.totalUSD - stored.bound.lowerBoundUSD),
    },
    diff,
  };
}

/**
 * `POST /v1/what-if` and `GET /v1/what-if/{id}`: the stored scenario with a change, planned
 * and compared with the latest stored plan, storing nothing. The store is read in the request's
 * transaction and planned after it commits, so a what-if never holds the store while it
 * solves. The first answer is the fast planner's on a worker thread kept warm for it; the
 * exact answer (`auto` as it plans to compare: exact up to 2,000 triples; on a second thread)
 * follows on the caller's live stream. A caller's newer what-if stops its older one's exact
 * solve: a panel that follows someone's typing wants the latest only.
 */
export function whatIfRoutes(exactAtOnce: number = EXACT_AT_ONCE): Route[] {
  let firstPool: PlanPool | undefined;
  let exactPool: PlanPool | undefined;
  const kept = new Map<string, Kept>();
  const running = new Map<string, AbortController>();
  /** The latest stored plan, parsed once: a large plan's JSON takes a while to parse. */
  let latest: { id: number; createdAt: string; json: PlanJson } | undefined;

  const keep = (id: string, entry: Kept) => {
    kept.set(id, entry);
    for (const old of kept.keys()) {
      if (kept.size <= KEPT) break;
      kept.delete(old);
    }
  };

  return [
    route({
      method: 'POST',
      path: '/v1/what-if',
      tag: 'plans',
      summary:
        'Plan the stored scenario with a change and compare it with the latest stored plan, storing nothing',
      description: `The body's \`patch\` is a merge patch of the scenario as \`GET /v1/scenario\` exports it (RFC 7396), except that lists of things with ids merge by \`id\`: \`{"buildings": [{"id": "lordstown-b1", "online": "2028-09"}]}\` moves one building; an item with a new id is added; \`{"id": …, "$patch": "delete"}\` removes one; \`null\` removes a field. Late deliveries cut pools as \`POST /v1/plans\` does. The answer is the fast planner's, with its proven gap and the interval of the cost change; the exact answer (${EXACT_TIME_LIMIT_SECONDS} s at most) follows as event \`what-if\` on the caller's /v1/stream and at \`GET /v1/what-if/{id}\` — unless this process already computes or has waiting as many exact answers as it may (default ${EXACT_AT_ONCE}), when \`exact.status\` is \`skipped\`. A patch that cannot be applied, or whose result is not a valid scenario, is 400 naming the path (in the patch where the patch set it); nothing is stored either way.`,
      roles: ['admin', 'planner'],
      async close() {
        for (const controller of running.values()) controller.abort();
        await Promise.all([firstPool?.close(), exactPool?.close()]);
      },
      body: z.object({ patch: z.unknown().describe('The change, as a merge patch') }).strict(),
      response: whatIfResponse,
      // Nothing is stored, and the answer is computed after the transaction: never replayed.
      idempotent: false,
      computesPlan: true,
      handler: async ({ tx, body, now, principal, tell }) => {
        const state = await readCurrentState(tx, now);
        const [row] = await tx
          .select({ id: t.plans.id, createdAt: t.plans.createdAt })
          .from(t.plans)
          .orderBy(desc(t.plans.id))
          .limit(1);
        if (!row) {
          throw new ConflictProblems('no stored plan to compare with', [
            { path: [], message: 'no plan yet: make one first (POST /v1/plans)' },
          ]);
        }
        if (latest?.id !== row.id) {
          const [stored] = await tx
            .select({ planJson: t.plans.planJson })
            .from(t.plans)
            .where(eq(t.plans.id, row.id));
          latest = {
            id: row.id,
            createdAt: row.createdAt.toISOString(),
            json: JSON.parse(stored?.planJson ?? '{}') as PlanJson,
          };
        }
        const stored = latest;
        return {
          body: undefined,
          afterCommit: async () => {
            const scenario = patchedScenario(state, body.patch);
            const baseInfo = {
              plan: stored.id,
              createdAt: stored.createdAt,
              current: stored.json.scenarioHash === scenarioHash(state.exported),
            };
            firstPool ??= createPlanPool({ threads: 1 });
            const first = answerOf(
              stored.json,
              await firstPool.plan({ scenario, planner: 'fast' }),
            );
            const id = randomUUID();
            const provenOptimal = first.gap === 0;
            const result: WhatIfResult = {
              id,
              base: baseInfo,
              status: provenOptimal ? 'done' : 'computing',
              first,
              ...(provenOptimal ? { exact: first } : {}),
            };
            const entry: Kept = { tokenId: principal.tokenId, result };
            keep(id, entry);
            // This caller's older exact solve is stale now, whatever this one needs.
            running.get(principal.tokenId)?.abort();
            running.delete(principal.tokenId);
            // Exact solves share one thread: past the bound, other callers' would make this one
            // wait minutes, and each waiting one holds its scenario.
            const skipped = !provenOptimal && running.size >= exactAtOnce;
            if (skipped) {
              entry.result = {
                ...entry.result,
                status: 'skipped',
                error: `no exact answer: this process already computes or has waiting ${running.size} exact what-ifs, its most; ask again later`,
              };
            }
            if (!provenOptimal && !skipped) {
              const controller = new AbortController();
              running.set(principal.tokenId, controller);
              exactPool ??= createPlanPool({ threads: 1 });
              exactAnswer(exactPool, scenario, 'auto', controller.signal)
                .then(
                  (plan) => {
                    entry.result = {
                      ...entry.result,
                      status: 'done',
                      exact: answerOf(stored.json, plan),
                    };
                    tell('what-if', { id, status: 'done' });
                  },
                  (error: unknown) => {
                    const message = controller.signal.aborted
                      ? 'stopped: a newer what-if of the same caller replaced it'
                      : error instanceof Error
                        ? error.message
                        : String(error);
                    entry.result = { ...entry.result, status: 'failed', error: message };
                    tell('what-if', { id, status: 'failed' });
                  },
                )
                .finally(() => {
                  if (running.get(principal.tokenId) === controller)
                    running.delete(principal.tokenId);
                });
            }
            const reply: Described<typeof whatIfResponse> = {
              id,
              base: baseInfo,
              first,
              exact: {
                status: provenOptimal ? 'same' : skipped ? 'skipped' : 'computing',
                href: `/v1/what-if/${id}`,
              },
            };
            return { body: reply };
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/what-if/{id}',
      tag: 'plans',
      summary: 'A what-if’s answers: the first, and the exact one once computed',
      description:
        'Only the caller who asked may read it, and only from the process that computed it (each keeps its newest 64): on several processes behind one address, follow the `what-if` event on the same connection’s stream, or ask again with POST.',
      roles: ['admin', 'planner'],
      params: z.object({ id: z.uuid({ error: 'expected a what-if id (a UUID)' }) }).strict(),
      response: whatIfResultResponse,
      handler: ({ params, principal }) => {
        const entry = kept.get(params.id);
        // Another caller's what-if is as good as absent.
        if (!entry || entry.tokenId !== principal.tokenId) throw notFound(`what-if ${params.id}`);
        const body: WhatIfResult = entry.result;
        return Promise.resolve({ body });
      },
    }),
  ];
}

/** The exact answer: planned as `auto` plans to compare (`runPlanTask`), within its time limit. */
function exactAnswer(
  pool: PlanPool,
  scenario: Scenario,
  planner: PlannerChoice,
  signal: AbortSignal,
): Promise<Plan> {
  return pool.plan({ scenario, planner, timeLimitSeconds: EXACT_TIME_LIMIT_SECONDS }, signal);
}

/** The stored scenario with the patch applied, late pools cut; 400 naming every problem. */
function patchedScenario(
  state: { exported: Record<string, unknown>; late: Parameters<typeof plannedScenario>[1] },
  patch: unknown,
): Scenario {
  const merged = applyMergePatch(state.exported, patch, ['body', 'patch']);
  if (!merged.ok) throw badRequest('the patch cannot be applied', sortProblems(merged.problems));
  const valid = validateScenario(plannedScenario(merged.document, state.late));
  if (!valid.ok) {
    throw badRequest(
      'the patched scenario is not valid',
      sortProblems(valid.problems.map((p) => locateProblem(p, merged.document, merged.origins))),
    );
  }
  return valid.scenario;
}
