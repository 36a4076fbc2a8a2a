import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import { generatedProblem } from '../../test-support/generated.js';
import { dedent, parseValid } from '../../test-support/unit-scenarios.js';
import { toCents } from '../money.js';
import { formatPeriod } from '../period.js';
import type { Family } from '../../scenario/generate-families.js';
import { buildExactModel, planExact, solveExact } from './exact.js';
import type { Plan } from './plan.js';
import { planToJson } from './plan-json.js';
import { buildProblem } from './problem.js';
import type { LinearModel, LinearSolver, SolveOptions } from './solver.js';
import { verifyPlan } from './verify.js';

let solver: LinearSolver;

beforeAll(async () => {
  solver = await createHighsSolver();
});

const HEADER = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: planner-test }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
    - { id: gb200, kwPerGpu: 1.8 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: oracle, name: Oracle, kind: partner }
    - { id: stargate, name: Stargate, kind: owned }
`);

/** Plans a scenario given by its horizon and the rest of its sections, as YAML. */
function plan(horizon: string, body: string): Plan {
  const scenario = parseValid(`${HEADER}horizon: ${horizon}\n${dedent(body)}`);
  const result = planExact(buildProblem(scenario), solver);
  // Every plan the tests look at must also pass the independent check.
  expect(verifyPlan(scenario, result.assignments)).toEqual([]);
  return result;
}

/** Assignments as `workload pool period gpus`, easy to compare. */
function placed(result: Plan): string[] {
  return result.assignments.map(
    (a) => `${a.workload} ${a.pool} ${formatPeriod(a.period)} ${a.gpus}`,
  );
}

/** The objective in cents: total, compute, shortfall, unmet. */
function cents(result: Plan): Record<string, bigint> {
  return {
    total: toCents(result.objective.total),
    compute: toCents(result.objective.compute),
    shortfall: toCents(result.objective.shortfall),
    unmet: toCents(result.objective.unmet),
  };
}

const JANUARY = '{ start: 2026-01, end: 2026-01 }';

describe('planExact', () => {
  it('fills the cheapest eligible pool first, then the next', () => {
    const result = plan(
      JANUARY,
      `
      pools:
        - { id: cheap, provider: oracle, accelerator: h100, gpus: 50, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
        - { id: dear, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
        - { id: dearer, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
        - { id: wrong-chip, provider: stargate, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "0.10" }
      workloads:
        - { id: w, class: api, accelerators: [h100], gpus: 80, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
      `,
    );
    expect(placed(result)).toEqual(['w cheap 2026-01 50', 'w dear 2026-01 30']);
    // 50 × 744 h × $1 + 30 × 744 h × $2
    expect(cents(result)).toEqual({
      total: 8_184_000n,
      compute: 8_184_000n,
      shortfall: 0n,
      unmet: 0n,
    });
    expect(result.unmet).toEqual([]);
    expect(result.solver.status).toBe('optimal');
    const json = planToJson(result);
    expect(json.bound.lowerBoundUSD).toBeLessThanOrEqual(json.objective.totalUSD);
    expect(json.bound.gap).toBeGreaterThanOrEqual(0);
    expect(json.bound.gap).toBeLessThan(1e-6);
  });

  it('respects capacity and leaves the rest unmet, valued exactly', () => {
    const result = plan(
      '{ start: 2026-01, end: 2026-02 }',
      `
      pools:
        - { id: small, provider: azure, accelerator: h100, gpus: 60, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
        - { id: other, provider: oracle, accelerator: h100, gpus: 40, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.50" }
      workloads:
        - { id: big, class: api, accelerators: [h100], gpus: 130, window: { from: 2026-01, to: 2026-02 }, valuePerGpuHour: "4" }
      `,
    );
    expect(placed(result)).toEqual([
      'big other 2026-01 40',
      'big other 2026-02 40',
      'big small 2026-01 60',
      'big small 2026-02 60',
    ]);
    expect(result.unmet.map((u) => [u.workload, formatPeriod(u.period), u.gpus])).toEqual([
      ['big', '2026-01', 30],
      ['big', '2026-02', 30],
    ]);
    // Unmet: 30 GPUs × (744 + 672) h × $4 = $169,920.
    // Compute: (60 × $1 + 40 × $1.50) × (744 + 672) h = $169,920.
    expect(cents(result)).toEqual({
      total: 33_984_000n,
      compute: 16_992_000n,
      shortfall: 0n,
      unmet: 16_992_000n,
    });
    const reasons = result.unmet[0]?.reasons ?? [];
    expect(reasons).toHaveLength(2);
    expect(reasons.find((r) => r.startsWith('pool small '))).toMatch(
      /^pool small is full: .*\b60\b.*big/,
    );
    expect(reasons.find((r) => r.startsWith('pool other '))).toMatch(
      /^pool other is full: .*\b40\b.*big/,
    );
  });

  it('does not place where a pool costs more than the work is worth', () => {
    const result = plan(
      JANUARY,
      `
      pools:
        - { id: gold, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "9.00" }
      workloads:
        - { id: w, class: api, accelerators: [h100], gpus: 10, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
      `,
    );
    expect(result.assignments).toEqual([]);
    expect(result.unmet[0]?.reasons).toEqual([
      'pool gold costs $9.00/GPU-hour, not less than the $5.00/GPU-hour the work is worth',
    ]);
  });

  it('values unmet demand exactly: GPUs × hours × value', () => {
    // February 2028 has 696 hours: 7 × 696 × $3.333333 = $16,239.998376, $16,240.00 in cents.
    const result = plan(
      '{ start: 2028-01, end: 2028-03 }',
      `
      workloads:
        - { id: w, class: api, accelerators: [h100], gpus: 7, window: { from: 2028-02, to: 2028-02 }, valuePerGpuHour: "3.333333" }
      `,
    );
    expect(result.objective.unmet).toBe(16_239_998_376n);
    expect(result.objective.total).toBe(16_239_998_376n);
    expect(planToJson(result).objective).toEqual({
      totalUSD: 16240,
      computeUSD: 0,
      shortfallUSD: 0,
      unmetUSD: 16240,
    });
    expect(result.unmet).toEqual([
      { workload: 'w', period: result.unmet[0]?.period, gpus: 7, reasons: ['no pool offers h100'] },
    ]);
    expect(formatPeriod(result.unmet[0]!.period)).toBe('2028-02');
  });

  it('prices 6-decimal prices exactly and rounds half-up to cents', () => {
    // 3 GPUs × 744 h × $1.234567 = $2,755.553544 → $2,755.55;
    // 3 GPUs × 744 h × $1.234375 = $2,755.125 exactly → $2,755.13 (half-up).
    const result = plan(
      '{ start: 2026-01, end: 2026-02 }',
      `
      pools:
        - { id: p, provider: azure, accelerator: h100, gpus: 3, window: { from: 2026-01, to: 2026-01 }, pricePerGpuHour: "1.234567" }
        - { id: q, provider: oracle, accelerator: gb200, gpus: 3, window: { from: 2026-01, to: 2026-01 }, pricePerGpuHour: "1.234375" }
      workloads:
        - { id: a, class: api, accelerators: [h100], gpus: 3, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
        - { id: b, class: api, accelerators: [gb200], gpus: 3, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
      `,
    );
    expect(placed(result)).toEqual(['a p 2026-01 3', 'b q 2026-01 3']);
    expect(result.objective.compute).toBe(2_755_553_544n + 2_755_125_000n);
    const json = planToJson(result);
    expect(json.byProvider).toEqual([
      { provider: 'azure', period: '2026-01', gpus: 3, capacityGpus: 3, computeUSD: 2755.55 },
      { provider: 'oracle', period: '2026-01', gpus: 3, capacityGpus: 3, computeUSD: 2755.13 },
    ]);
    // The total is rounded once, from the exact sum: $5,510.678544 → $5,510.68.
    expect(json.objective.computeUSD).toBe(5510.68);
    expect(json.objective.totalUSD).toBe(5510.68);
  });

  describe('gang workloads', () => {
    it('places a gang whole on one site, across pools of that site', () => {
      const result = plan(
        '{ start: 2026-01, end: 2026-02 }',
        `
        sites:
          - { id: east, provider: azure }
          - { id: west, provider: azure }
        pools:
          - { id: east-1, provider: azure, site: east, accelerator: h100, gpus: 60, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
          - { id: east-2, provider: azure, site: east, accelerator: h100, gpus: 60, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
          - { id: west-1, provider: azure, site: west, accelerator: h100, gpus: 80, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
        workloads:
          - { id: gang, class: training, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-02 }, valuePerGpuHour: "5", gang: true }
        `,
      );
      // west is cheaper but holds only 80: a gang may not spill over to east.
      const sites = new Set(result.assignments.map((a) => a.pool.split('-')[0]));
      expect([...sites]).toEqual(['east']);
      for (const period of ['2026-01', '2026-02']) {
        const sum = result.assignments
          .filter((a) => formatPeriod(a.period) === period)
          .reduce((total, a) => total + a.gpus, 0);
        expect(sum).toBe(100);
      }
      expect(result.unmet).toEqual([]);
      // 100 GPUs × (744 + 672) h × $2
      expect(cents(result).compute).toBe(28_320_000n);
    });

    it('leaves a gang unmet when only two sites together could hold it, and says why', () => {
      const result = plan(
        JANUARY,
        `
        sites:
          - { id: east, provider: azure }
          - { id: west, provider: oracle }
        pools:
          - { id: east-1, provider: azure, site: east, accelerator: h100, gpus: 60, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
          - { id: west-1, provider: oracle, site: west, accelerator: h100, gpus: 60, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
          - { id: loose, provider: oracle, accelerator: h100, gpus: 60, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
        workloads:
          - { id: gang, class: training, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5", gang: true }
        `,
      );
      expect(result.assignments).toEqual([]);
      expect(result.unmet.map((u) => [u.workload, formatPeriod(u.period), u.gpus])).toEqual([
        ['gang', '2026-01', 100],
      ]);
      expect(cents(result).unmet).toBe(37_200_000n); // 100 × 744 h × $5
      const [need, reason] = result.unmet[0]?.reasons ?? [];
      expect(need).toMatch(/^gang workload needs 100 GPUs of one accelerator at one site/);
      expect(reason).toMatch(/^no site can hold it: /);
      expect(reason).toContain('east (h100) has room for 60 in 2026-01');
      expect(reason).toContain('west (h100) has room for 60 in 2026-01');
      // A pool without a site is a site of its own.
      expect(reason).toMatch(/loose \(h100\) has room for 60 in 2026-01/);
    });

    it('serves a gang in every month or in none', () => {
      const result = plan(
        '{ start: 2026-01, end: 2026-03 }',
        `
        pools:
          - { id: short, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-02 }, pricePerGpuHour: "1.00" }
        workloads:
          - { id: gang, class: training, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "5", gang: true }
          - { id: loose, class: training, accelerators: [h100], gpus: 10, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "5" }
        `,
      );
      expect(placed(result)).toEqual(['loose short 2026-01 10', 'loose short 2026-02 10']);
      expect(result.unmet.map((u) => `${u.workload} ${formatPeriod(u.period)} ${u.gpus}`)).toEqual([
        'gang 2026-01 100',
        'gang 2026-02 100',
        'gang 2026-03 100',
        'loose 2026-03 10',
      ]);
    });
  });

  it('uses the committed provider when the shortfall would be paid anyway', () => {
    // Without the commitment all 10 GPUs go to oracle ($1.50). With $10,000 committed to
    // azure ($2.00, 744 h → $1,488 a GPU): 7 on azure spend $10,416 ≥ $10,000 and cost
    // $13,764 in all; 6 on azure would leave a $1,072 shortfall, $14,464 in all.
    const body = (contracts: string) => `
      pools:
        - { id: az, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
        - { id: oci, provider: oracle, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.50" }
      workloads:
        - { id: w, class: api, accelerators: [h100], gpus: 10, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
      ${contracts}
    `;
    const free = plan(JANUARY, body(''));
    expect(placed(free)).toEqual(['w oci 2026-01 10']);

    const committed = plan(
      JANUARY,
      body(`
      contracts:
        - id: msft
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: azure-commit, type: commitment, provider: azure, minSpendUSD: 10000, window: { from: 2026-01, to: 2026-12 } }
      `),
    );
    expect(placed(committed)).toEqual(['w az 2026-01 7', 'w oci 2026-01 3']);
    expect(cents(committed)).toEqual({
      total: 1_376_400n,
      compute: 1_376_400n,
      shortfall: 0n,
      unmet: 0n,
    });
    expect(planToJson(committed).commitments).toEqual([
      {
        contract: 'msft',
        term: 'azure-commit',
        provider: 'azure',
        minSpendUSD: 10000,
        spendUSD: 10416,
        shortfallUSD: 0,
      },
    ]);
  });

  it('pays the shortfall when the committed provider has nothing to offer', () => {
    const result = plan(
      JANUARY,
      `
      pools:
        - { id: oci, provider: oracle, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.50" }
      workloads:
        - { id: w, class: api, accelerators: [h100], gpus: 10, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
      contracts:
        - id: msft
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: azure-commit, type: commitment, provider: azure, minSpendUSD: "2500.25", window: { from: 2026-01, to: 2026-12 } }
      `,
    );
    expect(placed(result)).toEqual(['w oci 2026-01 10']);
    expect(cents(result)).toEqual({
      total: 1_116_000n + 250_025n,
      compute: 1_116_000n,
      shortfall: 250_025n,
      unmet: 0n,
    });
  });

  it('does not place on a pending ROFR pool and names the term in the unmet reason', () => {
    const body = (rofr: string) => `
      pools:
        - { id: az, provider: azure, accelerator: h100, gpus: 4, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
        - { id: oci-new, provider: oracle, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00", origin: new, rofr: ${rofr} }
      workloads:
        - { id: w, class: api, accelerators: [h100], gpus: 10, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
      contracts:
        - id: msft
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: first-refusal, type: rofr, holder: azure, responseDays: 60 }
    `;
    const pending = plan(JANUARY, body('pending'));
    expect(placed(pending)).toEqual(['w az 2026-01 4']);
    expect(pending.unmet.map((u) => u.gpus)).toEqual([6]);
    expect(pending.unmet[0]?.reasons).toContain(
      'rofr term first-refusal of msft: new capacity must first be offered to azure, and its refusal is still pending (excludes oci-new)',
    );
    expect(cents(pending).unmet).toBe(2_232_000n); // 6 × 744 h × $5

    const cleared = plan(JANUARY, body('cleared'));
    expect(placed(cleared)).toEqual(['w oci-new 2026-01 10']);
    expect(cleared.unmet).toEqual([]);
  });

  it('names an exclusivity term that keeps a workload off the only free pool', () => {
    const result = plan(
      JANUARY,
      `
      pools:
        - { id: oci, provider: oracle, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
      workloads:
        - { id: api, class: api, accelerators: [h100], gpus: 10, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
      contracts:
        - id: msft-openai
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
      `,
    );
    expect(result.assignments).toEqual([]);
    expect(result.unmet[0]?.reasons).toEqual([
      'exclusivity term api-on-azure of msft-openai allows only azure for class api (excludes oci)',
    ]);
  });

  it('gives the same plan for the same input, byte for byte', () => {
    const body = `
      sites:
        - { id: east, provider: azure }
      pools:
        - { id: a, provider: azure, site: east, accelerator: h100, gpus: 50, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
        - { id: b, provider: azure, site: east, accelerator: h100, gpus: 50, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
        - { id: c, provider: oracle, accelerator: h100, gpus: 50, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
      workloads:
        - { id: x, class: api, accelerators: [h100], gpus: 40, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "5" }
        - { id: y, class: api, accelerators: [h100], gpus: 40, window: { from: 2026-02, to: 2026-04 }, valuePerGpuHour: "5" }
        - { id: z, class: training, accelerators: [h100], gpus: 60, window: { from: 2026-01, to: 2026-02 }, valuePerGpuHour: "6", gang: true }
    `;
    const first = JSON.stringify(planToJson(plan('{ start: 2026-01, end: 2026-06 }', body)));
    const second = JSON.stringify(planToJson(plan('{ start: 2026-01, end: 2026-06 }', body)));
    expect(second).toBe(first);
  });
});

describe('solveExact', () => {
  const scenario = () =>
    parseValid(
      `${HEADER}horizon: ${JANUARY}\n${dedent(`
      pools:
        - { id: cheap, provider: oracle, accelerator: h100, gpus: 50, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
      workloads:
        - { id: train, class: api, accelerators: [h100], gpus: 40, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "9" }
      `)}`,
    );

  /** A solver that was stopped past its time limit, as the HiGHS adapter reports it. */
  const overrunning = (seen: SolveOptions[]): LinearSolver => ({
    name: 'slow',
    solve: (_model, options) => {
      seen.push(options);
      return { status: 'overran', message: 'slow gave no answer within its 2 s time limit' };
    },
  });

  it("gives an overrun as a value, with the solver's words, and passes the limit on", () => {
    const seen: SolveOptions[] = [];
    const problem = buildProblem(scenario());
    expect(solveExact(problem, overrunning(seen), { timeLimitSeconds: 2 })).toEqual({
      status: 'overran',
      message: 'slow gave no answer within its 2 s time limit',
    });
    expect(seen.map((options) => options.timeLimitSeconds)).toEqual([2]);
  });

  it('gives the same plan as planExact when the solver answers', () => {
    const problem = buildProblem(scenario());
    const outcome = solveExact(problem, solver, { timeLimitSeconds: 30 });
    if (outcome.status !== 'solved') throw new Error(outcome.message);
    expect(planToJson(outcome.plan)).toEqual(planToJson(planExact(problem, solver)));
    expect(outcome.plan.solver).toMatchObject({ method: 'exact', status: 'optimal' });
  });

  it('leaves planExact, which has nothing to fall back on, to throw on an overrun', () => {
    const problem = buildProblem(scenario());
    expect(() => planExact(problem, overrunning([]), { timeLimitSeconds: 2 })).toThrow(
      'slow found no plan: slow gave no answer within its 2 s time limit',
    );
  });

  it('gives a failure of the solver as a value, with its words', () => {
    const failing: LinearSolver = {
      name: 'broken',
      solve: () => ({ status: 'error', message: 'Aborted()' }),
    };
    expect(solveExact(buildProblem(scenario()), failing)).toEqual({
      status: 'failed',
      message: 'Aborted()',
    });
  });

  it('throws where the model has no plan: the model always has one, so that is a bug', () => {
    const failing: LinearSolver = {
      name: 'broken',
      solve: () => ({ status: 'no-solution', message: 'model status 7' }),
    };
    expect(() => solveExact(buildProblem(scenario()), failing)).toThrow(
      'broken found no plan: model status 7',
    );
  });
});

describe('buildExactModel with site rows', () => {
  // The rows are implied by the model: with them the LP relaxation and the MIP optimum must be
  // what they are without them. A row that cut off a feasible plan would raise the optimum.
  it.each<[Family, number]>([
    ['gang-heavy', 2],
    ['mixed', 2],
    ['long-gangs', 4],
  ])(
    'adds rows that change neither the LP nor the MIP optimum (%s 30 × 8 × 6, seed %i)',
    (family, seed) => {
      const problem = generatedProblem({ workloads: 30, pools: 8, months: 6, family, seed });
      const plain = buildExactModel(problem);
      const sited = buildExactModel(problem, { siteRows: true });
      expect(sited.model.numRows).toBeGreaterThan(plain.model.numRows);
      expect(sited.model.numCols).toBe(plain.model.numCols);
      const objective = (model: LinearModel, relax: boolean) => {
        const outcome = solver.solve(model, { relax, relativeGap: 1e-9 });
        if (!('objective' in outcome) || outcome.status !== 'optimal') {
          throw new Error(`not solved: ${outcome.status}`);
        }
        return outcome.objective;
      };
      for (const relax of [true, false]) {
        const without = objective(plain.model, relax);
        expect(Math.abs(objective(sited.model, relax) - without)).toBeLessThanOrEqual(
          1e-6 * Math.abs(without),
        );
      }
    },
  );
});
