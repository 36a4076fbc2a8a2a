import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import { dedent, parseValid } from '../../test-support/unit-scenarios.js';
import type { Scenario } from '../model.js';
import { toCents } from '../money.js';
import { formatPeriod, parsePeriod } from '../period.js';
import type { Period } from '../period.js';
import { buildingMoves, buildingValues, costChange, withBuildingOnline } from './building-moves.js';
import { planExact } from './exact.js';
import type { Plan } from './plan.js';
import { buildProblem } from './problem.js';
import { planFromRelaxation } from './relaxed.js';
import type { LinearSolver } from './solver.js';

let solver: LinearSolver;

beforeAll(async () => {
  solver = await createHighsSolver();
});

/**
 * Half a year; azure sells 100 H100 at `azurePrice`, and two Stargate buildings of 100 GPUs
 * come online in March (b1, at `b1Price`) and in June (b2, at $1.00). One workload needs 100
 * GPUs all half-year, worth $5 a GPU-hour; a gang run needs 100 in May and June.
 */
function scenario(b1Price = '1.00', azurePrice = '3.00', gang = true): Scenario {
  return parseValid(
    dedent(`
      apiVersion: stargate/v1
      kind: Scenario
      metadata: { name: moves }
      horizon: { start: 2026-01, end: 2026-06 }
      accelerators:
        - { id: gb200, kwPerGpu: 1.0 }
      providers:
        - { id: azure, name: Microsoft Azure, kind: hyperscaler }
        - { id: stargate, name: Stargate, kind: owned }
      sites:
        - { id: abilene, provider: stargate }
        - { id: milam, provider: stargate }
        - { id: east, provider: azure }
      pools:
        - { id: azure-gb200, provider: azure, site: east, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "${azurePrice}" }
      buildings:
        - { id: b1, site: abilene, itMW: 0.1, gpus: 100, accelerator: gb200, online: 2026-03, pricePerGpuHour: "${b1Price}", rofr: cleared }
        - { id: b2, site: milam, itMW: 0.1, gpus: 100, accelerator: gb200, online: 2026-06, pricePerGpuHour: "1.00", rofr: cleared }
      workloads:
        - { id: api, class: api, accelerators: [gb200], gpus: 100, window: { from: 2026-01, to: 2026-06 }, valuePerGpuHour: "5" }
        - { id: run, class: training, accelerators: [gb200], gpus: 100, gang: ${gang}, window: { from: 2026-05, to: 2026-06 }, valuePerGpuHour: "5" }
    `),
  );
}

const month = (text: string) => parsePeriod(text) as Period;

function exactPlan(s: Scenario): Plan {
  return planExact(buildProblem(s), solver);
}

/** Every move of a scenario's buildings, planned exactly, priced against the base plan. */
function values(s: Scenario) {
  const base = exactPlan(s);
  const moves = buildingMoves(s);
  const plans = moves.map((m) =>
    m.months === 0 ? undefined : exactPlan(withBuildingOnline(s, m.building, m.online)),
  );
  return { base, moves, plans, values: buildingValues(s, base, moves, plans) };
}

describe('buildingMoves', () => {
  it('moves each building −1, +1 and +3 months, clamped to the horizon', () => {
    const moves = buildingMoves(scenario()).map(
      (m) => `${m.building} ${m.shift} ${formatPeriod(m.online)} ${m.months}`,
    );
    expect(moves).toEqual([
      'b1 -1 2026-02 -1',
      'b1 1 2026-04 1',
      'b1 3 2026-06 3',
      'b2 -1 2026-05 -1',
      // June is the horizon's last month: later is no move at all.
      'b2 1 2026-06 0',
      'b2 3 2026-06 0',
    ]);
  });

  it('does not move a building online before the horizon earlier', () => {
    const s = withBuildingOnline(scenario(), 'b1', month('2025-11'));
    const [earlier, late, quarter] = buildingMoves(s);
    expect(earlier?.months).toBe(0);
    // A month late is December, still before the horizon: no move either.
    expect(late?.months).toBe(0);
    // A quarter late is February: one month later than the horizon sees it now.
    expect(quarter && formatPeriod(quarter.online)).toBe('2026-02');
    expect(quarter?.months).toBe(1);
  });
});

describe('withBuildingOnline', () => {
  it("moves the building and its pool's window, and nothing else", () => {
    const s = scenario();
    const moved = withBuildingOnline(s, 'b1', month('2026-02'));
    expect(moved.buildings.find((b) => b.id === 'b1')?.online).toBe(month('2026-02'));
    expect(moved.pools.find((p) => p.id === 'b1')?.window).toEqual({
      from: month('2026-02'),
      to: month('2026-06'),
    });
    expect(moved.pools.find((p) => p.id === 'b2')).toBe(s.pools.find((p) => p.id === 'b2'));
    expect(() => withBuildingOnline(s, 'nope', month('2026-02'))).toThrow(/no building nope/);
  });
});

describe('costChange', () => {
  it('gives the change of cost and the interval from both proven bounds', () => {
    const plan = (total: bigint, lowerBound: bigint) =>
      ({ objective: { total: total * 10_000n }, lowerBound }) as unknown as Plan;
    // A costs 1,000 (bound 990), B costs 900 (bound 850): the optimum fell by 50 to 140.
    expect(costChange(plan(1000n, 990n), plan(900n, 850n))).toEqual({
      change: -100n,
      low: -150n,
      high: -90n,
    });
  });
});

describe('buildingValues', () => {
  it('prices a month earlier, a month late and a quarter late by re-planning', () => {
    const { values: result } = values(scenario());
    const b1 = result.find((v) => v.building === 'b1');
    // b1 in February takes api off azure for February: ($3 − $1) × 100 GPUs × 672 h.
    expect(b1?.monthEarlier?.change).toBe(13_440_000n);
    // In April instead of March: March's 744 h on azure.
    expect(b1?.monthLate?.change).toBe(14_880_000n);
    // In June: api pays azure's $3 instead of $1 in March and April; the gang run can no
    // longer use abilene in May, so it takes azure and api goes unserved in May ($5 lost,
    // $3 paid, instead of $1 + $3), and in June api runs on b1 or b2 beside it ($3 + $1
    // instead of $1 + $1).
    expect(b1?.quarterLate?.change).toBe(((744n + 720n) * 200n + 744n * 400n + 720n * 200n) * 100n);
    // Optimal plans on both sides: the interval is the change.
    expect(b1?.monthEarlier?.low).toBe(b1?.monthEarlier?.high);
    // b2 cannot come later within the horizon.
    const b2 = result.find((v) => v.building === 'b2');
    expect(b2?.monthLate).toBeUndefined();
    expect(b2?.quarterLate).toBeUndefined();
    // b2 in May takes api off azure for May: ($3 − $1) × 100 × 744 h, more than b1's
    // February, so b2 comes first.
    expect(b2?.monthEarlier?.change).toBe(14_880_000n);
    expect(result.map((v) => v.building)).toEqual(['b2', 'b1']);
  });

  it('never raises the optimum by bringing a building no dearer than the others earlier', () => {
    for (const [b1Price, azurePrice] of [
      ['1.00', '3.00'],
      ['2.00', '2.00'],
      ['0.50', '9.00'],
      ['4.00', '4.50'],
    ] as const) {
      for (const gang of [true, false]) {
        const { values: result } = values(scenario(b1Price, azurePrice, gang));
        for (const value of result) {
          expect(value.monthEarlier?.change ?? 0n).toBeGreaterThanOrEqual(0n);
          expect(value.monthEarlier?.low ?? 0n).toBeGreaterThanOrEqual(0n);
        }
      }
    }
  });
});

describe('planFromRelaxation', () => {
  it('costs what the exact planner costs on every move, or leaves the move to it', () => {
    let settled = 0;
    for (const gang of [true, false]) {
      const s = scenario('1.00', '3.00', gang);
      const base = exactPlan(s);
      for (const move of buildingMoves(s)) {
        if (move.months === 0) continue;
        const moved = withBuildingOnline(s, move.building, move.online);
        const problem = buildProblem(moved);
        const fromLps = planFromRelaxation(problem, solver, base);
        if (!fromLps) continue;
        settled++;
        const exact = planExact(problem, solver);
        expect(toCents(fromLps.objective.total)).toBe(toCents(exact.objective.total));
        expect(fromLps.lowerBound).toBeLessThanOrEqual(toCents(fromLps.objective.total));
        expect(fromLps.solver.status).toBe('optimal');
      }
    }
    expect(settled).toBeGreaterThan(0);
  });
});
