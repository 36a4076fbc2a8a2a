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
  /** Extension: who takes part (lab, providers, funders, operators); empty when not given. */
  readonly parties: readonly Party[];
  /** Extension: the buildout's capital plan, when given. */
  readonly programme?: Programme;
  /** Extension: revenue per month that `revenue-share` terms take a percentage of. */
  readonly revenueStreams: readonly RevenueStream[];
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
  /** Extension: named dates besides `constructionStart` and `online`. */
  readonly milestones?: readonly Milestone[];
  /** Extension: when the capex falls due; the parts add up to `capex` exactly. */
  readonly capexSchedule?: readonly CapexInstalment[];
  /** Extension: how many months `online` may slip, for the forecast. */
  readonly delay?: DelayDistribution;
}

/** A named date in a building's construction (e.g. shell complete, power on). */
export interface Milestone {
  readonly id: string;
  readonly period: Period;
}

/** The built-in milestones every building has (the first only with `constructionStart`). */
export const BUILT_IN_MILESTONES = ['construction-start', 'online'] as const;

/** One part of a building's capex, due in one month. */
export interface CapexInstalment {
  /** The milestone it is tied to, or undefined for a fixed month. */
  readonly milestone?: string;
  /** Months after (negative: before) the milestone. */
  readonly offsetMonths: number;
  /** The month it falls due on the building's schedule, without slips. */
  readonly period: Period;
  readonly percent: number;
  /** Exact amount; the instalments of a building add up to its capex. */
  readonly amount: Micros;
}

/**
 * Months of slip of a building's `online` month: a discrete distribution (whole months with
 * probabilities adding up to 1) or a triangular one (min, mode, max in months).
 */
export type DelayDistribution =
  | {
      readonly type: 'discrete';
      readonly outcomes: readonly { readonly months: number; readonly probability: number }[];
    }
  | {
      readonly type: 'triangular';
      readonly min: number;
      readonly mode: number;
      readonly max: number;
    };

export type PartyRole = 'lab' | 'provider' | 'funder' | 'operator';

/** A company that takes part: the lab, a provider, a funder, an operator (or several). */
export interface Party {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly PartyRole[];
  /** Provider ids this party sells capacity as (role provider). */
  readonly providers: readonly string[];
  /** Funders: equity share in percent; capital calls are pro rata to it. */
  readonly equityPercent?: number;
}

/**
 * The buildout's capital plan: the funders commit `initial` at `start`, and more in tranches,
 * up to `total`; capital is called from them as the capex of the company's buildings falls due.
 */
export interface Programme {
  readonly name?: string;
  /** The party that receives the capital and pays the capex of its providers' buildings. */
  readonly company: string;
  /** Who is paid the capex; undefined = outside parties (suppliers, builders). */
  readonly contractor?: string;
  readonly start: Period;
  readonly initial: Micros;
  /** The most the funders may commit; what the tranches leave is headroom, never called. */
  readonly total: Micros;
  /** Later commitments, in month order. */
  readonly tranches: readonly Tranche[];
  /** Correlation of the buildings' slips in the forecast, 0 (independent) to 1. */
  readonly slipCorrelation: number;
}

export interface Tranche {
  readonly id?: string;
  readonly period: Period;
  readonly amount: Micros;
}

/** Revenue a party earns per month, that `revenue-share` terms take a percentage of. */
export interface RevenueStream {
  readonly id: string;
  readonly name?: string;
  /** Who earns it. */
  readonly party: string;
  /** Amounts per month over ranges that do not overlap, in month order. */
  readonly amounts: readonly { readonly range: PeriodRange; readonly monthly: Micros }[];
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
  /** A revenue stream's id or name (extension); free text without `revenueStreams`. */
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
