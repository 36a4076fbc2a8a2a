import type { Cents, Micros } from '../money.js';
import type { Period } from '../period.js';

/**
 * Placements by index into the problem's workloads and pools, as a planner produces them
 * (`Assignment` is the same by name, for the plan document).
 */
export interface Placement {
  readonly workload: number;
  readonly pool: number;
  readonly period: Period;
  readonly gpus: number;
}

/** GPUs of one workload on one pool in one period; never 0. */
export interface Assignment {
  readonly workload: string;
  readonly pool: string;
  readonly period: Period;
  readonly gpus: number;
}

/** Demand left unserved in one period, with the reasons in words. */
export interface UnmetRow {
  readonly workload: string;
  readonly period: Period;
  readonly gpus: number;
  readonly reasons: readonly string[];
}

export interface CommitmentStatus {
  readonly contract: string;
  readonly term: string;
  readonly provider: string;
  readonly minSpend: Micros;
  readonly spend: Micros;
  readonly shortfall: Micros;
}

export interface ProviderPeriod {
  readonly provider: string;
  readonly period: Period;
  /** GPUs placed. */
  readonly gpus: number;
  /** GPUs the provider's pools hold that month, placed or idle. */
  readonly capacity: number;
  readonly compute: Micros;
}

/** The objective's parts, exact. */
export interface Objective {
  readonly total: Micros;
  readonly compute: Micros;
  readonly shortfall: Micros;
  readonly unmet: Micros;
}

export type BoundSource = 'mip' | 'lagrangian';

export type SolveStatus = 'optimal' | 'time-limit' | 'feasible';

/** How the plan was found; deterministic, so no timings. */
export interface SolverReport {
  /** `exact` (HiGHS mixed-integer) or the name of another planner. */
  readonly method: string;
  readonly status: SolveStatus;
  /** What the lower bound is: the MIP's dual bound (HiGHS), or a Lagrangian dual value. */
  readonly boundSource: BoundSource;
  /** Why the plan is not the one asked for, e.g. the exact solver overran its time limit. */
  readonly note?: string;
  /**
   * When the exact planner was asked for and the fast planner's plan is given: what HiGHS
   * did (stopped at its limit, overran it, or failed, e.g. out of WebAssembly memory), and the
   * total of its own plan if it had one.
   */
  readonly exact?: {
    readonly status: 'time-limit' | 'overran' | 'failed';
    readonly total?: Micros;
  };
}

export interface Plan {
  readonly scenario: string;
  readonly objective: Objective;
  /** A proven lower bound on the optimum, rounded down to cents. */
  readonly lowerBound: Cents;
  readonly assignments: readonly Assignment[];
  readonly unmet: readonly UnmetRow[];
  readonly commitments: readonly CommitmentStatus[];
  readonly byProvider: readonly ProviderPeriod[];
  readonly solver: SolverReport;
}
