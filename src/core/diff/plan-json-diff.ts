import { compareText } from '../order.js';
import type { PlanJson } from '../planner/plan-json.js';

/** Two stored plans compared: cost, providers, commitments, unmet demand and what moved. */
export interface PlanJsonDiff {
  readonly objective: Record<
    'totalUSD' | 'computeUSD' | 'shortfallUSD' | 'unmetUSD',
    { a: number; b: number; change: number }
  >;
  /** GPU-months placed and compute cost per provider, over the horizon. */
  readonly providers: readonly DiffRow<'provider'>[];
  readonly commitments: readonly {
    contract: string;
    term: string;
    shortfallUSD: { a: number; b: number; change: number };
  }[];
  /** Unmet GPU-months per workload, where they changed. */
  readonly unmet: readonly DiffRow<'workload'>[];
  /** GPU-months per (workload, pool) where they changed: the work that moved. */
  readonly moved: readonly (DiffRow<'workload'> & { pool: string })[];
}

type DiffRow<K extends string> = Record<K, string> & {
  gpuMonths: { a: number; b: number; change: number };
};

const pair = (a: number, b: number) => ({ a, b, change: round(b - a) });
const round = (value: number) => Math.round(value * 100) / 100;

function sums<T>(rows: readonly T[], key: (row: T) => string, value: (row: T) => number) {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0) + value(row));
  return totals;
}

function changed(a: Map<string, number>, b: Map<string, number>) {
  return [...new Set([...a.keys(), ...b.keys()])]
    .map((key) => ({ key, a: a.get(key) ?? 0, b: b.get(key) ?? 0 }))
    .filter((row) => row.a !== row.b)
    .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || compareText(x.key, y.key));
}

/** Compares two plans in the spec's JSON form; rows sorted by the size of the change, then id. */
export function diffPlanJson(a: PlanJson, b: PlanJson): PlanJsonDiff {
  const objective = {
    totalUSD: pair(a.objective.totalUSD, b.objective.totalUSD),
    computeUSD: pair(a.objective.computeUSD, b.objective.computeUSD),
    shortfallUSD: pair(a.objective.shortfallUSD, b.objective.shortfallUSD),
    unmetUSD: pair(a.objective.unmetUSD, b.objective.unmetUSD),
  };
  const gpuA = sums(
    a.byProvider,
    (r) => r.provider,
    (r) => r.gpus,
  );
  const gpuB = sums(
    b.byProvider,
    (r) => r.provider,
    (r) => r.gpus,
  );
  const providers = [...new Set([...gpuA.keys(), ...gpuB.keys()])]
    .sort(compareText)
    .map((provider) => ({
      provider,
      gpuMonths: pair(gpuA.get(provider) ?? 0, gpuB.get(provider) ?? 0),
    }));
  const shortA = new Map(
    a.commitments.map((c) => [`${c.contract}\u0000${c.term}`, c.shortfallUSD]),
  );
  const shortB = new Map(
    b.commitments.map((c) => [`${c.contract}\u0000${c.term}`, c.shortfallUSD]),
  );
  const commitments = [...new Set([...shortA.keys(), ...shortB.keys()])]
    .sort(compareText)
    .map((key) => {
      const [contract = '', term = ''] = key.split('\u0000');
      return { contract, term, shortfallUSD: pair(shortA.get(key) ?? 0, shortB.get(key) ?? 0) };
    });
  const unmet = changed(
    sums(
      a.unmet,
      (r) => r.workload,
      (r) => r.gpus,
    ),
    sums(
      b.unmet,
      (r) => r.workload,
      (r) => r.gpus,
    ),
  ).map((row) => ({ workload: row.key, gpuMonths: pair(row.a, row.b) }));
  const placement = (plan: PlanJson) =>
    sums(
      plan.assignments,
      (r) => `${r.workload}\u0000${r.pool}`,
      (r) => r.gpus,
    );
  const moved = changed(placement(a), placement(b)).map((row) => {
    const [workload = '', pool = ''] = row.key.split('\u0000');
    return { workload, pool, gpuMonths: pair(row.a, row.b) };
  });
  return { objective, providers, commitments, unmet, moved };
}
