import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ClausePricesJson } from '../core/decisions/clause-prices-json.js';
import { clausePricesToJson } from '../core/decisions/clause-prices-json.js';
import type { TermRef } from '../core/decisions/clause-prices.js';
import { relaxScenario, termKey } from '../core/decisions/clause-prices.js';
import type { Scenario } from '../core/model.js';
import type { Plan } from '../core/planner/plan.js';
import type { ValueJson } from '../core/planner/value-json.js';
import { validateScenario } from '../scenario/parse.js';
import type { PlanPool } from '../solver/plan-pool.js';
import { createPlanPool } from '../solver/plan-pool.js';
import { clauseSolves, priceClausesBy } from '../solver/price-clauses.js';
import type { ValuePool } from '../solver/value-task.js';
import { createValuePool } from '../solver/value-task.js';
import type { Db } from '../store/db.js';
import * as t from '../store/schema.js';
import type { RiskOutcome, RiskPool } from './risk-task.js';
import { createRiskPool } from './risk-task.js';
import type { Json } from './job-codec.js';
import { decodeJob, encodeJob } from './job-codec.js';
import type { JobQueue } from './jobs.js';
import { runJobs } from './jobs.js';
import type { StoredPlan } from './plan-results.js';
import { storedPlanKey } from './plan-results.js';

/**
 * The jobs behind /clauses, /value and /risk. Each job names its stored plan (id and key) and the
 * process that takes it reads the plan's scenario from the store itself, so a job is a few
 * bytes and any server process on the database can run it.
 */

/** One re-solve of clause pricing: the base plan (no terms) or one relaxation. */
export const CLAUSE_SOLVE = 'clause-solve';
/** A whole value computation: base plan, capacity duals and building moves. */
export const PLAN_VALUE = 'plan-value';
/** A stored plan under slip risk: one run count and seed. */
export const PLAN_RISK = 'plan-risk';

const planRef = { plan: z.number().int(), key: z.string(), timeLimitSeconds: z.number() };
const clauseSolveData = z.object({
  ...planRef,
  terms: z.array(z.object({ contract: z.string(), term: z.string() })),
});
const planValueData = z.object(planRef);
const planRiskData = z.object({
  plan: z.number().int(),
  key: z.string(),
  runs: z.number().int(),
  seed: z.number().int(),
});

/** Values and risk runs each have one worker thread per process: a second job would wait. */
const ONE_AT_A_TIME = { concurrency: 1 };

/** Scenarios read for jobs, by plan key: one plan's dozens of re-solves read it once. */
const SCENARIOS_KEPT = 4;

/**
 * Lets this process run the plan jobs: clause re-solves on a pool of worker threads, value
 * computations and risk draws each on a thread of their own, all made on first use. The
 * threads end with the process; they do not keep it alive.
 */
export function registerPlanJobs(jobs: JobQueue, db: Db): void {
  const scenarios = new Map<string, Promise<Scenario>>();
  let plans: PlanPool | undefined;
  let values: ValuePool | undefined;
  let risks: RiskPool | undefined;

  const scenarioOf = (plan: number, key: string): Promise<Scenario> => {
    let scenario = scenarios.get(key);
    if (!scenario) {
      scenario = loadScenario(db, plan, key);
      scenarios.set(key, scenario);
      // A failed read is not kept: the retry reads again.
      scenario.catch(() => scenarios.delete(key));
      for (const old of scenarios.keys()) {
        if (scenarios.size <= SCENARIOS_KEPT) break;
        scenarios.delete(old);
      }
    }
    return scenario;
  };

  jobs.work(CLAUSE_SOLVE, async (json) => {
    const data = clauseSolveData.parse(json);
    const scenario = await scenarioOf(data.plan, data.key);
    plans ??= createPlanPool();
    const plan = await plans.plan({
      scenario: data.terms.length === 0 ? scenario : relaxScenario(scenario, data.terms),
      planner: 'auto',
      timeLimitSeconds: data.timeLimitSeconds,
    });
    return encodeJob(plan);
  });

  jobs.work(
    PLAN_VALUE,
    async (json) => {
      const data = planValueData.parse(json);
      const scenario = await scenarioOf(data.plan, data.key);
      values ??= createValuePool();
      return encodeJob(
        await values.run({ scenario, planner: 'auto', timeLimitSeconds: data.timeLimitSeconds }),
      );
    },
    ONE_AT_A_TIME,
  );

  jobs.work(
    PLAN_RISK,
    async (json) => {
      const data = planRiskData.parse(json);
      const scenario = await scenarioOf(data.plan, data.key);
      // The stored plan's JSON is read for each job, not kept: it may be large, and each run
      // count and seed reads it once.
      const [row] = await db
        .select({ planJson: t.plans.planJson })
        .from(t.plans)
        .where(eq(t.plans.id, data.plan));
      if (!row) throw new Error(`plan ${data.key} is not in the store`);
      risks ??= createRiskPool();
      // A plan that does not read against its scenario is an answer (a 409), not a failure.
      return encodeJob(
        await risks.run({ scenario, planJson: row.planJson, runs: data.runs, seed: data.seed }),
      );
    },
    ONE_AT_A_TIME,
  );
}

/** The stored plan's scenario, if the plan is still the one the key names. */
async function loadScenario(db: Db, plan: number, key: string): Promise<Scenario> {
  const [row] = await db
    .select({ id: t.plans.id, createdAt: t.plans.createdAt, scenario: t.plans.scenario })
    .from(t.plans)
    .where(eq(t.plans.id, plan));
  if (!row || storedPlanKey(row.id, row.createdAt) !== key) {
    throw new Error(`plan ${key} is not in the store`);
  }
  const result = validateScenario(row.scenario);
  if (!result.ok) throw new Error(`the scenario of plan ${key} is not valid`);
  return result.scenario;
}

/** The name of one re-solve: the plan's key and the terms relaxed (`base` for none). */
function solveKey(plan: StoredPlan, refs: readonly TermRef[]): string {
  return `${plan.key}/${refs.length === 0 ? 'base' : refs.map(termKey).join('+')}`;
}

/**
 * The clause prices of a stored plan: each re-solve a job, shared with every process asking
 * for the same plan (singles are the same jobs whether pairs are asked for or not); then
 * priced here, which is quick.
 */
export async function clausePricesByJobs(
  jobs: JobQueue,
  scenario: Scenario,
  plan: StoredPlan,
  options: { pairs: boolean; timeLimitSeconds: number },
): Promise<ClausePricesJson> {
  const solves = clauseSolves(scenario, { pairs: options.pairs });
  const results = await runJobs(
    jobs,
    CLAUSE_SOLVE,
    solves.map((refs) => ({
      key: solveKey(plan, refs),
      data: {
        plan: plan.id,
        key: plan.key,
        timeLimitSeconds: options.timeLimitSeconds,
        terms: refs.map((ref) => ({ contract: ref.contract, term: ref.term })),
      },
    })),
  );
  const plans = new Map<string, Plan>();
  for (const [i, refs] of solves.entries()) {
    const result = results[i];
    if (!result) throw new Error('a re-solve has no result');
    plans.set(solveKey(plan, refs), decodeJob(result.result) as Plan);
  }
  const prices = await priceClausesBy(
    scenario,
    (refs) => {
      const solved = plans.get(solveKey(plan, refs));
      return solved ? Promise.resolve(solved) : Promise.reject(new Error('a re-solve is missing'));
    },
    { pairs: options.pairs },
  );
  return clausePricesToJson(prices);
}

/** The values of a stored plan: one job, run by whichever process takes it. */
export async function planValueByJob(
  jobs: JobQueue,
  plan: StoredPlan,
  options: { timeLimitSeconds: number },
): Promise<ValueJson> {
  const data: Json = { plan: plan.id, key: plan.key, timeLimitSeconds: options.timeLimitSeconds };
  const [result] = await runJobs(jobs, PLAN_VALUE, [{ key: `${plan.key}/value`, data }]);
  if (!result) throw new Error('the value job has no result');
  return decodeJob(result.result) as ValueJson;
}

/**
 * The stored plan under slip risk for `runs` and `seed`: one job, run by whichever process
 * takes it. Not ok: the plan does not read against its scenario.
 */
export async function planRiskByJob(
  jobs: JobQueue,
  plan: StoredPlan,
  options: { runs: number; seed: number },
): Promise<RiskOutcome> {
  const data: Json = { plan: plan.id, key: plan.key, runs: options.runs, seed: options.seed };
  const key = `${plan.key}/risk?runs=${options.runs}&seed=${options.seed}`;
  const [result] = await runJobs(jobs, PLAN_RISK, [{ key, data }]);
  if (!result) throw new Error('the risk job has no result');
  return decodeJob(result.result) as RiskOutcome;
}
