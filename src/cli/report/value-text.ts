import type { CostChange } from '../../core/planner/building-moves.js';
import { perGpuHour } from '../../core/planner/capacity-value.js';
import { csvLine, grouped } from '../../core/format.js';
import {
  formatCentsPlain,
  formatPrice,
  formatUSD,
  formatUSDCompact,
  toCents,
} from '../../core/money.js';
import { formatPeriod } from '../../core/period.js';
import type { ValueReport } from '../../core/planner/value-json.js';
import { renderTable } from '../table.js';

const CAPACITY_HEADING =
  "Marginal value of one more GPU, per pool and month: the capacity row's dual in the LP with the plan's gang choices fixed (USD per GPU for the whole month; per GPU-hour beside it). A dual holds for a small change only.";
const BUILDING_HEADING =
  "Each building online a month earlier, a month late, a quarter late: re-planned, the cost change with the interval from both plans' proven bounds (USD over the horizon).";

/** The report for people: the top `top` pool-months with a value, then every building. */
export function formatValueText(report: ValueReport, top: number): string {
  const valued = report.capacity.rows.filter((r) => r.valuePerGpuMonth > 0n);
  const lines = [
    `What capacity is worth in ${report.scenario}`,
    `Base plan: ${report.plan.method}, ${report.plan.status}; cost ${formatUSD(report.plan.total)}, proven lower bound ${formatUSD(report.plan.lowerBound)}`,
    '',
    CAPACITY_HEADING,
    `${grouped(valued.length)} of ${grouped(report.capacity.rows.length)} pool-months are full and worth more; ${valued.length > top ? `the top ${top}` : 'all'}:`,
    renderTable(
      ['POOL', 'PROVIDER', 'MONTH', 'GPUS', 'USED', 'USD/GPU-MONTH', 'USD/GPU-HOUR'],
      valued
        .slice(0, top)
        .map((r) => [
          r.pool,
          r.provider,
          formatPeriod(r.period),
          grouped(r.gpus),
          grouped(r.used),
          formatUSD(toCents(r.valuePerGpuMonth)),
          formatPrice(perGpuHour(r)),
        ]),
      ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
      '  ',
    ),
    '',
    BUILDING_HEADING,
    report.buildings.length === 0
      ? '  no buildings'
      : renderTable(
          [
            'BUILDING',
            'ONLINE',
            'GPUS',
            'MONTH EARLIER SAVES',
            'MONTH LATE COSTS',
            'QUARTER LATE COSTS',
          ],
          report.buildings.map((b) => [
            b.building,
            formatPeriod(b.online),
            grouped(b.gpus),
            cell(b.monthEarlier),
            cell(b.monthLate, b.monthLate?.months, 1),
            cell(b.quarterLate, b.quarterLate?.months, 3),
          ]),
          ['left', 'left', 'right', 'right', 'right', 'right'],
          '  ',
        ),
    `  Re-planned: ${report.replans}. "-": the horizon leaves no room for the move; "(N mo)": the horizon cut the move to N months. An interval [low, high] shows where the two plans' proven bounds leave room (exact cents: --format json or csv).`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A cost change, compact ($360.1M); its interval beside it only where the interval's ends
 * read differently at that precision (the JSON and CSV have every cent).
 */
function cell(change: CostChange | undefined, months?: number, asked?: number): string {
  if (!change) return '-';
  const low = formatUSDCompact(change.low);
  const high = formatUSDCompact(change.high);
  const mid = formatUSDCompact(change.change);
  const text = low === high ? mid : `${mid} [${low}, ${high}]`;
  return months !== undefined && asked !== undefined && months !== asked
    ? `${text} (${months} mo)`
    : text;
}

/** The report as one CSV table: a `section` column tells capacity rows from building rows. */
export function valueToCsv(report: ValueReport): string {
  const lines = [
    csvLine([
      'section',
      'subject',
      'where',
      'month',
      'gpus',
      'used',
      'item',
      'amountUSD',
      'lowUSD',
      'highUSD',
    ]),
  ];
  for (const r of report.capacity.rows) {
    lines.push(
      csvLine([
        'capacity',
        r.pool,
        r.provider,
        formatPeriod(r.period),
        r.gpus,
        r.used,
        'per-gpu-month',
        formatCentsPlain(toCents(r.valuePerGpuMonth)),
        '',
        '',
      ]),
    );
  }
  for (const b of report.buildings) {
    const items = [
      ['month-earlier', b.monthEarlier],
      ['month-late', b.monthLate],
      ['quarter-late', b.quarterLate],
    ] as const;
    for (const [item, c] of items) {
      if (!c) continue;
      lines.push(
        csvLine([
          'building',
          b.building,
          b.site,
          formatPeriod(c.online),
          b.gpus,
          '',
          item,
          formatCentsPlain(c.change),
          formatCentsPlain(c.low),
          formatCentsPlain(c.high),
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
