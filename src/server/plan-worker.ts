import { threadId } from 'node:worker_threads';
import { solverThreadsStarted } from '../solver/highs-solver.js';
import type { PlanInput, PlanOutcome } from './plan-compute.js';
import { computePlan } from './plan-compute.js';

/**
 * A planning thread's task (tinypool): one plan per call. The thread lives on between plans,
 * and so does its solver thread, with HiGHS loaded.
 */
export function plan(input: PlanInput): Promise<PlanOutcome> {
  return computePlan(input);
}

/** Which planning thread this is, and how many times it has loaded HiGHS. */
export interface PlanThreadReport {
  readonly threadId: number;
  readonly solverThreadsStarted: number;
}

/** A task that only reports on its thread: for tests, which count HiGHS loads through it. */
export function report(): PlanThreadReport {
  return { threadId, solverThreadsStarted: solverThreadsStarted() };
}
