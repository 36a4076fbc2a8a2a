import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tinypool } from 'tinypool';
import type { Scenario } from '../core/model.js';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import { placementsOfRows } from '../core/risk/placement-rows.js';
import type { RiskJson } from '../core/risk/risk-json.js';
import { riskToJson } from '../core/risk/risk-json.js';
import { planRisk } from '../core/risk/risk.js';
import { checkPlanForScenario } from '../export/plan-check.js';
import { readPlanPlacements } from '../scenario/plan-placements.js';
import type { Problem } from '../scenario/problems.js';

/** One stored plan under slip risk, as plain data: what a worker thread receives. */
export interface RiskTask {
  /** The plan's scenario, as stored with it. */
  readonly scenario: Scenario;
  /** The stored plan's JSON, as served (`plan_json`). */
  readonly planJson: string;
  readonly runs: number;
  readonly seed: number;
}

/** The report, or why the stored plan cannot be read against its scenario. */
export type RiskOutcome =
  | { readonly ok: true; readonly json: RiskJson }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * The stored plan under construction slips, as `stargate risk SCENARIO --plan PLAN.json --runs N
 * --seed S` computes it (the scenario's own slip correlation): the same core calls in the same
 * order, so the numbers are the CLI's.
 */
export function runRiskTask(task: RiskTask): RiskOutcome {
  const read = readPlanPlacements(JSON.parse(task.planJson) as unknown);
  if (!read.ok) return { ok: false, problems: read.problems };
  // The plan and its scenario were stored in one row, so the scenario hash the CLI checks on a
  // file holds by construction; the ids and months are checked all the same.
  const problems = checkPlanForScenario(
    { scenario: read.plan.scenario, assignments: read.plan.assignments },
    task.scenario,
    '',
  );
  if (problems.length > 0) return { ok: false, problems };
  const problem = buildProblem(task.scenario);
  const risk = planRisk(problem, placementsOfRows(problem, read.plan.assignments), {
    runs: task.runs,
    random: seededRandom(task.seed),
  });
  // The route answers with the plan's id in `plan`, in place of the CLI's file name.
  return { ok: true, json: riskToJson(risk, { seed: task.seed, plan: 'a stored plan' }) };
}

/** The compiled worker, next to this module once built. */
const WORKER = new URL('./risk-task-worker.js', import.meta.url);

/** Runs risk tasks on a worker thread; `close` ends it. */
export interface RiskPool {
  run(task: RiskTask): Promise<RiskOutcome>;
  close(): Promise<void>;
}

/**
 * One worker thread (tinypool) for risk tasks: on the example a first task of 1,000 draws takes
 * about 0.1 s and one of 20,000 about 0.3 s (2-core machine), time the service's main thread
 * must not spend away from requests.
 * Where only the TypeScript sources exist (the unit tests), the tasks run in process.
 */
export function createRiskPool(): RiskPool {
  if (!existsSync(fileURLToPath(WORKER))) {
    return { run: (task) => Promise.resolve(runRiskTask(task)), close: () => Promise.resolve() };
  }
  const pool = new Tinypool({
    filename: fileURLToPath(WORKER),
    name: 'risk',
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 30_000,
  });
  return {
    run: (task) => pool.run(task) as Promise<RiskOutcome>,
    close: () => pool.destroy(),
  };
}
