import { z } from 'zod';
import type { RiskJson } from '../../core/risk/risk-json.js';
import { ConflictProblems } from '../../store/scenario-store.js';
import type { Described } from '../described.js';
import type { JobQueue } from '../jobs.js';
import { planRiskByJob } from '../plan-jobs.js';
import { planResults } from '../plan-results.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { numericId } from '../schemas.js';

/**
 * The most slip draws one request may ask for. The CLI allows 100,000; the service keeps a
 * worker thread for everyone, and 20,000 draws (about 0.3 s on the example) already give the
 * mean to well within the run count's noise.
 */
const MAX_RUNS = 20_000;
const DEFAULT_RUNS = 1000;
const DEFAULT_SEED = 1;

const whole = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what} of at least ${min}` })
    .max(max, { error: `expected ${what} of at most ${max}` });

const usdPercentiles = z.object({
  mean: z.number(),
  p10: z.number(),
  p50: z.number(),
  p90: z.number(),
});
const gpuMonthPercentiles = z.object({
  p10: z.number(),
  p50: z.number(),
  p90: z.number(),
  mean: z.number(),
});

/** The schema of `GET /v1/plans/{id}/risk`; the body is checked against it. */
export const planRiskResponse = z.object({
  plan: z.number(),
  scenario: z.string(),
  runs: z.number().int(),
  seed: z.number().int(),
  correlation: z.number().describe('Slip correlation: the scenario’s `slipCorrelation`, else 0'),
  slippingBuildings: z.number().int().describe('Buildings with a delay distribution'),
  buildings: z.number().int(),
  nominal: z
    .object({ totalUSD: z.number(), unmetGpuMonths: z.number() })
    .describe('The plan as scheduled'),
  totalUSD: usdPercentiles.describe(
    'Compute + shortfall + unmet value across runs, after recourse (nearest-rank percentiles)',
  ),
  unmetGpuMonths: gpuMonthPercentiles.describe('Across runs, the plan’s own unmet included'),
  runsCostlier: z.number().int().describe('Runs that cost more than the plan as scheduled'),
  workloads: z
    .array(
      z.object({
        workload: z.string(),
        runsShort: z.number().int(),
        shareOfRunsShort: z.number(),
        meanGpuMonthsShort: z.number().describe('GPU-months it loses, averaged over all runs'),
      }),
    )
    .describe('Workloads some run leaves short, most often short first'),
  byBuilding: z
    .array(
      z.object({
        building: z.string(),
        runsSlipped: z.number().int().describe('Runs in which it slipped at least a month'),
        meanSlipMonths: z.number().describe('Its mean slip over all runs, in months'),
        expectedExtraCostUSD: z
          .number()
          .describe(
            'The mean over runs of the plan’s extra cost had this building alone slipped by its drawn slip',
          ),
      }),
    )
    .describe('Every building that may slip, costliest slip first'),
});

/**
 * `GET /v1/plans/{id}/risk`: a stored plan under construction slips, as `stargate risk
 * SCENARIO --plan PLAN.json --runs N --seed S` reports it for the plan's own scenario. The draws
 * take a tenth to a few tenths of a second on the example, so they are a job on `jobs`, run on
 * a worker thread of whichever server process takes it, and answer as /value does: 202 with
 * Retry-After until done, then 200, kept per plan, runs and seed.
 */
export function planRiskRoutes(jobs: JobQueue): Route[] {
  const risks = planResults<RiskJson>();
  return [
    route({
      method: 'GET',
      path: '/v1/plans/{id}/risk',
      tag: 'plans',
      summary:
        'A stored plan under construction slips: expected cost, unmet GPU-months, the workloads left short and what each building’s slip costs',
      description: `Draws \`runs\` sets of building slips as \`GET /v1/forecast\` draws them for the same seed (the scenario's slip correlation) and evaluates the stored plan under each with recourse: work on a building not yet online moves to the cheapest eligible pool with room that month, else is unmet. The numbers are those of \`stargate risk SCENARIO --plan PLAN.json --runs N --seed S --format json\` on the plan's scenario (\`plan\` is the plan's id here). Runs ${DEFAULT_RUNS} and seed ${DEFAULT_SEED} by default, at most ${MAX_RUNS} runs. Computed in the background as one job that any server process on the store's database may take (on PGlite, this process): until done the answer is 202 \`{ plan, status: "computing" }\` with Retry-After; then 200, kept per plan, runs and seed.`,
      roles: ['admin', 'planner', 'viewer', 'funder'],
      params: z.object({ id: numericId }).strict(),
      query: z
        .object({
          runs: whole('a number of runs', 1, MAX_RUNS)
            .optional()
            .describe(`Slip draws; default ${DEFAULT_RUNS}`),
          seed: whole('a seed', 0, 2 ** 32 - 1)
            .optional()
            .describe(`The draws' seed, the forecast's; default ${DEFAULT_SEED}`),
        })
        .strict(),
      response: planRiskResponse,
      handler: async ({ tx, params, query }) => {
        const runs = query.runs ?? DEFAULT_RUNS;
        const seed = query.seed ?? DEFAULT_SEED;
        // One job on the queue (any server process on the database may take it), which reads
        // the stored plan and its scenario itself.
        const result = await risks.get(tx, params.id, `runs=${runs}&seed=${seed}`, (_s, plan) =>
          planRiskByJob(jobs, plan, { runs, seed }).then((outcome) => {
            if (outcome.ok) return outcome.json;
            throw new ConflictProblems(
              `plan ${params.id} does not read against its own scenario`,
              outcome.problems,
            );
          }),
        );
        if ('computing' in result) return result.computing;
        // The CLI's report names its plan's file in `plan`; the API's is the plan's id, as in
        // /value's answer.
        const body: Described<typeof planRiskResponse> = { ...result.body, plan: result.plan };
        return { body };
      },
    }),
  ];
}
