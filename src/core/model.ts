import type { Micros } from './money.js';
import type { Period, PeriodRange } from './period.js';

/**
 * The scenario as the core sees it: validated, references resolved, periods as integers,
 * money as micro-dollars, buildings turned into pools. The boundary (`src/scenario`) builds
 * it from a file; nothing in the core checks it again.
 */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly horizon: PeriodRange;
  readonly accelerators: readonly Accelerator[];
  readonly providers: readonly Provider[];
  readonly sites: readonly Site[];
  /** Every pool the planner may place on, explicit ones and those of buildings, sorted by id. */
  readonly pools: readonly Pool[];
  readonly buildings: readonly Building[];
  readonly workloads: readonly Workload[];
  readonly contracts: readonly Contract[];
}

export interface Accelerator {
  readonly id: string;
  readonly name?: string;
  /** All-in facility kW per GPU; turns a building's MW into GPUs. */
  readonly kwPerGpu: number;
}

export type ProviderKind = 'hyperscaler' | 'owned' | 'neocloud' | 'partner';

export interface Provider {
  readonly id: string;
  readonly name: string;
  readonly kind: ProviderKind;
}

export interface Site {
  readonly id: string;
  readonly provider: string;
  readonly name?: string;
  readonly region?: string;
  readonly powerMW?: number;
  /** Who builds and runs the site, free text (e.g. "Oracle, NVIDIA, OpenAI"). */
  readonly operator?: string;
}

export type Origin = 'existing' | 'new';
export type RofrStatus = 'pending' | 'cleared';

export interface Pool {
  readonly id: string;
  readonly provider: string;
  readonly site?: string;
  readonly accelerator: string;
  /** GPUs available in every period of the window. */
  readonly gpus: number;
  /** As written; eligibility clips it to the horizon. */
  readonly window: PeriodRange;
  readonly pricePerGpuHour: Micros;
  readonly origin: Origin;
  /** Meaningful only when `origin` is `new`. */
  readonly rofr: RofrStatus;
  /** The building this pool comes from, when it does. */
  readonly building?: string;
}

export interface Building {
  readonly id: string;
  readonly site: string;
  readonly sqft?: number;
  readonly itMW: number;
  readonly accelerator: string;
  readonly gpus: number;
  readonly capex?: Micros;
  readonly constructionStart?: Period;
  readonly online: Period;
  readonly pricePerGpuHour: Micros;
  readonly origin: Origin;
  readonly rofr: RofrStatus;
}

export interface Workload {
  readonly id: string;
  readonly team?: string;
  readonly description?: string;
  /** Free text; contract terms refer to classes. */
  readonly class: string;
  readonly accelerators: readonly string[];
  /** GPUs needed in every period of the window. */
  readonly gpus: number;
  readonly window: PeriodRange;
  /** What serving one GPU-hour is worth; unserved GPU-hours cost this. */
  readonly valuePerGpuHour: Micros;
  /** All or nothing, on one site and one accelerator for the whole window. */
  readonly gang: boolean;
}

export interface Contract {
  readonly id: string;
  readonly name?: string;
  readonly parties: readonly string[];
  readonly effective: PeriodRange;
  readonly terms: readonly Term[];
}

/** Which pools a term speaks of; every key given must match. */
export interface PoolSelector {
  readonly providers?: readonly string[];
  readonly origin?: Origin;
  readonly sites?: readonly string[];
  readonly accelerators?: readonly string[];
}

export type Term =
  ExclusivityTerm | UseRestrictionTerm | CommitmentTerm | RofrTerm | RevenueShareTerm | NoteTerm;

/** Workloads of these classes may be placed only on pools of `provider`. */
export interface ExclusivityTerm {
  readonly type: 'exclusivity';
  readonly id: string;
  readonly classes: readonly string[];
  readonly provider: string;
}

/** Pools matching the selector may host only workloads of these classes. */
export interface UseRestrictionTerm {
  readonly type: 'use-restriction';
  readonly id: string;
  readonly pools: PoolSelector;
  readonly classes: readonly string[];
}

/** Take-or-pay: spend below the minimum on `provider` within the window is paid anyway. */
export interface CommitmentTerm {
  readonly type: 'commitment';
  readonly id: string;
  readonly provider: string;
  readonly minSpend: Micros;
  readonly window: PeriodRange;
}

/** Right of first refusal: new capacity of others must be offered to `holder` first. */
export interface RofrTerm {
  readonly type: 'rofr';
  readonly id: string;
  readonly holder: string;
  readonly responseDays: number;
  readonly pools: PoolSelector;
}

/** A flow of money between parties; no effect on placement. */
export interface RevenueShareTerm {
  readonly type: 'revenue-share';
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly percent: number;
  readonly stream: string;
}

/** A recorded clause, shown with the contract, not enforced. */
export interface NoteTerm {
  readonly type: 'note';
  readonly id: string;
  readonly text: string;
}

export type TermType = Term['type'];

export const TERM_TYPES: readonly TermType[] = [
  'exclusivity',
  'use-restriction',
  'commitment',
  'rofr',
  'revenue-share',
  'note',
];
