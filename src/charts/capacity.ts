import { grouped } from '../core/format.js';
import {
  areaEntry,
  axisTooltip,
  categoryAxis,
  chartFrame,
  colourOf,
  grid,
  nameOf,
  rightLegend,
  valueAxis,
} from './frame.js';
import { countShort, escapeHtml, fittedScale, megawatts, yearAtFirstQuarter } from './format.js';
import type { ChartOptions, EChartsCoreOption, ForecastJson } from './types.js';

/** What the capacity chart stacks: GPUs, or megawatts of IT power. */
export type CapacityMetric = 'gpus' | 'mw';

/**
 * Capacity online by provider at each quarter's end, as scheduled (no slips): a stacked area
 * per provider, so the top edge is the total and each band is one provider.
 */
export function capacityChart(
  forecast: ForecastJson,
  o: ChartOptions & { readonly metric: CapacityMetric },
): EChartsCoreOption {
  const quarters = forecast.quarters.map((q) => q.quarter);
  const ids = forecast.quarters[0]?.scheduled.providers.map((p) => p.provider) ?? [];
  const colourFor = colourOf(o, ids);
  const rows = ids.map((id) => ({
    id,
    name: nameOf(o, id),
    colour: colourFor(id),
    values: forecast.quarters.map((q) => {
      const row = q.scheduled.providers.find((p) => p.provider === id);
      return (o.metric === 'gpus' ? row?.gpus : row?.mw) ?? 0;
    }),
  }));
  const totals = forecast.quarters.map((q) =>
    o.metric === 'gpus' ? q.scheduled.totalGpus : q.scheduled.totalMw,
  );
  const format = o.metric === 'gpus' ? grouped : megawatts;
  const unit = o.metric === 'gpus' ? 'GPUs online' : 'MW online';

  const { legend, width } = rightLegend(
    o,
    rows.map((r) => areaEntry(r.name)),
  );
  const lastIndex = quarters.length - 1;
  const last = quarters[lastIndex] ?? '';
  const description = `${unit} by provider at each quarter's end, as scheduled, stacked, ${quarters[0] ?? ''} to ${last}. In ${last}: ${rows
    .map((r) => `${r.name} ${format(r.values[lastIndex] ?? 0)}`)
    .join('; ')}; in all ${format(totals[lastIndex] ?? 0)}.`;

  return {
    ...chartFrame(o, description),
    legend,
    grid: grid(o, width),
    tooltip: axisTooltip(o.theme, (q) =>
      [
        `<b>${escapeHtml(quarters[q] ?? '')}</b>`,
        ...rows.map((r) => `${escapeHtml(r.name)}: ${format(r.values[q] ?? 0)}`),
        `In all: ${format(totals[q] ?? 0)}`,
      ].join('<br>'),
    ),
    xAxis: categoryAxis(o.theme, quarters, { formatter: yearAtFirstQuarter }),
    yAxis: valueAxis(o.theme, {
      name: unit,
      scale: fittedScale(Math.max(0, ...totals), { floor: 10 }),
      formatter: o.metric === 'gpus' ? countShort : megawatts,
    }),
    series: rows.map((r) => ({
      type: 'line',
      name: r.name,
      stack: 'capacity',
      data: r.values,
      showSymbol: false,
      lineStyle: { color: r.colour, width: 1.5 },
      itemStyle: { color: r.colour },
      areaStyle: { color: r.colour, opacity: 0.55 },
    })),
  };
}
