import type { PlanComparison } from '../../core/diff/compare-plans.js';
import { grouped } from '../../core/format.js';
import type { Micros } from '../../core/money.js';
import { formatUSDCompact, toCents } from '../../core/money.js';
import type { CommitmentStatus } from '../../core/planner/plan.js';
import { renderTable } from '../table.js';
import { percent, usd } from './units.js';

/** The two sides of a comparison, as the user named them. */
export interface DiffSides {
  readonly a: { readonly file: string; readonly plan: string };
  readonly b: { readonly file: string; readonly plan: string };
}

const money = (micros: Micros) => formatUSDCompact(toCents(micros));
const change = (a: Micros, b: Micros) => {
  const delta = toCents(b) - toCents(a);
  return delta === 0n ? '-' : `${delta > 0n ? '+' : ''}${formatUSDCompact(delta)}`;
};
const hours = (x: number) => grouped(x);
const hoursChange = (a: number, b: number) =>
  a === b ? '-' : `${b > a ? '+' : ''}${grouped(b - a)}`;
const points = (a: number, b: number) => {
  const delta = (b - a) * 100;
  return Math.abs(delta) < 0.05 ? '-' : `${delta > 0 ? '+' : ''}${delta.toFixed(1)} pts`;
};

/** Two scenarios' plans side by side: cost, demand, shares by provider, commitments. */
export function formatDiffText(comparison: PlanComparison, sides: DiffSides): string {
  const { a, b } = comparison;
  const out: string[] = [];
  out.push(`A: ${sides.a.file} (scenario ${a.scenario}; plan ${sides.a.plan})`);
  out.push(`B: ${sides.b.file} (scenario ${b.scenario}; plan ${sides.b.plan})`);
  out.push('');
  const right = ['left', 'right', 'right', 'right'] as const;
  out.push(
    renderTable(
      ['COST', 'A', 'B', 'B − A'],
      [
        [
          'compute',
          money(a.objective.compute),
          money(b.objective.compute),
          change(a.objective.compute, b.objective.compute),
        ],
        [
          'commitment shortfall',
          money(a.objective.shortfall),
          money(b.objective.shortfall),
          change(a.objective.shortfall, b.objective.shortfall),
        ],
        [
          'unmet demand (value lost)',
          money(a.objective.unmet),
          money(b.objective.unmet),
          change(a.objective.unmet, b.objective.unmet),
        ],
        [
          'total',
          money(a.objective.total),
          money(b.objective.total),
          change(a.objective.total, b.objective.total),
        ],
      ],
      right,
    ),
  );
  out.push('');
  out.push(
    renderTable(
      ['DEMAND (GPU-HOURS)', 'A', 'B', 'B − A'],
      [
        [
          'placed',
          hours(a.placedGpuHours),
          hours(b.placedGpuHours),
          hoursChange(a.placedGpuHours, b.placedGpuHours),
        ],
        [
          'unmet',
          hours(a.unmetGpuHours),
          hours(b.unmetGpuHours),
          hoursChange(a.unmetGpuHours, b.unmetGpuHours),
        ],
      ],
      right,
    ),
  );
  out.push('');
  out.push('Share of GPU-hours placed, and compute cost, by provider');
  out.push(
    renderTable(
      ['PROVIDER', 'A SHARE', 'B SHARE', 'CHANGE', 'A COST', 'B COST', 'B − A'],
      comparison.providers.map((p) => [
        p.provider,
        percent(p.a?.share ?? 0),
        percent(p.b?.share ?? 0),
        points(p.a?.share ?? 0, p.b?.share ?? 0),
        money(p.a?.compute ?? 0n),
        money(p.b?.compute ?? 0n),
        change(p.a?.compute ?? 0n, p.b?.compute ?? 0n),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      '  ',
    ),
  );
  out.push('');
  if (comparison.commitments.length === 0) {
    out.push('Commitments (take-or-pay): none in either.');
  } else {
    out.push('Commitments (take-or-pay)');
    const status = (c: CommitmentStatus | undefined) =>
      c === undefined ? 'absent' : c.shortfall === 0n ? 'met' : `short ${money(c.shortfall)}`;
    out.push(
      renderTable(
        ['CONTRACT', 'TERM', 'MINIMUM', 'A SPEND', 'A STATUS', 'B SPEND', 'B STATUS'],
        comparison.commitments.map((c) => [
          c.contract,
          c.term,
          money(c.a?.minSpend ?? c.b?.minSpend ?? 0n),
          c.a ? money(c.a.spend) : '-',
          status(c.a),
          c.b ? money(c.b.spend) : '-',
          status(c.b),
        ]),
        ['left', 'left', 'right', 'right', 'left', 'right', 'left'],
        '  ',
      ),
    );
  }
  out.push('');
  if (comparison.unmet.length === 0) {
    out.push('Unmet demand by workload: the same in A and B.');
  } else {
    out.push('Unmet demand by workload (GPU-hours), where A and B differ');
    out.push(
      renderTable(
        ['WORKLOAD', 'A', 'B', 'B − A'],
        comparison.unmet.map((u) => [u.workload, hours(u.a), hours(u.b), hoursChange(u.a, u.b)]),
        right,
        '  ',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The comparison as JSON: amounts in USD with cents, shares as fractions. */
export function diffToJson(comparison: PlanComparison, sides: DiffSides) {
  const dollars = (micros: Micros) => usd(toCents(micros));
  const side = (which: 'a' | 'b') => {
    const s = comparison[which];
    return {
      file: sides[which].file,
      scenario: s.scenario,
      plan: sides[which].plan,
      objective: {
        totalUSD: dollars(s.objective.total),
        computeUSD: dollars(s.objective.compute),
        shortfallUSD: dollars(s.objective.shortfall),
        unmetUSD: dollars(s.objective.unmet),
      },
      placedGpuHours: s.placedGpuHours,
      unmetGpuHours: s.unmetGpuHours,
    };
  };
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    a: side('a'),
    b: side('b'),
    providers: comparison.providers.map((p) => ({
      provider: p.provider,
      a: {
        share: round(p.a?.share ?? 0),
        gpuHours: p.a?.gpuHours ?? 0,
        computeUSD: dollars(p.a?.compute ?? 0n),
      },
      b: {
        share: round(p.b?.share ?? 0),
        gpuHours: p.b?.gpuHours ?? 0,
        computeUSD: dollars(p.b?.compute ?? 0n),
      },
    })),
    commitments: comparison.commitments.map((c) => {
      const status = (s: CommitmentStatus | undefined) =>
        s === undefined
          ? null
          : {
              provider: s.provider,
              minSpendUSD: dollars(s.minSpend),
              spendUSD: dollars(s.spend),
              shortfallUSD: dollars(s.shortfall),
              met: s.shortfall === 0n,
            };
      return { contract: c.contract, term: c.term, a: status(c.a), b: status(c.b) };
    }),
    unmetByWorkload: comparison.unmet.map((u) => ({
      workload: u.workload,
      aGpuHours: u.a,
      bGpuHours: u.b,
    })),
  };
}
