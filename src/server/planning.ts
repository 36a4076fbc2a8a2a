import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Tx } from '../store/db.js';
import { ConflictProblems, exportScenario } from '../store/scenario-store.js';
import type { LateDelivery } from '../store/procurement.js';
import { lateDeliveries } from '../store/procurement.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import type { PlanDocument, PlanInput, PlanOptions, PlanOutcome } from './plan-compute.js';
import { computePlan } from './plan-compute.js';

export interface MadePlan {
  readonly json: PlanDocument;
  readonly scenario: Record<string, unknown>;
}

/** How a plan is computed: in a worker thread (the server), or in process. */
export type PlanRunner = (input: PlanInput) => Promise<PlanOutcome>;

/** The compiled worker, next to this module once built. */
const PLAN_WORKER = new URL('./plan-worker.js', import.meta.url);

/**
 * Computes a plan in a worker thread of its own, so the process goes on answering while it
 * solves. A worker that fails, or is stopped, is an internal error. `running` holds the worker
 * while it works, for whoever must stop it.
 */
export function planInWorker(
  input: PlanInput,
  worker: URL = PLAN_WORKER,
  running?: Set<Worker>,
): Promise<PlanOutcome> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(worker, { workerData: input });
    running?.add(thread);
    let answered = false;
    thread.once('message', (outcome: PlanOutcome) => {
      answered = true;
      resolve(outcome);
    });
    thread.once('error', reject);
    thread.once('exit', (code) => {
      running?.delete(thread);
      if (!answered) reject(new Error(`the planning worker exited with code ${code} and no plan`));
    });
  });
}

export interface PlanRunnerHandle {
  readonly run: PlanRunner;
  /** Stops the plans still computing (their requests fail and change nothing). */
  stop(): Promise<void>;
}

/**
 * The server's planner: each plan in a worker once built (`dist/`); in process where only the
 * TypeScript sources exist (the unit tests run them, and Node cannot start a worker on them).
 */
export function createPlanRunner(): PlanRunnerHandle {
  if (!existsSync(fileURLToPath(PLAN_WORKER))) {
    return { run: computePlan, stop: () => Promise.resolve() };
  }
  const running = new Set<Worker>();
  return {
    run: (input) => planInWorker(input, PLAN_WORKER, running),
    stop: async () => {
      await Promise.all([...running].map((thread) => thread.terminate()));
    },
  };
}

/** The state to plan, read in one transaction: the scenario as an export writes it, and what is late. */
export interface CurrentState {
  readonly exported: Record<string, unknown>;
  readonly late: readonly LateDelivery[];
}

/** Reads the stored scenario and its late deliveries; 409 when there is no scenario yet. */
export async function readCurrentState(tx: Tx, now: Date): Promise<CurrentState> {
  const exported = await exportScenario(tx);
  if (!exported) {
    throw new ConflictProblems('no scenario to plan', [
      {
        path: [],
        message: 'no scenario: import one first (stargate import FILE, or PUT /v1/scenario)',
      },
    ]);
  }
  return { exported, late: await lateDeliveries(tx, now) };
}

/**
 * The scenario the planner is given: a pool or building whose delivery is late counts only
 * the GPUs delivered so far (typed in, or observed healthy by its node agents).
 */
export function plannedScenario(
  exported: Record<string, unknown>,
  late: readonly LateDelivery[],
): Record<string, unknown> {
  if (late.length === 0) return exported;
  const lateById = new Map(late.map((row) => [row.pool, row]));
  const cut = <T extends { id: string }>(entity: T): T => {
    const delay = lateById.get(entity.id);
    return delay ? { ...entity, gpus: delay.deliveredGpus } : entity;
  };
  // A building is a pool to the planner: a late one counts what its agents observe.
  const pools = ((exported['pools'] ?? []) as { id: string }[]).map(cut);
  const buildings = ((exported['buildings'] ?? []) as { id: string }[]).map(cut);
  return { ...exported, pools, ...(exported['buildings'] === undefined ? {} : { buildings }) };
}

/**
 * Plans the state as it stands: the scenario as an export would write it, late pools cut to
 * what they delivered (`plannedScenario`), and the unmet demand a late pool could have served
 * says so in its reasons. The caller's transaction stays open while the plan is computed, so
 * the plan is of one consistent state.
 */
export async function planCurrentState(
  tx: Tx,
  now: Date,
  options: PlanOptions,
  run: PlanRunner,
): Promise<MadePlan> {
  const { exported, late } = await readCurrentState(tx, now);
  const outcome = await run({ planned: plannedScenario(exported, late), late: [...late], options });
  if (!outcome.ok) throw new ConflictProblems('the stored scenario is not valid', outcome.problems);
  // The hash of the scenario stored with the plan (not of the one cut for late pools): the
  // same document a file import held, so `stargate export kueue --scenario FILE` matches it.
  const { scenario, ...rest } = outcome.json;
  return { json: { scenario, scenarioHash: scenarioHash(exported), ...rest }, scenario: exported };
}
