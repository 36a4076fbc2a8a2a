import { describe, expect, it } from 'vitest';
import { providerQuarters, unmetOverview } from './plan-overview.js';
import type { PlanWorkloads, WorkloadRow } from './plan-workloads.js';

describe('providerQuarters', () => {
  it("folds months into quarters: GPUs the mean over the plan's months, cost the sum", () => {
    const rows = providerQuarters([
      { provider: 'azure', period: '2026-01', gpus: 10, capacityGpus: 30, computeUSD: 0.1 },
      { provider: 'azure', period: '2026-02', gpus: 20, capacityGpus: 30, computeUSD: 0.2 },
      { provider: 'azure', period: '2026-03', gpus: 30, capacityGpus: 30, computeUSD: 0.7 },
      // Online from the quarter's last month only: the other two count as none.
      { provider: 'stargate', period: '2026-03', gpus: 9, capacityGpus: 10, computeUSD: 1.25 },
      { provider: 'azure', period: '2026-04', gpus: 5, capacityGpus: 30, computeUSD: 2 },
    ]);
    expect(rows).toEqual([
      {
        provider: 'azure',
        quarter: '2026-Q1',
        months: 3,
        gpus: 20,
        capacityGpus: 30,
        computeUSD: 1,
      },
      {
        provider: 'stargate',
        quarter: '2026-Q1',
        months: 3,
        gpus: 3,
        capacityGpus: 3.33,
        computeUSD: 1.25,
      },
      {
        provider: 'azure',
        quarter: '2026-Q2',
        months: 1,
        gpus: 5,
        capacityGpus: 30,
        computeUSD: 2,
      },
    ]);
  });

  it('refuses a month that is not YYYY-MM', () => {
    expect(() =>
      providerQuarters([
        { provider: 'azure', period: '2026-13', gpus: 1, capacityGpus: 1, computeUSD: 0 },
      ]),
    ).toThrow('2026-13');
  });
});

const row = (
  workload: string,
  unmetGpuMonths: number,
  reasons: number[],
  unmet: WorkloadRow['unmet'] = [],
): WorkloadRow => ({
  workload,
  class: 'training',
  team: null,
  gpus: 1,
  window: { from: '2026-01', to: '2026-12' },
  gang: false,
  demandGpuMonths: 12,
  placedGpuMonths: 12 - unmetGpuMonths,
  unmetGpuMonths,
  computeUSD: 0,
  unmetUSD: 0,
  placed: null,
  providers: [],
  pools: [],
  unmet,
  reasons: reasons.map((reason) => ({ reason, periods: [] })),
});

describe('unmetOverview', () => {
  const summary: PlanWorkloads = {
    scenario: 'test',
    objective: { totalUSD: 0, computeUSD: 0, shortfallUSD: 0, unmetUSD: 0 },
    bound: { lowerBoundUSD: 0, gap: 0 },
    solver: { method: 'fast', status: 'feasible', boundSource: 'lp' },
    commitments: [],
    reasons: [
      'gang workload needs 400 GPUs of one accelerator at one site',
      'rofr term msft-rofr of msft-openai-2025: new capacity must first be offered to azure',
      'pool azure-h100 is full',
    ],
    workloads: [
      row(
        'a',
        5,
        [0, 1],
        [
          { from: '2026-02', to: '2026-03', gpus: 2 },
          { from: '2026-05', to: '2026-05', gpus: 1 },
        ],
      ),
      row('b', 0, []),
      row('c', 5, [2]),
      row('d', 7, []),
      row('e', 1, [2]),
    ],
  };

  it('totals the unmet demand and names the most unmet, with the clause that kept each out', () => {
    const overview = unmetOverview(summary, 3);
    expect(overview.gpuMonths).toBe(18);
    expect(overview.workloads).toBe(4);
    expect(overview.top).toEqual([
      { workload: 'd', class: 'training', unmetGpuMonths: 7, unmetRange: null, reason: null },
      {
        workload: 'a',
        class: 'training',
        unmetGpuMonths: 5,
        unmetRange: { from: '2026-02', to: '2026-05' },
        // Not the first reason given: the first that names a clause.
        reason: summary.reasons[1],
      },
      // No clause among its reasons: its first.
      {
        workload: 'c',
        class: 'training',
        unmetGpuMonths: 5,
        unmetRange: null,
        reason: summary.reasons[2],
      },
    ]);
  });
});
