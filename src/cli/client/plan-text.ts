import { compareText } from '../../core/order.js';
import { renderTable } from '../table.js';
import { formatUSDNumber as usd } from '../../core/money.js';
import { countChange, grouped, range, tableOr, usdChange, when } from './format.js';
import type { PlanDiff, PlanDocument, PlanSummary } from './types.js';

/** Stored plans for people: the list, one plan's summary, and what moved between two. */

export function plansTable(plans: readonly PlanSummary[]): string {
  return tableOr(
    'No plans yet: stargate plans create.',
    ['ID', 'CREATED', 'BY', 'SOLVER', 'STATUS', 'TOTAL', 'GAP'],
    plans.map((p) => [
      String(p.id),
      when(p.createdAt),
      p.createdBy,
      p.solver,
      p.status,
      usd(p.totalUSD),
      gap(p.gap),
    ]),
    ['right', 'left', 'left', 'left', 'left', 'right', 'right'],
  );
}

const gap = (value: number) => `${(value * 100).toFixed(4)}%`;

/** At most this many workloads are named per pool; the JSON has them all. */
const WORKLOADS_PER_POOL = 4;

/**
 * One stored plan: cost, unmet demand by workload with the reasons of its first unmet month,
 * the pools used and by whom, providers, commitments, and late procured pools.
 */
export function planSummaryText(
  id: number,
  plan: PlanDocument,
  summary: PlanSummary | undefined,
): string {
  const out: string[] = [];
  const solver = plan.solver ? `${plan.solver.method}, ${plan.solver.status}; ` : '';
  out.push(
    `Plan ${id} of ${plan.scenario}: ${solver}proven lower bound ${usd(plan.bound.lowerBoundUSD)}, gap ${gap(plan.bound.gap)}`,
  );
  if (plan.solver?.note !== undefined) out.push(`  note: ${plan.solver.note}`);
  if (summary) out.push(`  created ${when(summary.createdAt)} by ${summary.createdBy}`);
  out.push('');
  out.push(
    renderTable(
      ['COST', 'USD'],
      [
        ['compute', usd(plan.objective.computeUSD)],
        ['commitment shortfall', usd(plan.objective.shortfallUSD)],
        ['unmet demand (value lost)', usd(plan.objective.unmetUSD)],
        ['total', usd(plan.objective.totalUSD)],
      ],
      ['left', 'right'],
    ),
  );
  out.push('');
  out.push(unmetSection(plan));
  out.push('');
  out.push(poolsSection(plan));
  out.push('');
  out.push(providersSection(plan));
  if (plan.commitments.length > 0) {
    out.push('');
    out.push('Commitments (take-or-pay)');
    out.push(
      renderTable(
        ['CONTRACT', 'TERM', 'PROVIDER', 'MINIMUM', 'SPEND', 'SHORTFALL'],
        plan.commitments.map((c) => [
          c.contract,
          c.term,
          c.provider,
          usd(c.minSpendUSD),
          usd(c.spendUSD),
          c.shortfallUSD === 0 ? 'met' : usd(c.shortfallUSD),
        ]),
        ['left', 'left', 'left', 'right', 'right', 'right'],
        '  ',
      ),
    );
  }
  if (plan.lateDeliveries && plan.lateDeliveries.length > 0) {
    out.push('');
    out.push('Late procured pools, planned at what was delivered');
    out.push(
      renderTable(
        ['POOL', 'PROVIDER', 'DELIVERED', 'PROMISED', 'BY'],
        plan.lateDeliveries.map((l) => [
          l.pool,
          l.provider,
          grouped(l.deliveredGpus),
          grouped(l.promisedGpus),
          l.promisedBy,
        ]),
        ['left', 'left', 'right', 'right', 'left'],
        '  ',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

interface Span {
  from: string;
  to: string;
  peak: number;
  gpuMonths: number;
}

function widen(span: Span | undefined, period: string, gpus: number): Span {
  if (!span) return { from: period, to: period, peak: gpus, gpuMonths: gpus };
  return {
    from: period < span.from ? period : span.from,
    to: period > span.to ? period : span.to,
    peak: Math.max(span.peak, gpus),
    gpuMonths: span.gpuMonths + gpus,
  };
}

function unmetSection(plan: PlanDocument): string {
  if (plan.unmet.length === 0) return 'Unmet demand: none; every workload is fully served.';
  const spans = new Map<string, Span>();
  const firstReasons = new Map<string, { period: string; reasons: readonly string[] }>();
  for (const row of plan.unmet) {
    spans.set(row.workload, widen(spans.get(row.workload), row.period, row.gpus));
    const first = firstReasons.get(row.workload);
    if (!first || row.period < first.period)
      firstReasons.set(row.workload, { period: row.period, reasons: row.reasons });
  }
  const workloads = [...spans.keys()].sort(compareText);
  const total = [...spans.values()].reduce((sum, span) => sum + span.gpuMonths, 0);
  const out = [
    `Unmet demand: ${workloads.length} workload${workloads.length === 1 ? '' : 's'}, ${grouped(total)} GPU-months`,
    renderTable(
      ['WORKLOAD', 'MONTHS', 'PEAK GPUS', 'GPU-MONTHS'],
      workloads.map((workload) => {
        const span = spans.get(workload) ?? { from: '', to: '', peak: 0, gpuMonths: 0 };
        return [workload, range(span), grouped(span.peak), grouped(span.gpuMonths)];
      }),
      ['left', 'left', 'right', 'right'],
      '  ',
    ),
    '  Why, in each workload’s first unmet month:',
  ];
  for (const workload of workloads) {
    const first = firstReasons.get(workload);
    if (!first) continue;
    out.push(`    ${workload} (${first.period})`);
    for (const reason of first.reasons) out.push(`      - ${reason}`);
  }
  return out.join('\n');
}

function poolsSection(plan: PlanDocument): string {
  const spans = new Map<string, Span>();
  const users = new Map<string, Set<string>>();
  for (const row of plan.assignments) {
    spans.set(row.pool, widen(spans.get(row.pool), row.period, 0));
    const span = spans.get(row.pool);
    if (span) span.gpuMonths += row.gpus;
    const set = users.get(row.pool) ?? new Set<string>();
    set.add(row.workload);
    users.set(row.pool, set);
  }
  // The peak is per month over all workloads on the pool, not per assignment row.
  const monthly = new Map<string, number>();
  for (const row of plan.assignments) {
    const key = `${row.pool}\u0000${row.period}`;
    monthly.set(key, (monthly.get(key) ?? 0) + row.gpus);
  }
  for (const [key, gpus] of monthly) {
    const span = spans.get(key.split('\u0000')[0] ?? '');
    if (span) span.peak = Math.max(span.peak, gpus);
  }
  const pools = [...spans.keys()].sort(compareText);
  if (pools.length === 0) return 'Pools used: none.';
  return [
    `Pools used: ${pools.length}`,
    renderTable(
      ['POOL', 'MONTHS', 'PEAK GPUS', 'GPU-MONTHS', 'WORKLOADS'],
      pools.map((pool) => {
        const span = spans.get(pool) ?? { from: '', to: '', peak: 0, gpuMonths: 0 };
        const names = [...(users.get(pool) ?? [])].sort(compareText);
        const shown = names.slice(0, WORKLOADS_PER_POOL).join(', ');
        const more =
          names.length > WORKLOADS_PER_POOL ? ` and ${names.length - WORKLOADS_PER_POOL} more` : '';
        return [pool, range(span), grouped(span.peak), grouped(span.gpuMonths), shown + more];
      }),
      ['left', 'left', 'right', 'right', 'left'],
      '  ',
    ),
  ].join('\n');
}

function providersSection(plan: PlanDocument): string {
  const totals = new Map<string, { gpuMonths: number; capacity: number; cost: number }>();
  for (const row of plan.byProvider) {
    const entry = totals.get(row.provider) ?? { gpuMonths: 0, capacity: 0, cost: 0 };
    entry.gpuMonths += row.gpus;
    entry.capacity += row.capacityGpus ?? 0;
    entry.cost += row.computeUSD;
    totals.set(row.provider, entry);
  }
  const providers = [...totals.keys()].sort(compareText);
  return [
    'Providers over the horizon',
    tableOr(
      'none',
      ['PROVIDER', 'GPU-MONTHS USED', 'OF CAPACITY', 'COMPUTE'],
      providers.map((provider) => {
        const entry = totals.get(provider) ?? { gpuMonths: 0, capacity: 0, cost: 0 };
        return [provider, grouped(entry.gpuMonths), grouped(entry.capacity), usd(entry.cost)];
      }),
      ['left', 'right', 'right', 'right'],
      '  ',
    ).trimEnd(),
  ].join('\n');
}

/** At most this many moved placements are listed; the JSON has them all. */
const MOVED_SHOWN = 20;

/** What changed from plan a to plan b. */
export function planDiffText(diff: PlanDiff): string {
  const a = `PLAN ${diff.a}`;
  const b = `PLAN ${diff.b}`;
  const out: string[] = [`Plan ${diff.a} → plan ${diff.b}`, ''];
  const cost = (label: string, key: keyof PlanDiff['objective']) => {
    const entry = diff.objective[key];
    return [label, usd(entry.a), usd(entry.b), usdChange(entry.change)];
  };
  out.push(
    renderTable(
      ['COST', a, b, 'CHANGE'],
      [
        cost('compute', 'computeUSD'),
        cost('commitment shortfall', 'shortfallUSD'),
        cost('unmet demand (value lost)', 'unmetUSD'),
        cost('total', 'totalUSD'),
      ],
      ['left', 'right', 'right', 'right'],
    ),
  );
  out.push('');
  out.push('GPU-months placed by provider');
  out.push(
    tableOr(
      'none',
      ['PROVIDER', a, b, 'CHANGE'],
      diff.providers.map((p) => [
        p.provider,
        grouped(p.gpuMonths.a),
        grouped(p.gpuMonths.b),
        countChange(p.gpuMonths.change),
      ]),
      ['left', 'right', 'right', 'right'],
      '  ',
    ).trimEnd(),
  );
  if (diff.commitments.length > 0) {
    out.push('');
    out.push('Commitment shortfall');
    out.push(
      renderTable(
        ['CONTRACT', 'TERM', a, b, 'CHANGE'],
        diff.commitments.map((c) => [
          c.contract,
          c.term,
          usd(c.shortfallUSD.a),
          usd(c.shortfallUSD.b),
          usdChange(c.shortfallUSD.change),
        ]),
        ['left', 'left', 'right', 'right', 'right'],
        '  ',
      ),
    );
  }
  out.push('');
  out.push('Unmet GPU-months that changed');
  out.push(
    tableOr(
      'none',
      ['WORKLOAD', a, b, 'CHANGE'],
      diff.unmet.map((u) => [
        u.workload,
        grouped(u.gpuMonths.a),
        grouped(u.gpuMonths.b),
        countChange(u.gpuMonths.change),
      ]),
      ['left', 'right', 'right', 'right'],
      '  ',
    ).trimEnd(),
  );
  out.push('');
  out.push('Work that moved (GPU-months per workload and pool, largest change first)');
  out.push(
    tableOr(
      'none',
      ['WORKLOAD', 'POOL', a, b, 'CHANGE'],
      diff.moved
        .slice(0, MOVED_SHOWN)
        .map((m) => [
          m.workload,
          m.pool,
          grouped(m.gpuMonths.a),
          grouped(m.gpuMonths.b),
          countChange(m.gpuMonths.change),
        ]),
      ['left', 'left', 'right', 'right', 'right'],
      '  ',
    ).trimEnd(),
  );
  if (diff.moved.length > MOVED_SHOWN) {
    out.push(`  … and ${diff.moved.length - MOVED_SHOWN} more (--json lists them all)`);
  }
  return `${out.join('\n')}\n`;
}
