import { z } from 'zod';
import type { ClausePricesJson } from '../../core/decisions/clause-prices-json.js';
import { PLACEMENT_TERM_TYPES } from '../../core/decisions/clause-prices.js';
import { TERM_TYPES } from '../../core/model.js';
import type { Described } from '../described.js';
import type { JobQueue } from '../jobs.js';
import { clausePricesByJobs } from '../plan-jobs.js';
import { planResults } from '../plan-results.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { numericId } from '../schemas.js';

/** Seconds each re-solve may take: a price holds its request open while it solves. */
const SOLVE_TIME_LIMIT_SECONDS = 60;

const price = z.object({
  terms: z.array(z.string()).describe('`contract/term` of each term relaxed: one, or a pair'),
  verdict: z
    .enum(['costs', 'nothing', 'within-gap'])
    .describe(
      'costs: the interval lies above 0; nothing: it ends within two cents; within-gap: the solvers’ gaps hide whether it costs anything',
    ),
  priceUSD: z.number().describe('Base plan less relaxed plan (what the term costs)'),
  intervalUSD: z
    .object({ low: z.number(), high: z.number() })
    .describe('Where the true difference of the two optima lies, from both proven bounds'),
  componentsUSD: z.object({ compute: z.number(), shortfall: z.number(), unmet: z.number() }),
  interactionUSD: z
    .number()
    .optional()
    .describe('Pairs: the pair’s price less both singles’ prices'),
  movedGpuMonths: z.number().describe('GPU-months the relaxed plan places where the base does not'),
  servedGpuMonths: z.number().describe('Unmet GPU-months of the base less those of the relaxed'),
  workloads: z.array(
    z.object({ workload: z.string(), movedGpuMonths: z.number(), servedGpuMonths: z.number() }),
  ),
  providers: z
    .array(
      z.object({
        provider: z.string(),
        computeUSD: z.number(),
        shortfallUSD: z.number(),
        totalUSD: z.number(),
      }),
    )
    .describe('Money each provider gets in the relaxed plan less in the base, most gained first'),
});

/** The schema of `GET /v1/plans/{id}/clauses`; the body is checked against it. */
export const planClausesResponse = z.object({
  plan: z.number(),
  scenario: z.string(),
  base: z
    .object({
      solver: z.string(),
      totalUSD: z.number(),
      lowerBoundUSD: z.number(),
      computeUSD: z.number(),
      shortfallUSD: z.number(),
      unmetUSD: z.number(),
    })
    .describe(
      'The plan re-made with every term, beside the relaxed ones (the stored plan may differ: late pools)',
    ),
  solves: z.number().int().describe('Distinct re-solves besides the base'),
  terms: z.array(
    z.object({
      key: z.string(),
      contract: z.string(),
      term: z.string(),
      type: z.enum(PLACEMENT_TERM_TYPES),
      binds: z.boolean().describe('False: the term restricts nothing, so it costs nothing'),
    }),
  ),
  singles: z.array(price),
  pairs: z.array(price),
  ledgerTerms: z
    .array(z.object({ key: z.string(), type: z.enum(TERM_TYPES as [string, ...string[]]) }))
    .describe('Terms that do not shape placement: their money is in the ledger'),
});

/**
 * `GET /v1/plans/{id}/clauses`: the price of each term of the plan's scenario. The re-solves
 * take seconds to minutes, so they are jobs on `jobs` (each re-solve one job, taken by any
 * server process on the database), not work in the request (whose transaction would hold the
 * store): the first request submits them and answers 202 with Retry-After, later ones 202
 * until all are done, then 200 with the prices made from them. A stored plan never changes, so
 * its prices are kept (the newest few plans).
 */
export function planClauseRoutes(jobs: JobQueue): Route[] {
  const prices = planResults<ClausePricesJson>();
  return [
    route({
      method: 'GET',
      path: '/v1/plans/{id}/clauses',
      tag: 'plans',
      summary:
        'What each contract term that shapes placement costs in a stored plan’s scenario, alone and in pairs',
      description: `Each exclusivity, use-restriction and commitment term is removed, and for each rofr term its pending pools are cleared, and the scenario re-solved (every pair too, unless \`pairs=none\`); the price is the base plan's cost less the relaxed plan's, with an interval from both plans' proven bounds, the workloads and GPU-months that move and the money by provider. Each re-solve is a job that any server process on the store's database may take (on PGlite, this process), ${SOLVE_TIME_LIMIT_SECONDS} s each at most; a job of a process that dies is retried by another. Until all are done the answer is 202 \`{ plan, status: "computing" }\` with Retry-After; then 200 with the prices, kept per plan. Revenue shares and notes are priced in the ledger.`,
      roles: ['admin', 'planner', 'viewer'],
      params: z.object({ id: numericId }).strict(),
      query: z
        .object({
          pairs: z
            .enum(['all', 'none'], { error: 'expected all or none' })
            .optional()
            .describe('Price each pair of terms too; default all'),
        })
        .strict(),
      response: planClausesResponse,
      handler: async ({ tx, params, query }) => {
        const pairs = (query.pairs ?? 'all') === 'all';
        const result = await prices.get(
          tx,
          params.id,
          pairs ? 'pairs' : 'singles',
          (scenario, plan) =>
            clausePricesByJobs(jobs, scenario, plan, {
              pairs,
              timeLimitSeconds: SOLVE_TIME_LIMIT_SECONDS,
            }),
        );
        if ('computing' in result) return result.computing;
        const body: Described<typeof planClausesResponse> = { plan: result.plan, ...result.body };
        return { body };
      },
    }),
  ];
}
