import { beforeAll, describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../solver/highs-solver.js';
import { dedent, parseValid } from '../../test-support/unit-scenarios.js';
import { formatPeriod } from '../period.js';
import { capacityLp, capacityValues, fixedGangLp, perGpuHour } from './capacity-value.js';
import { planExact } from './exact.js';
import { planProblem } from './planner.js';
import { buildProblem } from './problem.js';
import type { LinearSolver } from './solver.js';
import { generatedScenario } from '../../test-support/generated.js';

let solver: LinearSolver;

beforeAll(async () => {
  solver = await createHighsSolver();
});

const HEADER = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: value-test }
  horizon: { start: 2026-01, end: 2026-01 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: oracle, name: Oracle, kind: partner }
  sites:
    - { id: east, provider: azure }
    - { id: west, provider: oracle }
`);

function scenario(body: string) {
  return parseValid(`${HEADER}${dedent(body)}`);
}

/** The capacity values of a scenario's exact plan, keyed `pool month`. */
function values(body: string) {
  const problem = buildProblem(scenario(body));
  const plan = planExact(problem, solver);
  const result = capacityValues(problem, plan, solver);
  return {
    problem,
    plan,
    result,
    byPool: new Map(result.rows.map((r) => [`${r.pool} ${formatPeriod(r.period)}`, r])),
  };
}

/** The LP optimum (the plan's gangs fixed) with one pool's capacity raised by `extra` GPUs. */
function lpWithMore(body: string, pool: string, extra: number): number {
  const { problem, plan } = values(body);
  const exact = capacityLp(problem, plan);
  const p = problem.pools.findIndex((x) => x.id === pool);
  const row = exact.capacityRows.find((r) => r.pool === p);
  if (!row) throw new Error(`no capacity row for ${pool}`);
  const rowUpper = Float64Array.from(exact.model.rowUpper);
  rowUpper[row.row] = (rowUpper[row.row] ?? 0) + extra;
  const outcome = solver.solve({ ...exact.model, rowUpper }, { relax: true });
  if (outcome.status !== 'optimal') throw new Error(outcome.status);
  return outcome.objective;
}

/** What one more GPU of a pool saves, by solving the LP again: the dual's meaning. */
function savedByOneMore(body: string, pool: string): number {
  return lpWithMore(body, pool, 0) - lpWithMore(body, pool, 1);
}

const TWO_POOLS = `
  pools:
    - { id: cheap, provider: oracle, site: west, accelerator: h100, gpus: 50, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
    - { id: dear, provider: azure, site: east, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
  workloads:
    - { id: w, class: api, accelerators: [h100], gpus: 80, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
`;

describe('capacityValues', () => {
  it('gives a pool that is not full no value, and one that binds the price it saves', () => {
    const { byPool, result } = values(TWO_POOLS);
    // 50 GPUs on cheap, 30 on dear: dear has room, so one more GPU of it is worth nothing.
    expect(byPool.get('dear 2026-01')?.valuePerGpuMonth).toBe(0n);
    expect(byPool.get('dear 2026-01')?.used).toBe(30);
    // One more cheap GPU moves one GPU off dear: ($3 − $1) × 744 h = $1,488 for the month.
    const cheap = byPool.get('cheap 2026-01');
    expect(cheap?.valuePerGpuMonth).toBe(1_488_000_000n);
    expect(cheap && perGpuHour(cheap)).toBe(2_000_000n);
    // Highest value first.
    expect(result.rows.map((r) => r.pool)).toEqual(['cheap', 'dear']);
  });

  it('matches the saving of one more GPU, measured by solving the LP again', () => {
    const { byPool } = values(TWO_POOLS);
    const saved = savedByOneMore(TWO_POOLS, 'cheap');
    expect(saved).toBeCloseTo(1488, 6);
    expect(Number(byPool.get('cheap 2026-01')?.valuePerGpuMonth) / 1e6).toBeCloseTo(saved, 6);
    expect(savedByOneMore(TWO_POOLS, 'dear')).toBeCloseTo(0, 6);
  });

  it('values a GPU at the demand it would serve when every pool is full', () => {
    const short = TWO_POOLS.replace('gpus: 80', 'gpus: 400');
    const { byPool } = values(short);
    // Each more GPU serves a GPU-month worth $5/h, less its own price.
    expect(byPool.get('cheap 2026-01')?.valuePerGpuMonth).toBe(2_976_000_000n); // (5−1)×744
    expect(byPool.get('dear 2026-01')?.valuePerGpuMonth).toBe(1_488_000_000n); // (5−3)×744
    expect(savedByOneMore(short, 'dear')).toBeCloseTo(1488, 6);
    expect(savedByOneMore(short, 'cheap')).toBeCloseTo(2976, 6);
  });

  it("keeps the plan's gang choice: the chosen site's pool is the one that is worth more", () => {
    const gang = `
      pools:
        - { id: cheap, provider: oracle, site: west, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
        - { id: dear, provider: azure, site: east, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
      workloads:
        - { id: run, class: training, accelerators: [h100], gpus: 100, gang: true, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "5" }
        - { id: api, class: api, accelerators: [h100], gpus: 40, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "4" }
    `;
    const { problem, plan, byPool } = values(gang);
    expect(plan.assignments.filter((a) => a.workload === 'run').map((a) => a.pool)).toEqual([
      'cheap',
    ]);
    const exact = fixedGangLp(problem, plan);
    const columns = [...exact.optionColumn].filter((c) => c >= 0);
    expect(columns.map((c) => [exact.model.colLower[c], exact.model.colUpper[c]])).toEqual([
      [0, 0], // east
      [1, 1], // west
    ]);
    // The gang fills cheap, api runs on dear: one more cheap GPU moves one api GPU off dear
    // (one fewer would break the gang: the plain dual could be anything from $1,488 up).
    expect(byPool.get('cheap 2026-01')?.valuePerGpuMonth).toBe(1_488_000_000n);
    expect(savedByOneMore(gang, 'cheap')).toBeCloseTo(1488, 6);
    expect(byPool.get('dear 2026-01')?.valuePerGpuMonth).toBe(0n);
    expect(byPool.get('cheap 2026-01')?.used).toBe(100);
    // With the gang choices fixed and whole-number data, the LP costs what the plan costs.
    expect(lpWithMore(gang, 'cheap', 0) * 1e6).toBeCloseTo(Number(plan.objective.total), 0);
  });

  it('gives, by column generation, the duals a solve of the whole LP gives', () => {
    // A generated portfolio with a take-or-pay commitment and gang workloads, planned fast:
    // the LP over a few of its columns, priced and grown, must end where the whole LP does
    // (here the first columns alone give other duals).
    const scenario = generatedScenario({ workloads: 300, pools: 40, months: 36, seed: 3 });
    const problem = buildProblem(scenario);
    expect(problem.commitments.length).toBeGreaterThan(0);
    const plan = planProblem(problem, { planner: 'fast' });
    const { rows } = capacityValues(problem, plan, solver);
    const exact = capacityLp(problem, plan);
    const rowUpper = Float64Array.from(exact.model.rowUpper);
    for (const capacity of exact.capacityRows) {
      rowUpper[capacity.row] = (rowUpper[capacity.row] ?? 0) + 0.5;
    }
    const whole = solver.solve({ ...exact.model, rowUpper }, { relax: true, duals: true });
    if (whole.status !== 'optimal' || !whole.rowDuals) throw new Error('no duals');
    const duals = whole.rowDuals;
    const expected = new Map(
      exact.capacityRows.map((c) => {
        const value = -(duals[c.row] ?? 0);
        return [
          `${problem.pools[c.pool]?.id ?? ''} ${c.period}`,
          value > 1e-6 ? BigInt(Math.round(value * 1e6)) : 0n,
        ];
      }),
    );
    expect(rows.filter((r) => r.valuePerGpuMonth > 0n).length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.valuePerGpuMonth).toBe(expected.get(`${row.pool} ${row.period}`));
    }
  });
});
