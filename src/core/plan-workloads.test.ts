import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/load.js';
import { dedent, parseValid } from '../test-support/unit-scenarios.js';
import type { PlanJson } from './planner/plan-json.js';
import { planToJson } from './planner/plan-json.js';
import { planProblem } from './planner/planner.js';
import { buildProblem } from './planner/problem.js';
import { summarisePlanWorkloads, workloadDetail, workloadListRow } from './plan-workloads.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

/** Two pools at different prices, three workloads; prices chosen so costs are easy to check. */
const scenario = parseValid(
  dedent(`
    apiVersion: stargate/v1
    kind: Scenario
    metadata: { name: summary }
    horizon: { start: 2026-01, end: 2026-12 }
    accelerators:
      - { id: h100, kwPerGpu: 1.2 }
    providers:
      - { id: azure, name: Microsoft Azure, kind: hyperscaler }
      - { id: oracle, name: Oracle, kind: partner }
    pools:
      - { id: az, provider: azure, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
      - { id: oci, provider: oracle, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.50" }
    workloads:
      - { id: train, class: training, team: research, accelerators: [h100], gpus: 15, window: { from: 2026-01, to: 2026-04 }, valuePerGpuHour: "5.00" }
      - { id: api, class: api, accelerators: [h100], gpus: 4, window: { from: 2026-03, to: 2026-05 }, valuePerGpuHour: "3.00" }
      - { id: idle, class: research, accelerators: [h100], gpus: 1, window: { from: 2027-01, to: 2027-06 }, valuePerGpuHour: "1.00" }
  `),
);

const EXCLUSIVE = 'exclusivity term api-on-azure of msa allows only azure for class api';
const FULL = 'pool az is full: train (10)';

/** A plan written by hand, as the planner would store it. */
const plan: PlanJson = {
  scenario: 'summary',
  objective: { totalUSD: 1, computeUSD: 1, shortfallUSD: 0, unmetUSD: 0 },
  bound: { lowerBoundUSD: 1, gap: 0 },
  assignments: [
    { workload: 'train', pool: 'oci', period: '2026-01', gpus: 10 },
    { workload: 'train', pool: 'oci', period: '2026-02', gpus: 10 },
    { workload: 'train', pool: 'az', period: '2026-01', gpus: 5 },
    { workload: 'train', pool: 'az', period: '2026-02', gpus: 5 },
    { workload: 'train', pool: 'az', period: '2026-03', gpus: 4 },
    { workload: 'api', pool: 'az', period: '2026-03', gpus: 4 },
  ],
  unmet: [
    { workload: 'train', period: '2026-03', gpus: 11, reasons: [FULL] },
    { workload: 'train', period: '2026-04', gpus: 15, reasons: [FULL] },
    { workload: 'api', period: '2026-04', gpus: 4, reasons: [EXCLUSIVE, FULL] },
    { workload: 'api', period: '2026-05', gpus: 4, reasons: [EXCLUSIVE] },
  ],
  commitments: [],
  byProvider: [],
  solver: { method: 'fast', status: 'feasible', boundSource: 'test' },
};

describe('summarisePlanWorkloads', () => {
  const summary = summarisePlanWorkloads(plan, scenario);
  const row = (id: string) => {
    const found = summary.workloads.find((entry) => entry.workload === id);
    if (!found) throw new Error(`no row ${id}`);
    return found;
  };

  it('gives one row per workload of the scenario, sorted by id, placed or not', () => {
    expect(summary.workloads.map((entry) => entry.workload)).toEqual(['api', 'idle', 'train']);
    expect(row('idle')).toMatchObject({
      placedGpuMonths: 0,
      unmetGpuMonths: 0,
      // Its window lies after the horizon: nothing to place.
      demandGpuMonths: 0,
      placed: null,
      pools: [],
      reasons: [],
    });
  });

  it('adds up GPU-months and folds the months into runs per pool', () => {
    const train = row('train');
    expect(train).toMatchObject({
      class: 'training',
      team: 'research',
      gpus: 15,
      window: { from: '2026-01', to: '2026-04' },
      demandGpuMonths: 60,
      placedGpuMonths: 34,
      unmetGpuMonths: 26,
      placed: { from: '2026-01', to: '2026-03' },
      providers: ['azure', 'oracle'],
    });
    // Most GPU-months first; equal months of equal GPUs are one run.
    expect(train.pools.map((pool) => [pool.pool, pool.gpuMonths, pool.runs])).toEqual([
      ['oci', 20, [{ from: '2026-01', to: '2026-02', gpus: 10 }]],
      [
        'az',
        14,
        [
          { from: '2026-01', to: '2026-02', gpus: 5 },
          { from: '2026-03', to: '2026-03', gpus: 4 },
        ],
      ],
    ]);
    expect(train.unmet).toEqual([
      { from: '2026-03', to: '2026-03', gpus: 11 },
      { from: '2026-04', to: '2026-04', gpus: 15 },
    ]);
  });

  it('prices placements and unmet demand exactly, by the hours of each month', () => {
    // oci: 10 GPUs × (744 + 672) h × $1.50; az: 5 × (744 + 672) × $2 + 4 × 744 × $2.
    expect(row('train').pools.map((pool) => pool.computeUSD)).toEqual([21_240, 14_160 + 5_952]);
    expect(row('train').computeUSD).toBe(21_240 + 14_160 + 5_952);
    // 11 × 744 h (March) + 15 × 720 h (April), at $5.
    expect(row('train').unmetUSD).toBe((11 * 744 + 15 * 720) * 5);
  });

  it('lists each reason once for the whole plan, and per row with its months', () => {
    expect(summary.reasons).toEqual([FULL, EXCLUSIVE]);
    const api = row('api');
    expect(api.reasons.map((entry) => [summary.reasons[entry.reason], entry.periods])).toEqual([
      [EXCLUSIVE, [{ from: '2026-04', to: '2026-05' }]],
      [FULL, [{ from: '2026-04', to: '2026-04' }]],
    ]);
    expect(workloadDetail(summary, api).reasons).toEqual([
      { text: EXCLUSIVE, periods: [{ from: '2026-04', to: '2026-05' }] },
      { text: FULL, periods: [{ from: '2026-04', to: '2026-04' }] },
    ]);
  });

  it('lists a row without its months, with the span of its unmet demand', () => {
    const listed = workloadListRow(row('train'));
    expect(listed.pools).toEqual([
      { pool: 'oci', provider: 'oracle', gpuMonths: 20, computeUSD: 21_240 },
      { pool: 'az', provider: 'azure', gpuMonths: 14, computeUSD: 20_112 },
    ]);
    expect(listed.unmetRange).toEqual({ from: '2026-03', to: '2026-04' });
    expect(listed.reasons).toEqual([0]);
    expect(workloadListRow(row('idle')).unmetRange).toBeNull();
  });

  it('refuses a plan that names a workload or pool its scenario lacks', () => {
    const stranger = {
      ...plan,
      unmet: [{ workload: 'ghost', period: '2026-01', gpus: 1, reasons: [] }],
    };
    expect(() => summarisePlanWorkloads(stranger, scenario)).toThrow(/workload ghost/);
    const elsewhere = {
      ...plan,
      assignments: [{ workload: 'api', pool: 'gcp', period: '2026-03', gpus: 1 }],
    };
    expect(() => summarisePlanWorkloads(elsewhere, scenario)).toThrow(/pool gcp/);
  });
});

describe('summarisePlanWorkloads on the example', () => {
  it('accounts for every assignment and unmet row of a real plan', async () => {
    const example = await loadScenarioFile(EXAMPLE);
    const json = planToJson(planProblem(buildProblem(example), { planner: 'fast', fast: {} }));
    const summary = summarisePlanWorkloads(json, example);
    const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
    expect(total(summary.workloads.map((row) => row.placedGpuMonths))).toBe(
      total(json.assignments.map((row) => row.gpus)),
    );
    expect(total(summary.workloads.map((row) => row.unmetGpuMonths))).toBe(
      total(json.unmet.map((row) => row.gpus)),
    );
    // Rounded per pool to the cent: within a cent a pool of the plan's total.
    const pools = summary.workloads.flatMap((row) => row.pools).length;
    expect(
      Math.abs(total(summary.workloads.map((row) => row.computeUSD)) - json.objective.computeUSD),
    ).toBeLessThanOrEqual(pools * 0.01);
    expect(
      Math.abs(total(summary.workloads.map((row) => row.unmetUSD)) - json.objective.unmetUSD),
    ).toBeLessThanOrEqual(summary.workloads.length * 0.01);
    // The unmet pre-training run says which clause keeps it off which pools.
    const pretrain = summary.workloads.find((row) => row.workload === 'pretrain-2029');
    expect(pretrain?.unmetGpuMonths).toBeGreaterThan(0);
    const reasons = (pretrain?.reasons ?? []).map((entry) => summary.reasons[entry.reason]);
    expect(reasons.some((text) => /term \S+ of \S+/.test(text ?? ''))).toBe(true);
    // Each reason text is listed once.
    expect(new Set(summary.reasons).size).toBe(summary.reasons.length);
  });
});
