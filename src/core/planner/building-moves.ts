import type { Scenario } from '../model.js';
import type { Cents } from '../money.js';
import { toCents } from '../money.js';
import { compareText } from '../order.js';
import type { Period } from '../period.js';
import type { Plan } from './plan.js';

/** The moves of a building's `online` month that `stargate value` prices: −1, +1 and +3. */
export const BUILDING_SHIFTS = [-1, 1, 3] as const;
export type BuildingShift = (typeof BUILDING_SHIFTS)[number];

/** One building's `online` month moved, clamped to the horizon. */
export interface BuildingMove {
  readonly building: string;
  readonly shift: BuildingShift;
  /** The month it comes online after the move. */
  readonly online: Period;
  /** Months actually moved (fewer than `shift` where the horizon clamps it; 0: no change). */
  readonly months: number;
}

/**
 * Each building's moves, in building order and then −1, +1, +3. A move is clamped to the
 * horizon (no earlier than its first month, no later than its last), so a building online
 * before the horizon starts gains nothing from coming earlier (`months` 0).
 */
export function buildingMoves(scenario: Scenario): BuildingMove[] {
  const { from, to } = scenario.horizon;
  return scenario.buildings.flatMap((building) =>
    BUILDING_SHIFTS.map((shift): BuildingMove => {
      const start = Math.max(building.online, from);
      const online = Math.min(Math.max(building.online + shift, from), Math.max(to, start));
      return {
        building: building.id,
        shift,
        online: online as Period,
        months: online - start,
      };
    }),
  );
}

/**
 * The scenario with one building online in another month: the building and the pool made
 * from it both change, nothing else (its capex schedule does not enter the plan's cost).
 * Throws when the building is not in the scenario.
 */
export function withBuildingOnline(scenario: Scenario, building: string, online: Period): Scenario {
  if (!scenario.buildings.some((b) => b.id === building)) {
    throw new Error(`no building ${building} in scenario ${scenario.name}`);
  }
  return {
    ...scenario,
    buildings: scenario.buildings.map((b) => (b.id === building ? { ...b, online } : b)),
    pools: scenario.pools.map((p) =>
      p.building === building ? { ...p, window: { ...p.window, from: online } } : p,
    ),
  };
}

/**
 * Whether a plan of `scenario` is, unchanged, a plan of `moved` that no re-plan can beat:
 * `moved` gives no pool a month it did not have (only later `from`s, same `to`s), and the plan
 * places nothing on a pool in a month it lost. Less capacity never lowers the optimum, and the
 * plan stays feasible at the same cost, so the re-planned plan may be the plan itself, with its
 * own bound (a bound of the problem with more capacity). The caller still checks the plan
 * against `moved` (`verifyPlan`), as every plan is checked.
 */
export function keepsPlan(scenario: Scenario, moved: Scenario, plan: Plan): boolean {
  if (moved.pools.length !== scenario.pools.length) return false;
  const lostFrom = new Map<string, { from: Period; to: Period }>();
  for (const [p, pool] of moved.pools.entries()) {
    const before = scenario.pools[p];
    if (!before || before.id !== pool.id || before.gpus !== pool.gpus) return false;
    if (pool.window.from === before.window.from && pool.window.to === before.window.to) continue;
    if (pool.window.from < before.window.from || pool.window.to !== before.window.to) return false;
    lostFrom.set(pool.id, { from: before.window.from, to: (pool.window.from - 1) as Period });
  }
  return plan.assignments.every((a) => {
    const lost = lostFrom.get(a.pool);
    return !lost || a.period < lost.from || a.period > lost.to;
  });
}

/**
 * How much more plan B costs than plan A, and the interval the true change of optimum lies
 * in given both plans' proven lower bounds: [L_B − C_A, C_B − L_A]. When both plans are
 * proven optimal the interval is the change itself (to the cent).
 */
export interface CostChange {
  readonly change: Cents;
  readonly low: Cents;
  readonly high: Cents;
}

/** What a cost change needs of a plan: its exact total and its proven bound. */
export interface PlanCostOnly {
  readonly objective: { readonly total: Plan['objective']['total'] };
  readonly lowerBound: Plan['lowerBound'];
}

/** The cost and bound of a plan, without its placements (a large plan's take gigabytes). */
export function planCost(plan: Plan): PlanCostOnly {
  return { objective: { total: plan.objective.total }, lowerBound: plan.lowerBound };
}

/** `CostChange` from plan A to plan B. */
export function costChange(a: PlanCostOnly, b: PlanCostOnly): CostChange {
  const costA = toCents(a.objective.total);
  const costB = toCents(b.objective.total);
  return { change: costB - costA, low: b.lowerBound - costA, high: costB - a.lowerBound };
}

/** What moving one building would do, priced against the base plan. */
export interface BuildingValue {
  readonly building: string;
  readonly site: string;
  readonly gpus: number;
  readonly online: Period;
  /**
   * Coming online a month earlier: what it saves (base − earlier, so ≥ 0 when both plans
   * are optimal) and the interval of that saving; undefined when the horizon leaves no
   * earlier month.
   */
  readonly monthEarlier?: CostChange & { readonly online: Period };
  /** A month late: what it costs (late − base), and the interval. */
  readonly monthLate?: CostChange & { readonly online: Period; readonly months: number };
  /** A quarter (three months) late, clamped to the horizon's last month. */
  readonly quarterLate?: CostChange & { readonly online: Period; readonly months: number };
}

/**
 * Puts each building's re-planned moves against the base plan, most valuable month-earlier
 * first (then the costliest month late, then id). `plans[i]` is the plan of `moves[i]`,
 * undefined for a move of 0 months (no re-plan needed).
 */
export function buildingValues(
  scenario: Scenario,
  base: PlanCostOnly,
  moves: readonly BuildingMove[],
  plans: readonly (PlanCostOnly | undefined)[],
): BuildingValue[] {
  const unchanged: CostChange = { change: 0n, low: 0n, high: 0n };
  const values = scenario.buildings.map((building): BuildingValue => {
    const priced = (shift: BuildingShift) => {
      const i = moves.findIndex((m) => m.building === building.id && m.shift === shift);
      const move = moves[i];
      if (!move || move.months === 0) return undefined;
      const plan = plans[i];
      return { move, change: plan ? costChange(base, plan) : unchanged };
    };
    const earlier = priced(-1);
    const late = priced(1);
    const quarter = priced(3);
    return {
      building: building.id,
      site: building.site,
      gpus: building.gpus,
      online: building.online,
      ...(earlier
        ? {
            monthEarlier: {
              // Saving = −(cost change); its interval flips.
              change: -earlier.change.change,
              low: -earlier.change.high,
              high: -earlier.change.low,
              online: earlier.move.online,
            },
          }
        : {}),
      ...(late
        ? { monthLate: { ...late.change, online: late.move.online, months: late.move.months } }
        : {}),
      ...(quarter
        ? {
            quarterLate: {
              ...quarter.change,
              online: quarter.move.online,
              months: quarter.move.months,
            },
          }
        : {}),
    };
  });
  const key = (value: CostChange | undefined) => value?.change ?? 0n;
  return values.sort(
    (a, b) =>
      descending(key(a.monthEarlier), key(b.monthEarlier)) ||
      descending(key(a.monthLate), key(b.monthLate)) ||
      compareText(a.building, b.building),
  );
}

function descending(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? -1 : 1;
}
