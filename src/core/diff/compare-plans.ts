import type { Micros } from '../money.js';
import { compareText } from '../order.js';
import { hoursIn } from '../period.js';
import type { CommitmentStatus, Objective, Plan } from '../planner/plan.js';

/** What a plan comes to: its cost, demand served and unmet, and where the compute runs. */
export interface PlanSummary {
  readonly scenario: string;
  readonly objective: Objective;
  readonly placedGpuHours: number;
  readonly unmetGpuHours: number;
  readonly byProvider: readonly ProviderSummary[];
  readonly commitments: readonly CommitmentStatus[];
  /** Unmet GPU-hours per workload, for workloads with any. */
  readonly unmetByWorkload: ReadonlyMap<string, number>;
}

export interface ProviderSummary {
  readonly provider: string;
  readonly gpuHours: number;
  readonly compute: Micros;
  /** Share of all placed GPU-hours, 0–1. */
  readonly share: number;
}

/**
 * Sums a plan up: GPU-hours placed per provider (GPUs × the real hours of each month) and
 * their share, compute cost per provider, unmet GPU-hours per workload.
 */
export function summarizePlan(plan: Plan): PlanSummary {
  const providers = new Map<string, { gpuHours: number; compute: Micros }>();
  let placed = 0;
  for (const row of plan.byProvider) {
    const entry = providers.get(row.provider) ?? { gpuHours: 0, compute: 0n };
    const hours = row.gpus * hoursIn(row.period);
    entry.gpuHours += hours;
    entry.compute += row.compute;
    placed += hours;
    providers.set(row.provider, entry);
  }
  const unmetByWorkload = new Map<string, number>();
  let unmet = 0;
  for (const row of plan.unmet) {
    const hours = row.gpus * hoursIn(row.period);
    unmet += hours;
    unmetByWorkload.set(row.workload, (unmetByWorkload.get(row.workload) ?? 0) + hours);
  }
  return {
    scenario: plan.scenario,
    objective: plan.objective,
    placedGpuHours: placed,
    unmetGpuHours: unmet,
    byProvider: [...providers.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([provider, entry]) => ({
        provider,
        gpuHours: entry.gpuHours,
        compute: entry.compute,
        share: placed > 0 ? entry.gpuHours / placed : 0,
      })),
    commitments: plan.commitments,
    unmetByWorkload,
  };
}

/** Two plans side by side, matched by provider, commitment term and workload. */
export interface PlanComparison {
  readonly a: PlanSummary;
  readonly b: PlanSummary;
  readonly providers: readonly {
    readonly provider: string;
    readonly a?: ProviderSummary;
    readonly b?: ProviderSummary;
  }[];
  readonly commitments: readonly {
    readonly contract: string;
    readonly term: string;
    readonly a?: CommitmentStatus;
    readonly b?: CommitmentStatus;
  }[];
  /** Workloads whose unmet GPU-hours differ, by the size of the change, largest first. */
  readonly unmet: readonly { readonly workload: string; readonly a: number; readonly b: number }[];
}

/**
 * Compares two plans, of one scenario or of two: cost, demand, each provider's share of the
 * GPU-hours placed, commitment status, and the workloads whose unmet demand changed.
 */
export function comparePlans(planA: Plan, planB: Plan): PlanComparison {
  const a = summarizePlan(planA);
  const b = summarizePlan(planB);
  const providerIds = [...new Set([...a.byProvider, ...b.byProvider].map((p) => p.provider))].sort(
    compareText,
  );
  const key = (c: CommitmentStatus) => `${c.contract}\u0000${c.term}`;
  const terms = new Map<string, { contract: string; term: string }>();
  for (const c of [...a.commitments, ...b.commitments]) terms.set(key(c), c);
  const workloads = new Set([...a.unmetByWorkload.keys(), ...b.unmetByWorkload.keys()]);
  return {
    a,
    b,
    providers: providerIds.map((provider) => {
      const inA = a.byProvider.find((p) => p.provider === provider);
      const inB = b.byProvider.find((p) => p.provider === provider);
      return { provider, ...(inA ? { a: inA } : {}), ...(inB ? { b: inB } : {}) };
    }),
    commitments: [...terms.entries()]
      .sort(([x], [y]) => compareText(x, y))
      .map(([id, { contract, term }]) => {
        const inA = a.commitments.find((c) => key(c) === id);
        const inB = b.commitments.find((c) => key(c) === id);
        return { contract, term, ...(inA ? { a: inA } : {}), ...(inB ? { b: inB } : {}) };
      }),
    unmet: [...workloads]
      .map((workload) => ({
        workload,
        a: a.unmetByWorkload.get(workload) ?? 0,
        b: b.unmetByWorkload.get(workload) ?? 0,
      }))
      .filter((row) => row.a !== row.b)
      .sort(
        (x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || compareText(x.workload, y.workload),
      ),
  };
}
