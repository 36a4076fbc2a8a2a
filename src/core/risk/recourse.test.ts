import { describe, expect, it } from 'vitest';
import { dedent, month, parseValid } from '../../test-support/unit-scenarios.js';
import type { Placement } from '../planner/plan.js';
import { buildProblem } from '../planner/problem.js';
import { seededRandom } from '../random.js';
import { recourseEvaluator } from './recourse.js';
import { comparePlansOnDraws, slipQuantilesOf, withSlips } from './hedge.js';
import { planRisk } from './risk.js';

/**
 * One building (b1, $1/GPU-hour, 100 GPUs from 2026-02) that slips, a cheaper spare pool and a
 * dearer one; one workload of 100 GPUs, 2026-02..2026-06, worth $5/GPU-hour.
 */
function scenario(options: { gang: boolean; dearGpus: number; commitmentUSD?: number }) {
  return parseValid(
    dedent(`
      apiVersion: stargate/v1
      kind: Scenario
      metadata: { name: risk-test }
      horizon: { start: 2026-01, end: 2026-06 }
      accelerators:
        - { id: gb200, kwPerGpu: 1.0 }
      providers:
        - { id: sg, name: Stargate, kind: partner }
        - { id: az, name: Azure, kind: hyperscaler }
      parties:
        - { id: openai, name: OpenAI, roles: [lab] }
        - { id: microsoft, name: Microsoft, roles: [provider], providers: [az] }
      sites:
        - { id: abilene, provider: sg }
      pools:
        - { id: dear, provider: az, accelerator: gb200, gpus: ${options.dearGpus}, window: { from: 2026-01, to: 2026-06 }, pricePerGpuHour: "4.00" }
        - { id: spare, provider: az, accelerator: gb200, gpus: 30, window: { from: 2026-01, to: 2026-06 }, pricePerGpuHour: "3.00" }
      buildings:
        - { id: b1, site: abilene, itMW: 0.1, accelerator: gb200, online: 2026-02, pricePerGpuHour: "1.00", rofr: cleared, delay: { type: discrete, outcomes: [{ months: 2, probability: 1 }] } }
      workloads:
        - { id: serve, class: inference, accelerators: [gb200], gpus: 100, gang: ${options.gang}, window: { from: 2026-02, to: 2026-06 }, valuePerGpuHour: "5" }
      contracts:
        - id: azure
          parties: [openai, microsoft]
          effective: { from: 2026-01, to: 2026-06 }
          terms:
            - { id: take-or-pay, type: commitment, provider: az, minSpendUSD: ${options.commitmentUSD ?? 0}, window: { from: 2026-01, to: 2026-06 } }
    `),
  );
}

const USD = 1_000_000n;
// Hours of 2026-02 and 2026-03, and of 2026-02..2026-06.
const FEB_MAR = 672n + 744n;
const ALL = 672n + 744n + 720n + 744n + 720n;

/** The plan every test starts from: the workload on b1 in every month of its window. */
function onBuilding(s: ReturnType<typeof scenario>): Placement[] {
  const pool = s.pools.findIndex((p) => p.id === 'b1');
  return Array.from({ length: 5 }, (_, i) => ({
    workload: 0,
    pool,
    period: (month('2026-02') + i) as Placement['period'],
    gpus: 100,
  }));
}

function evaluator(s: ReturnType<typeof scenario>) {
  const problem = buildProblem(s);
  const b1 = s.pools.findIndex((p) => p.id === 'b1');
  return recourseEvaluator(problem, onBuilding(s), [b1]);
}

describe('recourse under slips', () => {
  it('moves displaced GPU-months to the cheapest pools with room that month; the rest is unmet', () => {
    const s = scenario({ gang: false, dearGpus: 50 });
    const recourse = evaluator(s);
    expect(recourse.nominal.total).toBe(100n * ALL * USD);
    expect(recourse.nominal.unmetGpuMonths).toBe(0);
    expect(recourse.evaluate(Int32Array.of(0))).toEqual({
      total: 100n * ALL * USD,
      unmetGpuMonths: 0,
    });
    const short: [number, number, number][] = [];
    const outcome = recourse.evaluate(Int32Array.of(2), (w, period, gpus) =>
      short.push([w, period, gpus]),
    );
    // Feb and Mar: 30 GPUs on spare ($3), 50 on dear ($4), 20 unmet ($5); b1 from April.
    expect(outcome.total).toBe(
      (100n * (ALL - FEB_MAR) + (30n * 3n + 50n * 4n + 20n * 5n) * FEB_MAR) * USD,
    );
    expect(outcome.unmetGpuMonths).toBe(40);
    expect(short).toEqual([
      [0, month('2026-02'), 20],
      [0, month('2026-03'), 20],
    ]);
    // A draw leaves nothing behind: the next one starts from the plan again.
    expect(recourse.evaluate(Int32Array.of(1)).unmetGpuMonths).toBe(20);
  });

  it('counts moved spend toward commitments: a shortfall the moved work fills is saved', () => {
    const s = scenario({ gang: false, dearGpus: 50, commitmentUSD: 1_000_000 });
    const recourse = evaluator(s);
    // Nominally nothing runs on Azure: the whole commitment is shortfall.
    expect(recourse.nominal.shortfall).toBe(1_000_000n * USD);
    const spend = (30n * 3n + 50n * 4n) * FEB_MAR * USD;
    expect(recourse.evaluate(Int32Array.of(2)).total).toBe(
      100n * (ALL - FEB_MAR) * USD + spend + 20n * 5n * FEB_MAR * USD + (1_000_000n * USD - spend),
    );
  });

  it('moves a gang whole to another site with room in every month of its window', () => {
    const s = scenario({ gang: true, dearGpus: 100 });
    const recourse = evaluator(s);
    expect(recourse.evaluate(Int32Array.of(2))).toEqual({
      total: 100n * 4n * ALL * USD,
      unmetGpuMonths: 0,
    });
  });

  it('drops a gang that fits nowhere: its whole window is unmet', () => {
    const s = scenario({ gang: true, dearGpus: 50 });
    const recourse = evaluator(s);
    const short: number[] = [];
    expect(recourse.evaluate(Int32Array.of(1), (_w, _p, gpus) => short.push(gpus))).toEqual({
      total: 100n * 5n * ALL * USD,
      unmetGpuMonths: 500,
    });
    expect(short).toEqual([100, 100, 100, 100, 100]);
  });
});

describe('planRisk', () => {
  it('sums up the runs: cost percentiles, unmet GPU-months, short workloads, costliest slips', () => {
    // b1 slips 2 months in every run, so every run is the same.
    const s = scenario({ gang: false, dearGpus: 50 });
    const risk = planRisk(buildProblem(s), onBuilding(s), { runs: 20, random: seededRandom(5) });
    const slipped = (100n * (ALL - FEB_MAR) + (30n * 3n + 50n * 4n + 20n * 5n) * FEB_MAR) * USD;
    expect(risk.nominal).toEqual({ total: 100n * ALL * USD, unmetGpuMonths: 0 });
    expect(risk.total).toEqual({ p10: slipped, p50: slipped, p90: slipped, mean: slipped });
    expect(risk.unmetGpuMonths).toEqual({ p10: 40, p50: 40, p90: 40, mean: 40 });
    expect(risk.runsCostlier).toBe(20);
    expect(risk.workloads).toEqual([{ workload: 'serve', runsShort: 20, meanGpuMonthsShort: 40 }]);
    expect(risk.byBuilding).toEqual([
      {
        building: 'b1',
        runsSlipped: 20,
        meanSlipMonths: 2,
        expectedExtraCost: slipped - 100n * ALL * USD,
      },
    ]);
  });
});

describe('hedging', () => {
  it('plans around a building at its slip percentile, and compares plans on the same draws', () => {
    const s = scenario({ gang: false, dearGpus: 50 });
    // b1 slips exactly 2 months in every draw: every percentile is 2, p0 is no slip.
    const quantiles = slipQuantilesOf(s, seededRandom(1), 50, [0, 50, 90]);
    expect(quantiles.get(0)).toEqual(new Map([['b1', 0]]));
    expect(quantiles.get(90)).toEqual(new Map([['b1', 2]]));
    const later = withSlips(s, quantiles.get(90) ?? new Map<string, number>());
    expect(later.buildings[0]?.online).toBe(month('2026-04'));
    expect(later.pools.find((p) => p.id === 'b1')?.window.from).toBe(month('2026-04'));
    expect(later.pools.find((p) => p.id === 'spare')).toBe(s.pools.find((p) => p.id === 'spare'));

    // The same plan twice gives the same numbers; the slipped plan is the nominal's recourse.
    const problem = buildProblem(s);
    const [a, b] = comparePlansOnDraws(problem, [onBuilding(s), onBuilding(s)], {
      runs: 10,
      random: seededRandom(3),
    });
    expect(a).toEqual(b);
    const slipped = (100n * (ALL - FEB_MAR) + (30n * 3n + 50n * 4n + 20n * 5n) * FEB_MAR) * USD;
    expect(a?.nominal).toBe(100n * ALL * USD);
    expect(a?.total.mean).toBe(slipped);
  });
});
