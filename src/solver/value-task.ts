import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tinypool } from 'tinypool';
import type { Scenario } from '../core/model.js';
import type { PlannerChoice } from '../core/planner/planner.js';
import type { ValueJson } from '../core/planner/value-json.js';
import { valueToJson } from '../core/planner/value-json.js';
import type { PlanPool } from './plan-pool.js';
import { runPlanTask } from './plan-task.js';
import { valueOfScenario } from './value-of.js';

/** One `value` computation, as plain data: what a worker thread receives. */
export interface ValueTask {
  readonly scenario: Scenario;
  readonly planner: PlannerChoice;
  readonly timeLimitSeconds?: number;
}

/** Plans in this thread, one after the other: the pool a value task uses inside its worker. */
const IN_THREAD: PlanPool = { threads: 1, plan: runPlanTask, close: () => Promise.resolve() };

/**
 * Plans the scenario to compare (`runPlanTask`: exact up to 2,000 triples) and prices its
 * capacity and building moves (`valueOfScenario`), all in this thread: for a worker thread of
 * the service, whose main thread must keep answering requests. Moves two LPs cannot settle are
 * planned here too.
 */
export async function runValueTask(task: ValueTask): Promise<ValueJson> {
  const options = {
    planner: task.planner,
    ...(task.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: task.timeLimitSeconds }),
  };
  const base = await runPlanTask({ scenario: task.scenario, ...options });
  return valueToJson(await valueOfScenario(task.scenario, base, () => IN_THREAD, options));
}

/** The compiled worker, next to this module once built. */
const WORKER = new URL('./value-task-worker.js', import.meta.url);

/** Runs value tasks on a worker thread; `close` ends it. */
export interface ValuePool {
  run(task: ValueTask): Promise<ValueJson>;
  close(): Promise<void>;
}

/**
 * One worker thread (tinypool) for value tasks, so that the LPs and plans never hold the
 * service's main thread. Where only the TypeScript sources exist (the unit tests), the tasks
 * run in process.
 */
export function createValuePool(): ValuePool {
  if (!existsSync(fileURLToPath(WORKER))) {
    return { run: runValueTask, close: () => Promise.resolve() };
  }
  const pool = new Tinypool({
    filename: fileURLToPath(WORKER),
    name: 'value',
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 30_000,
  });
  return {
    run: (task) => pool.run(task) as Promise<ValueJson>,
    close: () => pool.destroy(),
  };
}
