import { grouped } from '../core/format.js';
import { formatQuarter, periodOf } from '../core/period.js';
import {
  axisTooltip,
  categoryAxis,
  chartFrame,
  colourOf,
  grid,
  lineEntry,
  itemTooltip,
  nameOf,
  rightLegend,
  valueAxis,
} from './frame.js';
import { formatUSDNumber as usd } from '../core/money.js';
import { countShort, escapeHtml, fittedScale, yearAtFirstQuarter } from './format.js';
import type { ChartOptions, EChartsCoreOption, PlanCosts, PlanJson } from './types.js';

const CAPACITY = 'Capacity, all providers';

/** `2027-05` → `2027-Q2`. */
function quarterOf(period: string): string {
  return formatQuarter(periodOf(Number(period.slice(0, 4)), Number(period.slice(5, 7))));
}

/**
 * Where the plan put GPUs, per provider and quarter: GPUs placed as stacked bars (the mean
 * over the quarter's months, so a bar is GPUs in use, not GPU-months) against the capacity
 * of all providers' pools as a line; the tooltip gives each provider's capacity.
 */
export function planCapacityChart(plan: PlanJson, o: ChartOptions): EChartsCoreOption {
  const quarters = [...new Set(plan.byProvider.map((r) => quarterOf(r.period)))].sort();
  // Months of each quarter that the plan covers: the divisor of the quarter's mean.
  const months = new Map<string, Set<string>>();
  for (const row of plan.byProvider) {
    const q = quarterOf(row.period);
    months.set(q, (months.get(q) ?? new Set()).add(row.period));
  }
  const ids = [...new Set(plan.byProvider.map((r) => r.provider))].sort();
  const colourFor = colourOf(o, ids);
  const index = new Map(quarters.map((q, i) => [q, i]));
  const rows = ids.map((id) => ({
    id,
    name: nameOf(o, id),
    colour: colourFor(id),
    placed: quarters.map(() => 0),
    capacity: quarters.map(() => 0),
  }));
  const rowOf = new Map(rows.map((r) => [r.id, r]));
  for (const r of plan.byProvider) {
    const q = quarterOf(r.period);
    const i = index.get(q) ?? 0;
    const n = months.get(q)?.size ?? 1;
    const row = rowOf.get(r.provider);
    if (!row) continue;
    row.placed[i] = (row.placed[i] ?? 0) + r.gpus / n;
    row.capacity[i] = (row.capacity[i] ?? 0) + r.capacityGpus / n;
  }
  for (const row of rows) {
    row.placed = row.placed.map(Math.round);
    row.capacity = row.capacity.map(Math.round);
  }
  const capacity = quarters.map((_, i) => rows.reduce((sum, r) => sum + (r.capacity[i] ?? 0), 0));
  const placed = quarters.map((_, i) => rows.reduce((sum, r) => sum + (r.placed[i] ?? 0), 0));

  const names = rows.map((r) => `${r.name} placed`);
  const { legend, width } = rightLegend(o, [...names, lineEntry(CAPACITY)]);
  const last = quarters.length - 1;
  const description = `GPUs the plan placed per provider, mean per quarter, stacked, against the capacity of all providers, ${quarters[0] ?? ''} to ${quarters[last] ?? ''}. In ${quarters[last] ?? ''}: ${rows
    .map((r) => `${r.name} ${grouped(r.placed[last] ?? 0)} of ${grouped(r.capacity[last] ?? 0)}`)
    .join('; ')}; in all ${grouped(placed[last] ?? 0)} of ${grouped(capacity[last] ?? 0)}.`;

  return {
    ...chartFrame(o, description),
    legend,
    grid: grid(o, width),
    tooltip: axisTooltip(o.theme, (i) =>
      [
        `<b>${escapeHtml(quarters[i] ?? '')}</b> (mean over its months)`,
        ...rows.map(
          (r) =>
            `${escapeHtml(r.name)}: ${grouped(r.placed[i] ?? 0)} placed of ${grouped(r.capacity[i] ?? 0)}`,
        ),
        `All providers: ${grouped(placed[i] ?? 0)} placed of ${grouped(capacity[i] ?? 0)}`,
      ].join('<br>'),
    ),
    xAxis: categoryAxis(o.theme, quarters, { formatter: yearAtFirstQuarter, boundaryGap: true }),
    yAxis: valueAxis(o.theme, {
      name: 'GPUs (mean per quarter)',
      scale: fittedScale(Math.max(0, ...capacity, ...placed), { floor: 10 }),
      formatter: countShort,
    }),
    series: [
      ...rows.map((r, i) => ({
        type: 'bar',
        name: names[i],
        stack: 'placed',
        data: r.placed,
        barCategoryGap: '20%',
        itemStyle: { color: r.colour },
      })),
      {
        type: 'line',
        name: CAPACITY,
        data: capacity,
        step: 'middle',
        showSymbol: false,
        lineStyle: { color: o.theme.text, width: 2, type: 'dashed' },
        itemStyle: { color: o.theme.text },
        z: 3,
      },
    ],
  };
}

const SHORTFALL = 'Commitment shortfall';
const UNMET = 'Unmet demand (value lost)';

/**
 * The plan's cost by component, as horizontal bars: compute (split by provider, stacked),
 * the take-or-pay shortfall paid for nothing, and the value of the demand left unmet — the
 * three terms the planner minimises, which add up to `objective.totalUSD`.
 */
export function costComponentsChart(plan: PlanCosts, o: ChartOptions): EChartsCoreOption {
  const ids = [...new Set(plan.byProvider.map((r) => r.provider))].sort();
  const colourFor = colourOf(o, ids);
  const compute = new Map<string, number>();
  for (const r of plan.byProvider)
    compute.set(r.provider, (compute.get(r.provider) ?? 0) + r.computeUSD);
  const categories = ['Compute', SHORTFALL, UNMET];
  const providers = ids.map((id) => ({
    id,
    name: `${nameOf(o, id)} compute`,
    colour: colourFor(id),
    amount: Math.round((compute.get(id) ?? 0) * 100) / 100,
  }));
  const { objective } = plan;
  const totals = [objective.computeUSD, objective.shortfallUSD, objective.unmetUSD];
  // The palette's vermillion and grey, hatched: with six providers or more a provider shares
  // the colour, and the stripes still tell a cost that buys nothing from compute.
  const shortfallColour = o.theme.palette[5] ?? o.theme.muted;
  const unmetColour = o.theme.palette[6] ?? o.theme.axis;
  const hatch = {
    symbol: 'rect',
    symbolSize: 1,
    dashArrayX: [1, 0],
    dashArrayY: [3, 3],
    rotation: Math.PI / 4,
    color: 'rgba(255, 255, 255, 0.45)',
  };
  const { legend, width } = rightLegend(o, [...providers.map((p) => p.name), SHORTFALL, UNMET]);
  const description = `The plan's cost by component, ${usd(objective.totalUSD)} in all: compute ${usd(objective.computeUSD)} (${providers
    .map((p) => `${p.name.replace(/ compute$/, '')} ${usd(p.amount)}`)
    .join(
      ', ',
    )}), commitment shortfall ${usd(objective.shortfallUSD)}, unmet demand ${usd(objective.unmetUSD)}.`;
  const endLabel = (i: number) => ({
    show: true,
    position: 'right',
    color: o.theme.text,
    formatter: () => usd(totals[i] ?? 0),
  });
  const only = (i: number, value: number) => categories.map((_, j) => (j === i ? value : null));

  return {
    ...chartFrame(o, description),
    legend,
    grid: { ...grid(o, width), right: width + 72 },
    tooltip: {
      ...itemTooltip(o.theme),
      formatter: (p: { seriesName?: string; value?: unknown }) =>
        `${escapeHtml(p.seriesName ?? '')}: ${usd(typeof p.value === 'number' ? p.value : 0)}`,
    },
    yAxis: {
      ...categoryAxis(o.theme, categories, { boundaryGap: true }),
      inverse: true,
      axisLabel: { color: o.theme.text },
    },
    xAxis: {
      ...valueAxis(o.theme, {
        name: '',
        // Few ticks: amounts are wide, and this axis runs across.
        scale: fittedScale(Math.max(1, ...totals), { maxSteps: 5 }),
        formatter: usd,
      }),
    },
    series: [
      ...providers.map((p, i) => ({
        type: 'bar',
        name: p.name,
        stack: 'cost',
        data: only(0, p.amount),
        itemStyle: { color: p.colour },
        barWidth: '55%',
        // The total at the end of the stack: on its last part only.
        ...(i === providers.length - 1 ? { label: endLabel(0) } : {}),
      })),
      {
        type: 'bar',
        name: SHORTFALL,
        stack: 'cost',
        data: only(1, objective.shortfallUSD),
        itemStyle: { color: shortfallColour, decal: hatch },
        label: endLabel(1),
      },
      {
        type: 'bar',
        name: UNMET,
        stack: 'cost',
        data: only(2, objective.unmetUSD),
        itemStyle: { color: unmetColour, decal: hatch },
        label: endLabel(2),
      },
    ],
  };
}
