import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../scenario/load.js';
import { createHighsSolver } from '../../solver/highs-solver.js';
import { generatedScenario } from '../../test-support/generated.js';
import type { Scenario } from '../model.js';
import { toCents } from '../money.js';
import type { Period } from '../period.js';
import { parsePeriod } from '../period.js';
import type { PlanCostOnly } from './building-moves.js';
import {
  buildingMoves,
  costChange,
  keepsPlan,
  planCost,
  withBuildingOnline,
} from './building-moves.js';
import { planExact } from './exact.js';
import { planFastState } from './fast.js';
import { FastReplanner, widened } from './fast-replan.js';
import type { Plan } from './plan.js';
import { planProblem } from './planner.js';
import { buildProblem } from './problem.js';
import type { LinearSolver } from './solver.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/stargate-2025.yaml', import.meta.url));

let solver: LinearSolver;
beforeAll(async () => {
  solver = await createHighsSolver();
});

const month = (text: string) => parsePeriod(text) as Period;

function fastBase(scenario: Scenario): { base: Plan; replanner: FastReplanner } {
  const problem = buildProblem(scenario);
  const base = planProblem(problem, { planner: 'fast' });
  return { base, replanner: new FastReplanner(scenario, base, planFastState(problem).state) };
}

describe('FastReplanner', () => {
  // Generated portfolios with buildings and gang workloads (a fifth gang), small enough for
  // HiGHS to prove every moved scenario's optimum.
  it.each([
    { workloads: 50, pools: 30, months: 18, seed: 5 },
    { workloads: 40, pools: 30, months: 24, seed: 1 },
  ])(
    'gives intervals that hold the true change of optimum on every move: %o',
    (size) => {
      const scenario = generatedScenario({ ...size, gangShare: 0.2 });
      const { base, replanner } = fastBase(scenario);
      const exactBase = planExact(buildProblem(scenario), solver, { timeLimitSeconds: 20 });
      let kept = 0;
      let replanned = 0;
      let moved = 0;
      for (const move of buildingMoves(scenario)) {
        if (move.months === 0) continue;
        const other = withBuildingOnline(scenario, move.building, move.online);
        let plan: PlanCostOnly | undefined;
        if (keepsPlan(scenario, other, base)) {
          plan = base;
          kept++;
        } else {
          plan = replanner.replan(other);
          replanned++;
        }
        expect(plan).toBeDefined();
        if (!plan) continue;
        const exact = planExact(buildProblem(other), solver, { timeLimitSeconds: 20 });
        expect(exact.solver.status).toBe('optimal');
        // The true optimum lies in [bound, total] of both the re-plan and HiGHS's plan.
        expect(plan.lowerBound).toBeLessThanOrEqual(toCents(exact.objective.total));
        expect(toCents(plan.objective.total)).toBeGreaterThanOrEqual(exact.lowerBound);
        // So the true change lies in both intervals: they meet.
        const change = costChange(base, plan);
        const truth = costChange(exactBase, exact);
        expect(change.low).toBeLessThanOrEqual(truth.high);
        expect(change.high).toBeGreaterThanOrEqual(truth.low);
        if (toCents(plan.objective.total) !== toCents(base.objective.total)) moved++;
      }
      expect(kept).toBeGreaterThan(0);
      expect(replanned).toBeGreaterThan(0);
      // Some re-plans do change the plan's cost: the months touched are really solved again.
      expect(moved).toBeGreaterThan(0);
    },
    60_000,
  );

  it('moves a gang run within its site where it still fits, as a whole re-plan does', async () => {
    // On the example planned fast, pretrain-2025b (150,000 GPUs, 2025-10..2026-01) runs on
    // abilene-b1..b4. abilene-b4 a month late takes December from it: the run stays at Abilene
    // on the other buildings, as the fast planner re-planning the whole scenario finds; dropped
    // instead, it would cost $337.8M more, not $8.9M.
    const scenario = await loadScenarioFile(EXAMPLE);
    const { base, replanner } = fastBase(scenario);
    const moved = withBuildingOnline(scenario, 'abilene-b4', month('2026-01'));
    expect(keepsPlan(scenario, moved, base)).toBe(false);
    const plan = replanner.replan(moved);
    const whole = planProblem(buildProblem(moved), { planner: 'fast' });
    expect(plan && costChange(base, plan).change).toBe(costChange(base, planCost(whole)).change);
    expect(plan && costChange(base, plan).change).toBe(892_800_000n);
  });

  it('gives the base plan back, with a bound no higher, when nothing moves', () => {
    const scenario = generatedScenario({ workloads: 50, pools: 30, months: 18, seed: 5 });
    const { base, replanner } = fastBase(scenario);
    const same = replanner.replan(scenario);
    expect(same && toCents(same.objective.total)).toBe(toCents(base.objective.total));
    expect(same?.lowerBound).toBeLessThanOrEqual(toCents(base.objective.total));
  });

  it('declines a scenario that differs in more than its pools’ windows', () => {
    const scenario = generatedScenario({ workloads: 50, pools: 30, months: 18, seed: 5 });
    const { replanner } = fastBase(scenario);
    const pools = scenario.pools.map((p, i) => (i === 0 ? { ...p, gpus: p.gpus + 1 } : p));
    expect(replanner.replan({ ...scenario, pools })).toBeUndefined();
    expect(replanner.replan({ ...scenario, workloads: [...scenario.workloads] })).toBeUndefined();
  });
});

describe('widened', () => {
  it("opens each building's pools a month early, never before the horizon", () => {
    const scenario = generatedScenario({ workloads: 50, pools: 30, months: 18, seed: 5 });
    const wide = widened(scenario);
    expect(scenario.buildings.length).toBeGreaterThan(0);
    for (const building of scenario.buildings) {
      const from = Math.max(building.online - 1, scenario.horizon.from) as Period;
      expect(wide.buildings.find((b) => b.id === building.id)?.online).toBe(
        Math.min(from, building.online),
      );
      for (const [p, pool] of wide.pools.entries()) {
        if (pool.building !== building.id) continue;
        expect(pool.window.from).toBe(Math.min(from, scenario.pools[p]?.window.from ?? from));
      }
    }
  });
});

describe('keepsPlan', () => {
  it('keeps the plan for a late move only when nothing sits in the months lost', () => {
    const scenario = generatedScenario({ workloads: 50, pools: 30, months: 18, seed: 5 });
    const { base } = fastBase(scenario);
    const used = new Set(base.assignments.map((a) => `${a.pool} ${a.period}`));
    let checked = 0;
    for (const move of buildingMoves(scenario)) {
      if (move.months === 0) continue;
      const moved = withBuildingOnline(scenario, move.building, move.online);
      const pool = scenario.pools.find((p) => p.building === move.building);
      if (!pool) continue;
      let idle = move.shift > 0;
      for (let t = pool.window.from; t < move.online; t++) {
        if (used.has(`${pool.id} ${t}`)) idle = false;
      }
      expect(keepsPlan(scenario, moved, base)).toBe(idle);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
