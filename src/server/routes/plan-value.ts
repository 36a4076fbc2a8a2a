import { z } from 'zod';
import type { ValueJson } from '../../core/planner/value-json.js';
import type { Described } from '../described.js';
import type { JobQueue } from '../jobs.js';
import { planValueByJob } from '../plan-jobs.js';
import { planResults } from '../plan-results.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { numericId } from '../schemas.js';

/** Seconds each plan may take: the base plan and each building move's. */
const SOLVE_TIME_LIMIT_SECONDS = 60;

const move = z
  .object({
    online: z.string().describe('The month the building comes online after the move'),
    months: z.number().int().optional().describe('Months moved, where the horizon cut it short'),
    usd: z.number().describe('A month earlier: what it saves; late: what it costs'),
    lowUSD: z.number(),
    highUSD: z.number(),
  })
  .nullable()
  .describe('Null where the horizon leaves no room for the move');

/** The schema of `GET /v1/plans/{id}/value`; the body is checked against it. */
export const planValueResponse = z.object({
  plan: z.number(),
  scenario: z.string(),
  units: z.object({ capacity: z.string(), buildings: z.string() }),
  base: z
    .object({
      method: z.string(),
      status: z.string(),
      totalUSD: z.number(),
      lowerBoundUSD: z.number(),
    })
    .describe('The plan re-made from the stored plan’s scenario, as `stargate value` makes it'),
  capacity: z
    .array(
      z.object({
        pool: z.string(),
        provider: z.string(),
        building: z.string().optional(),
        month: z.string(),
        gpus: z.number(),
        used: z.number(),
        perGpuMonthUSD: z.number(),
        perGpuHourUSD: z.number(),
      }),
    )
    .describe('Every pool-month, most valuable first'),
  buildings: z
    .array(
      z.object({
        building: z.string(),
        site: z.string(),
        gpus: z.number(),
        online: z.string(),
        monthEarlier: move,
        monthLate: move,
        quarterLate: move,
      }),
    )
    .describe('Every building, the most a month earlier saves first'),
  replans: z.string(),
});

/**
 * `GET /v1/plans/{id}/value`: what capacity is worth in a stored plan's scenario, as `stargate
 * value` computes it. The base plan and the building moves take seconds to minutes, so they are
 * one job on `jobs`, run on a worker thread of whichever server process takes it: the first
 * request submits it and answers 202 with Retry-After, later ones 202 until the values are
 * ready, then 200. A stored plan never changes, so its values are kept (the newest few).
 */
export function planValueRoutes(jobs: JobQueue): Route[] {
  const values = planResults<ValueJson>();
  return [
    route({
      method: 'GET',
      path: '/v1/plans/{id}/value',
      tag: 'plans',
      summary:
        'What capacity is worth in a stored plan’s scenario: one more GPU per pool and month, each building a month earlier or later',
      description: `Per pool and month, the marginal value of one more GPU: the capacity row's dual in the LP with the plan's gang choices fixed, in USD per GPU for the month (and per GPU-hour). Per building, what coming online a month earlier saves and a month or a quarter late costs, each re-planned (${SOLVE_TIME_LIMIT_SECONDS} s each at most), with an interval from both plans' proven bounds. Computed in the background as one job that any server process on the store's database may take (on PGlite, this process): until done the answer is 202 \`{ plan, status: "computing" }\` with Retry-After; then 200, kept per plan.`,
      roles: ['admin', 'planner', 'viewer', 'funder'],
      params: z.object({ id: numericId }).strict(),
      query: z.object({}).strict(),
      response: planValueResponse,
      handler: async ({ tx, params }) => {
        const result = await values.get(tx, params.id, 'value', (_scenario, plan) =>
          planValueByJob(jobs, plan, { timeLimitSeconds: SOLVE_TIME_LIMIT_SECONDS }),
        );
        if ('computing' in result) return result.computing;
        const { plan: base, ...rest } = result.body;
        const body: Described<typeof planValueResponse> = { plan: result.plan, base, ...rest };
        return { body };
      },
    }),
  ];
}
