import { grouped } from '../../core/format.js';
import type { Scenario } from '../../core/model.js';
import type { CompactOptions, Micros } from '../../core/money.js';
import { formatUSD, formatUSDCompact, toCents } from '../../core/money.js';
import { compareText } from '../../core/order.js';
import type { Period } from '../../core/period.js';
import { formatPeriod, formatQuarter, formatRange, hoursIn, lengthOf } from '../../core/period.js';
import type { Plan, UnmetRow } from '../../core/planner/plan.js';
import { planToJson } from '../../core/planner/plan-json.js';
import { renderTable } from '../table.js';

/**
 * The plan for people: totals, the bound and gap, GPUs and cost per provider per quarter,
 * unmet demand with reasons, and commitments against their minimum.
 */
export function formatPlanText(plan: Plan, scenario: Scenario): string {
  const json = planToJson(plan);
  const out: string[] = [];
  out.push(
    `Plan for ${plan.scenario}: ${formatRange(scenario.horizon)} (${lengthOf(scenario.horizon)} months), ${scenario.workloads.length} workloads on ${scenario.pools.length} pools`,
  );
  out.push(
    `Solver: ${plan.solver.method}, ${plan.solver.status}; proven lower bound ${formatUSD(plan.lowerBound)}, gap ${(json.bound.gap * 100).toFixed(4)}%`,
  );
  if (plan.solver.note !== undefined) out.push(`Note: ${plan.solver.note}.`);
  out.push('');
  out.push(
    renderTable(
      ['COST', 'USD'],
      [
        ['compute', formatUSD(toCents(plan.objective.compute))],
        ['commitment shortfall', formatUSD(toCents(plan.objective.shortfall))],
        ['unmet demand (value lost)', formatUSD(toCents(plan.objective.unmet))],
        ['total', formatUSD(toCents(plan.objective.total))],
      ],
      ['left', 'right'],
    ),
  );

  out.push('');
  out.push(
    'GPUs placed of GPUs available (monthly averages) and compute cost, by provider and quarter',
  );
  out.push(providerQuarters(plan));

  out.push('');
  out.push(unmetSection(plan.unmet, scenario));

  out.push('');
  if (plan.commitments.length === 0) {
    out.push('Commitments: none');
  } else {
    out.push('Commitments (take-or-pay)');
    out.push(
      renderTable(
        ['CONTRACT', 'TERM', 'PROVIDER', 'MINIMUM', 'SPEND', 'SHORTFALL', 'STATUS'],
        plan.commitments.map((c) => [
          c.contract,
          c.term,
          c.provider,
          formatUSD(toCents(c.minSpend)),
          formatUSD(toCents(c.spend)),
          formatUSD(toCents(c.shortfall)),
          c.shortfall === 0n ? 'met' : 'SHORT',
        ]),
        ['left', 'left', 'left', 'right', 'right', 'right', 'left'],
        '  ',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

interface Cell {
  gpuMonths: number;
  capacityMonths: number;
  cost: Micros;
}

/** Quarters differ by tens of millions: two decimals of a billion tell them apart. */
const QUARTER_COST: CompactOptions = { billionDigits: 2 };

function providerQuarters(plan: Plan): string {
  const providers = [...new Set(plan.byProvider.map((r) => r.provider))].sort(compareText);
  if (providers.length === 0) return '  no capacity in the horizon';
  const quarters = new Map<string, Map<string, Cell>>();
  for (const row of plan.byProvider) {
    const quarter = formatQuarter(row.period);
    const byProvider = quarters.get(quarter) ?? new Map<string, Cell>();
    const cell = byProvider.get(row.provider) ?? { gpuMonths: 0, capacityMonths: 0, cost: 0n };
    cell.gpuMonths += row.gpus;
    cell.capacityMonths += row.capacity;
    cell.cost += row.compute;
    byProvider.set(row.provider, cell);
    quarters.set(quarter, byProvider);
  }
  const rows = [...quarters.keys()].sort(compareText).map((quarter) => {
    const cells = quarters.get(quarter) ?? new Map<string, Cell>();
    let totalCost = 0n;
    const line = [quarter];
    for (const provider of providers) {
      const cell = cells.get(provider);
      if (!cell) {
        line.push('-');
        continue;
      }
      totalCost += cell.cost;
      line.push(
        `${grouped(cell.gpuMonths / 3)}/${grouped(cell.capacityMonths / 3)}  ${formatUSDCompact(toCents(cell.cost), QUARTER_COST)}`,
      );
    }
    line.push(formatUSDCompact(toCents(totalCost), QUARTER_COST));
    return line;
  });
  return renderTable(
    ['QUARTER', ...providers.map((p) => `${p} (used/capacity  cost)`), 'TOTAL COST'],
    rows,
    ['left', ...providers.map(() => 'right' as const), 'right'],
    '  ',
  );
}

function unmetSection(unmet: readonly UnmetRow[], scenario: Scenario): string {
  if (unmet.length === 0) return 'Unmet demand: none; every workload is fully served.';
  const workloads = new Map(scenario.workloads.map((w) => [w.id, w]));
  // Fold consecutive months with the same shortfall and reasons into one line.
  const runs: {
    workload: string;
    from: Period;
    to: Period;
    gpus: number;
    reasons: readonly string[];
  }[] = [];
  let gpuHours = 0;
  for (const row of unmet) {
    gpuHours += row.gpus * hoursIn(row.period);
    const last = runs[runs.length - 1];
    if (
      last &&
      last.workload === row.workload &&
      last.to + 1 === row.period &&
      last.gpus === row.gpus &&
      foldKey(last.reasons) === foldKey(row.reasons)
    ) {
      last.to = row.period;
    } else {
      runs.push({
        workload: row.workload,
        from: row.period,
        to: row.period,
        gpus: row.gpus,
        reasons: row.reasons,
      });
    }
  }
  const affected = new Set(unmet.map((u) => u.workload)).size;
  const out = [
    `Unmet demand: ${affected} workload${affected === 1 ? '' : 's'}, ${grouped(gpuHours)} GPU-hours`,
  ];
  for (const run of runs) {
    const workload = workloads.get(run.workload);
    const need = workload ? ` of ${grouped(workload.gpus)}` : '';
    const asIn = run.from === run.to ? '' : `; reasons as in ${formatPeriod(run.from)}`;
    out.push(
      `  ${run.workload}  ${formatRange({ from: run.from, to: run.to })}  ${grouped(run.gpus)}${need} GPUs short each month${asIn}`,
    );
    for (const reason of run.reasons) out.push(`    - ${reason}`);
  }
  return out.join('\n');
}

/**
 * Reasons without what changes month by month (which pools a term excludes as buildings come
 * online, who fills a full pool, which pools are not there yet): months that differ only there
 * fold into one line, shown with the reasons of the run's first month.
 */
function foldKey(reasons: readonly string[]): string {
  return reasons
    .filter((reason) => !reason.startsWith('not available that month'))
    .map((reason) => reason.replace(/ \(excludes .*\)$/, '').replace(/ is full: .*$/, ' is full'))
    .join('\n');
}
