import type { Plan } from '../core/planner/plan.js';
import type { PlanTask } from './plan-task.js';
import { runPlanTask } from './plan-task.js';

/** A tinypool worker's task: one plan per call, HiGHS kept loaded between calls. */
export function plan(task: PlanTask): Promise<Plan> {
  return runPlanTask(task);
}
