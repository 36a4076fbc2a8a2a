import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Tinypool } from 'tinypool';
import type { Plan } from '../core/planner/plan.js';
import type { PlanTask } from './plan-task.js';
import { runPlanTask } from './plan-task.js';

/** The compiled worker, next to this module once built. */
const WORKER = new URL('./plan-task-worker.js', import.meta.url);

/** Plans many scenarios at once. */
export interface PlanPool {
  readonly threads: number;
  /** Plans one scenario; `signal` stops it (its thread is ended, the promise rejected). */
  plan(task: PlanTask, signal?: AbortSignal): Promise<Plan>;
  /** Ends the worker threads; plans still running fail. */
  close(): Promise<void>;
}

/**
 * A pool of worker threads (tinypool) that plan scenarios in parallel, one thread per core by
 * default. Each thread loads HiGHS once and keeps it for its next task. Where only the
 * TypeScript sources exist (the unit tests run them, and Node cannot start a worker on them),
 * the plans run in process, one after the other.
 */
export function createPlanPool(options: { threads?: number } = {}): PlanPool {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  if (!existsSync(fileURLToPath(WORKER))) {
    return { threads: 1, plan: runPlanTask, close: () => Promise.resolve() };
  }
  const pool = new Tinypool({
    filename: fileURLToPath(WORKER),
    name: 'plan',
    minThreads: 1,
    maxThreads: threads,
    // Threads stay for the next request's plans, without keeping the process alive.
    idleTimeout: 30_000,
  });
  return {
    threads,
    plan: (task, signal) => pool.run(task, signal ? { signal } : {}) as Promise<Plan>,
    close: () => pool.destroy(),
  };
}
