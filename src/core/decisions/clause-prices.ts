import { compileRules, matchesSelector } from '../contracts.js';
import type { Contract, Pool, Scenario, Term } from '../model.js';
import type { Micros } from '../money.js';
import { centsToNumber, MICROS_PER_USD } from '../money.js';
import { compareText } from '../order.js';
import { intersect } from '../period.js';
import { evaluatePlacements } from '../planner/evaluate.js';
import { finishPlan } from '../planner/finish.js';
import type { Objective, Placement, Plan } from '../planner/plan.js';
import type { PlacementProblem } from '../planner/problem.js';

/** The terms that shape placement, and so are priced by re-solving without them. */
export const PLACEMENT_TERM_TYPES = [
  'exclusivity',
  'use-restriction',
  'rofr',
  'commitment',
] as const;

export type PlacementTermType = (typeof PLACEMENT_TERM_TYPES)[number];

/** A term of a contract, named by both ids (term ids are unique only within a contract). */
export interface TermRef {
  readonly contract: string;
  readonly term: string;
}

/** A term that shapes placement, as the price report names it. */
export interface PlacementTerm extends TermRef {
  readonly type: PlacementTermType;
  /**
   * Whether the term restricts anything on its own, whatever the other terms say: a
   * restriction that keeps some workload off some pool it could otherwise use inside the
   * horizon, a rofr with pending pools it covers, a commitment in force. A term that does not
   * bind changes no plan, alone or with any other, so it costs nothing and is not re-solved.
   */
  readonly binds: boolean;
}

/** One re-solve: the scenario with these terms relaxed. */
export interface Relaxation {
  /** The terms relaxed, one (a single) or two (a pair), in scenario order. */
  readonly terms: readonly TermRef[];
  /**
   * Which solve answers it: the keys of the binding terms among `terms`, joined by `+`; the
   * empty string is the base plan. Relaxations with the same key share one solve.
   */
  readonly solve: string;
}

const MICROS_PER_CENT = MICROS_PER_USD / 100n;

/** `contract/term`: the key of a term in maps and solve keys. */
export function termKey(ref: TermRef): string {
  return `${ref.contract}/${ref.term}`;
}

function isPlacementTerm(term: Term): term is Extract<Term, { type: PlacementTermType }> {
  return (PLACEMENT_TERM_TYPES as readonly string[]).includes(term.type);
}

/**
 * The terms of a scenario that shape placement, in the order the scenario lists them, each
 * with whether relaxing it changes the placement problem at all.
 */
export function placementTerms(scenario: Scenario): PlacementTerm[] {
  const terms: PlacementTerm[] = [];
  const free = compileRules({ ...scenario, contracts: [] });
  for (const contract of scenario.contracts) {
    for (const term of contract.terms) {
      if (!isPlacementTerm(term)) continue;
      const ref = { contract: contract.id, term: term.id };
      terms.push({ ...ref, type: term.type, binds: binds(scenario, free, contract, term) });
    }
  }
  return terms;
}

/**
 * The terms that do not shape placement (revenue share, notes): their money, if any, is in
 * the ledger, not in a re-solve.
 */
export function ledgerTerms(scenario: Scenario): (TermRef & { readonly type: Term['type'] })[] {
  return scenario.contracts.flatMap((contract) =>
    contract.terms
      .filter((term) => !isPlacementTerm(term))
      .map((term) => ({ contract: contract.id, term: term.id, type: term.type })),
  );
}

function binds(
  scenario: Scenario,
  free: ReturnType<typeof compileRules>,
  contract: Contract,
  term: Extract<Term, { type: PlacementTermType }>,
): boolean {
  const during = intersect(contract.effective, scenario.horizon);
  if (!during) return false;
  if (term.type === 'commitment') {
    return term.minSpend > 0n && intersect(term.window, during) !== undefined;
  }
  if (term.type === 'rofr' && pendingPools(scenario, term).length === 0) return false;
  // The term alone, whatever the others say: a term another one masks still binds once that
  // one is relaxed, so only a term that keeps nothing off anything may be skipped.
  const alone = compileRules({ ...scenario, contracts: [{ ...contract, terms: [term] }] });
  for (const workload of scenario.workloads) {
    for (const pool of scenario.pools) {
      if (alone.termDenials(workload, pool).length === 0) continue;
      if (free.eligibleRanges(workload, pool).some((r) => intersect(r, during))) return true;
    }
  }
  return false;
}

/** The new pools a rofr term holds back while their offer is pending. */
function pendingPools(scenario: Scenario, term: Extract<Term, { type: 'rofr' }>): Pool[] {
  return scenario.pools.filter(
    (pool) =>
      pool.origin === 'new' &&
      pool.rofr !== 'cleared' &&
      pool.provider !== term.holder &&
      matchesSelector(term.pools, pool),
  );
}

/**
 * The scenario with some terms relaxed: an exclusivity, use-restriction or commitment term is
 * removed from its contract; for a rofr term every pending pool it covers (and the building
 * it comes from) is cleared, as if the holder had declined every offer. Throws on a term the
 * scenario does not have, or one that does not shape placement.
 *
 * @example
 * relaxScenario(scenario, [{ contract: 'msft-openai-2025', term: 'api-on-azure' }])
 */
export function relaxScenario(scenario: Scenario, refs: readonly TermRef[]): Scenario {
  const removed = new Set<string>();
  const cleared = new Set<string>();
  for (const ref of refs) {
    const contract = scenario.contracts.find((c) => c.id === ref.contract);
    const term = contract?.terms.find((t) => t.id === ref.term);
    if (!term) throw new Error(`no term ${ref.term} in contract ${ref.contract}`);
    if (!isPlacementTerm(term)) {
      throw new Error(
        `term ${ref.term} of ${ref.contract} is ${term.type}: it does not shape placement`,
      );
    }
    if (term.type === 'rofr') for (const pool of pendingPools(scenario, term)) cleared.add(pool.id);
    else removed.add(termKey(ref));
  }
  const buildings = new Set(
    scenario.pools
      .filter((p) => cleared.has(p.id) && p.building !== undefined)
      .map((p) => p.building),
  );
  return {
    ...scenario,
    contracts: scenario.contracts.map((contract) =>
      contract.terms.some((t) => removed.has(termKey({ contract: contract.id, term: t.id })))
        ? {
            ...contract,
            terms: contract.terms.filter(
              (t) => !removed.has(termKey({ contract: contract.id, term: t.id })),
            ),
          }
        : contract,
    ),
    pools: scenario.pools.map((pool) =>
      cleared.has(pool.id) ? { ...pool, rofr: 'cleared' } : pool,
    ),
    buildings: scenario.buildings.map((b) => (buildings.has(b.id) ? { ...b, rofr: 'cleared' } : b)),
  };
}

/**
 * Every single term that shapes placement and, when `pairs` is set, every pair of them, with
 * the solve that answers each. A relaxation's solve is keyed by its binding terms only, so a
 * term that does not bind costs no solve and a pair with one costs none beyond its partner's.
 */
export function clauseRelaxations(
  terms: readonly PlacementTerm[],
  options: { readonly pairs: boolean },
): { singles: Relaxation[]; pairs: Relaxation[]; solves: TermRef[][] } {
  const solveOf = (group: readonly PlacementTerm[]) =>
    group
      .filter((t) => t.binds)
      .map(termKey)
      .join('+');
  const ref = (t: PlacementTerm): TermRef => ({ contract: t.contract, term: t.term });
  const singles = terms.map((t) => ({ terms: [ref(t)], solve: solveOf([t]) }));
  const pairs: Relaxation[] = [];
  if (options.pairs) {
    terms.forEach((a, i) => {
      for (const b of terms.slice(i + 1))
        pairs.push({ terms: [ref(a), ref(b)], solve: solveOf([a, b]) });
    });
  }
  const byKey = new Map(terms.map((t) => [termKey(t), t]));
  const keys = [...new Set([...singles, ...pairs].map((r) => r.solve))].filter((k) => k !== '');
  const solves = keys.map((key) =>
    key.split('+').map((k) => {
      const term = byKey.get(k);
      if (!term) throw new Error(`unknown term ${k}`);
      return ref(term);
    }),
  );
  return { singles, pairs, solves };
}

/** A part of the objective, as the price report breaks it down. */
export type Component = keyof Objective;

/** What relaxing one or two terms is worth: the base plan's cost less the relaxed plan's. */
export interface ClausePrice {
  readonly terms: readonly TermRef[];
  /** Point estimate of what the terms cost, base − relaxed, per component and in total. */
  readonly price: Objective;
  /**
   * Where the true difference of the two optima lies, from the plans' proven bounds:
   * `[max(0, L_base − C_relaxed), C_base − L_relaxed]`, each bound widened by a cent for the
   * float noise of the solver's bound. Relaxing can only lower the optimum, hence the 0.
   */
  readonly interval: { readonly low: Micros; readonly high: Micros };
  /**
   * `costs`: the interval lies above 0, so the price is real; `nothing`: the interval ends
   * within the two cents of noise; `within-gap`: it holds both 0 and more, so the solvers'
   * gaps hide whether the term costs anything.
   */
  readonly verdict: 'costs' | 'nothing' | 'within-gap';
  /** Workloads placed differently, most GPU-months first. */
  readonly workloads: readonly {
    readonly workload: string;
    /** GPU-months the relaxed plan places where the base plan did not. */
    readonly movedGpuMonths: number;
    /** GPU-months of its demand served in the relaxed plan and not the base (or − less). */
    readonly servedGpuMonths: number;
  }[];
  /** GPU-months placed differently in all (Σ of `movedGpuMonths`). */
  readonly movedGpuMonths: number;
  /** Unmet GPU-months of the base plan less those of the relaxed one. */
  readonly servedGpuMonths: number;
  /** Money each provider receives in the relaxed plan less in the base, most gained first. */
  readonly providers: readonly {
    readonly provider: string;
    readonly compute: Micros;
    readonly shortfall: Micros;
    readonly total: Micros;
  }[];
  /** For a pair: its price less the two singles' prices (how the terms interact). */
  readonly interaction?: Micros;
}

/**
 * Prices a relaxation from the base plan (every term) and the relaxed plan: the difference in
 * total and in each component, the interval of the true difference from both plans' proven
 * bounds, what moves and to which providers the money goes.
 */
export function priceRelaxation(terms: readonly TermRef[], base: Plan, relaxed: Plan): ClausePrice {
  const a = base.objective;
  const b = relaxed.objective;
  const price: Objective = {
    total: a.total - b.total,
    compute: a.compute - b.compute,
    shortfall: a.shortfall - b.shortfall,
    unmet: a.unmet - b.unmet,
  };
  // Each bound is widened by a cent: HiGHS's dual bound carries a cent of float noise.
  const lowRaw = (base.lowerBound - 1n) * MICROS_PER_CENT - b.total;
  const low = lowRaw > 0n ? lowRaw : 0n;
  const high = a.total - (relaxed.lowerBound - 1n) * MICROS_PER_CENT;
  const verdict = low > 0n ? 'costs' : high <= 2n * MICROS_PER_CENT ? 'nothing' : 'within-gap';

  const placed = (plan: Plan) => {
    const map = new Map<string, number>();
    for (const row of plan.assignments) {
      const key = `${row.workload}\u0000${row.pool}\u0000${row.period}`;
      map.set(key, (map.get(key) ?? 0) + row.gpus);
    }
    return map;
  };
  const placedA = placed(base);
  const placedB = placed(relaxed);
  const moved = new Map<string, number>();
  for (const [key, gpus] of placedB) {
    const more = gpus - (placedA.get(key) ?? 0);
    if (more > 0) {
      const workload = key.slice(0, key.indexOf('\u0000'));
      moved.set(workload, (moved.get(workload) ?? 0) + more);
    }
  }
  const unmetOf = (plan: Plan) => {
    const map = new Map<string, number>();
    for (const row of plan.unmet) map.set(row.workload, (map.get(row.workload) ?? 0) + row.gpus);
    return map;
  };
  const unmetA = unmetOf(base);
  const unmetB = unmetOf(relaxed);
  const changed = new Set([...moved.keys(), ...unmetA.keys(), ...unmetB.keys()]);
  const workloads = [...changed]
    .map((workload) => ({
      workload,
      movedGpuMonths: moved.get(workload) ?? 0,
      servedGpuMonths: (unmetA.get(workload) ?? 0) - (unmetB.get(workload) ?? 0),
    }))
    .filter((w) => w.movedGpuMonths !== 0 || w.servedGpuMonths !== 0)
    .sort(
      (x, y) =>
        y.movedGpuMonths - x.movedGpuMonths ||
        Math.abs(y.servedGpuMonths) - Math.abs(x.servedGpuMonths) ||
        compareText(x.workload, y.workload),
    );

  const money = new Map<string, { compute: Micros; shortfall: Micros }>();
  const add = (provider: string, part: 'compute' | 'shortfall', amount: Micros) => {
    const entry = money.get(provider) ?? { compute: 0n, shortfall: 0n };
    entry[part] += amount;
    money.set(provider, entry);
  };
  for (const row of relaxed.byProvider) add(row.provider, 'compute', row.compute);
  for (const row of base.byProvider) add(row.provider, 'compute', -row.compute);
  for (const row of relaxed.commitments) add(row.provider, 'shortfall', row.shortfall);
  for (const row of base.commitments) add(row.provider, 'shortfall', -row.shortfall);
  const providers = [...money.entries()]
    .map(([provider, m]) => ({ provider, ...m, total: m.compute + m.shortfall }))
    .filter((p) => p.compute !== 0n || p.shortfall !== 0n)
    .sort((x, y) =>
      y.total > x.total ? 1 : y.total < x.total ? -1 : compareText(x.provider, y.provider),
    );

  return {
    terms,
    price,
    interval: { low, high },
    verdict,
    workloads,
    movedGpuMonths: workloads.reduce((sum, w) => sum + w.movedGpuMonths, 0),
    servedGpuMonths: workloads.reduce((sum, w) => sum + w.servedGpuMonths, 0),
    providers,
  };
}

/** The price of every term and pair of terms, and the plans they come from. */
export interface ClausePrices {
  readonly scenario: string;
  /** The base plan's figures (every term in force). */
  readonly base: {
    readonly objective: Objective;
    readonly lowerBound: Micros;
    readonly solver: string;
  };
  readonly terms: readonly PlacementTerm[];
  readonly singles: readonly ClausePrice[];
  readonly pairs: readonly ClausePrice[];
  /** Terms priced in the ledger, not here. */
  readonly ledgerTerms: readonly (TermRef & { readonly type: Term['type'] })[];
  /** Distinct re-solves run (besides the base plan). */
  readonly solves: number;
}

/**
 * Assembles the report from the base plan and one plan per solve key (see
 * `clauseRelaxations`): singles in scenario order, pairs with their interaction.
 */
export function priceClauses(
  scenario: Scenario,
  terms: readonly PlacementTerm[],
  relaxations: { readonly singles: readonly Relaxation[]; readonly pairs: readonly Relaxation[] },
  base: Plan,
  plans: ReadonlyMap<string, Plan>,
): ClausePrices {
  const planOf = (key: string) => {
    if (key === '') return base;
    const plan = plans.get(key);
    if (!plan) throw new Error(`no plan for the relaxation ${key}`);
    return plan;
  };
  const singles = relaxations.singles.map((r) => priceRelaxation(r.terms, base, planOf(r.solve)));
  const single = new Map(
    singles.map((s) => [termKey(s.terms[0] ?? { contract: '', term: '' }), s]),
  );
  const pairs = relaxations.pairs.map((r) => {
    const priced = priceRelaxation(r.terms, base, planOf(r.solve));
    const [x, y] = r.terms.map((t) => single.get(termKey(t))?.price.total ?? 0n);
    return { ...priced, interaction: priced.price.total - (x ?? 0n) - (y ?? 0n) };
  });
  return {
    scenario: scenario.name,
    base: {
      objective: base.objective,
      lowerBound: base.lowerBound * MICROS_PER_CENT,
      solver: `${base.solver.method}, ${base.solver.status}`,
    },
    terms,
    singles,
    pairs,
    ledgerTerms: ledgerTerms(scenario),
    solves: new Set(
      [...relaxations.singles, ...relaxations.pairs].map((r) => r.solve).filter(Boolean),
    ).size,
  };
}

/**
 * The better of a relaxed scenario's plan and the base plan's placements priced under the
 * relaxed rules. Relaxing a term only widens what is allowed, so the base placements stay
 * valid and cost no more than before; taking them where the solver's plan is dearer (HiGHS
 * stops within a relative gap of 1e-6) keeps every price at 0 or above. The relaxed plan's
 * proven bound is kept. The result is checked by `verifyPlan` like any plan.
 */
export function betterOfBase(problem: PlacementProblem, relaxed: Plan, base: Plan): Plan {
  const workloads = new Map(problem.workloads.map((w, i) => [w.id, i]));
  const pools = new Map(problem.pools.map((p, i) => [p.id, i]));
  const placements: Placement[] = base.assignments.map((a) => {
    const workload = workloads.get(a.workload);
    const pool = pools.get(a.pool);
    if (workload === undefined || pool === undefined) {
      throw new Error(`the base plan places ${a.workload} on ${a.pool}, unknown here`);
    }
    return { workload, pool, period: a.period, gpus: a.gpus };
  });
  if (evaluatePlacements(problem, placements).objective.total >= relaxed.objective.total) {
    return relaxed;
  }
  const plan = finishPlan(problem, placements, {
    method: relaxed.solver.method,
    status: relaxed.solver.status,
    boundSource: relaxed.solver.boundSource,
    bound: centsToNumber(relaxed.lowerBound),
  });
  return {
    ...plan,
    solver: {
      ...plan.solver,
      note: `the base plan's placements: cheaper under the relaxed rules than the solver's plan, which is within its gap`,
    },
  };
}
