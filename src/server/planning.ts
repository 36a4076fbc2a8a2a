import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Tinypool } from 'tinypool';
import type { Tx } from '../store/db.js';
import { ConflictProblems, exportScenario } from '../store/scenario-store.js';
import type { LateDelivery } from '../store/procurement.js';
import { lateDeliveries } from '../store/procurement.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import type { PlanDocument, PlanInput, PlanOptions, PlanOutcome } from './plan-compute.js';
import { computePlan } from './plan-compute.js';
import type { PlanThreadReport } from './plan-worker.js';

export interface MadePlan {
  readonly json: PlanDocument;
  readonly scenario: Record<string, unknown>;
}

/** How a plan is computed: in a planning thread (the server), or in process. */
export type PlanRunner = (input: PlanInput) => Promise<PlanOutcome>;

export interface PlanRunnerHandle {
  readonly run: PlanRunner;
  /** Stops the plans still computing (their requests fail and change nothing). */
  stop(): Promise<void>;
}

/** The server's planning threads, and what tests ask of them. */
export interface PlanThreads extends PlanRunnerHandle {
  /** How many planning threads are started now. */
  readonly started: number;
  /** Which idle planning thread answers, and how many times it has loaded HiGHS. */
  report(): Promise<PlanThreadReport>;
}

/** The compiled worker, next to this module once built. */
const PLAN_WORKER = new URL('./plan-worker.js', import.meta.url);

/**
 * How long a planning thread beyond one waits for another plan before it ends. One stays for
 * the process's life: HiGHS, which it loads on its first exact plan, stays loaded with it.
 */
const IDLE_MS = 60_000;

/**
 * Plans in long-lived worker threads (tinypool), so the process goes on answering while it
 * solves and consecutive plans reuse one thread and its HiGHS. The first plan starts the first
 * thread; plans that run at once get a thread each, up to one per core (the server's plan gate
 * bounds how many run at once), and the extra threads end when idle. An idle thread does not keep the process
 * alive. A plan whose thread fails, or is stopped, rejects: an internal error, with no plan.
 * `stop` ends every thread; a plan after it starts a fresh one.
 */
export function planThreads(
  worker: URL = PLAN_WORKER,
  threads: number = availableParallelism(),
): PlanThreads {
  let pool: Tinypool | undefined;
  const open = () => {
    if (pool) return pool;
    pool = new Tinypool({
      filename: fileURLToPath(worker),
      minThreads: 1,
      maxThreads: Math.max(1, threads),
      idleTimeout: IDLE_MS,
    });
    // A thread that fails while planning fails its plan; one that fails idle is replaced, and
    // its failure, which no request waits for, must not end the server.
    pool.on('error', () => {});
    return pool;
  };
  return {
    run: async (input) => {
      try {
        return (await open().run(input, { name: 'plan' })) as PlanOutcome;
      } catch (error) {
        throw new Error(`the planning thread gave no plan: ${String(error)}`, { cause: error });
      }
    },
    get started() {
      return pool?.threads.length ?? 0;
    },
    report: async () => (await open().run(undefined, { name: 'report' })) as PlanThreadReport,
    stop: async () => {
      const stopping = pool;
      pool = undefined;
      await stopping?.destroy();
    },
  };
}

/**
 * The server's planner: in planning threads once built (`dist/`); in process where only the
 * TypeScript sources exist (the unit tests run them, and Node cannot start a worker on them).
 */
export function createPlanRunner(threads?: number): PlanRunnerHandle {
  if (!existsSync(fileURLToPath(PLAN_WORKER))) {
    return { run: computePlan, stop: () => Promise.resolve() };
  }
  return planThreads(PLAN_WORKER, threads);
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
