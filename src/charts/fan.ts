import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts';
import { grouped } from '../core/format.js';
import type { LegendEntry } from './frame.js';
import {
  axisTooltip,
  categoryAxis,
  chartFrame,
  colourOf,
  grid,
  lineEntry,
  nameOf,
  rightLegend,
  valueAxis,
} from './frame.js';
import { countShort, escapeHtml, fittedScale, percent, yearAtFirstQuarter } from './format.js';
import type { ChartOptions, EChartsCoreOption, ForecastJson } from './types.js';

/** What a fan chart counts: GPUs online, or each provider's share of all GPUs online. */
export type FanMetric = 'gpus' | 'share';

interface Band {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

interface ProviderFan {
  readonly id: string;
  readonly name: string;
  readonly colour: string;
  readonly scheduled: readonly number[];
  /**
   * Per quarter; absent when the forecast ran no Monte Carlo, or when every run gave the
   * schedule (the provider has nothing that slips): a band of zero width says nothing.
   */
  readonly bands?: readonly Band[];
  /** Runs were made and none moved this provider off its schedule. */
  readonly fixed: boolean;
}

/**
 * The forecast as a fan chart, one fan per provider: the p10–p90 band of the Monte Carlo of
 * construction slips, its median (p50), and the capacity as scheduled (no slips) dashed — each
 * with its own legend entry, so the chart explains itself. `metric` picks GPUs online at each
 * quarter's end, or each provider's share of all GPUs online (a fraction, axis fitted to the
 * data: it reaches 100 % only when a share does). A forecast without runs draws the schedule
 * alone.
 */
export function fanChart(
  forecast: ForecastJson,
  o: ChartOptions & { readonly metric: FanMetric },
): EChartsCoreOption {
  const quarters = forecast.quarters.map((q) => q.quarter);
  const fans = providerFans(forecast, o);
  const format = o.metric === 'gpus' ? grouped : (v: number) => percent(v);
  const tick = o.metric === 'gpus' ? countShort : (v: number) => percent(v, 0);

  const peak = Math.max(
    0,
    ...fans.flatMap((f) => [...f.scheduled, ...(f.bands?.map((b) => b.p90) ?? [])]),
  );
  const scale =
    o.metric === 'gpus'
      ? fittedScale(peak, { floor: 10 })
      : fittedScale(peak, { floor: 0.05, cap: 1 });

  const series: object[] = [];
  // Bands first, so that no band hides a line.
  for (const fan of fans) {
    const bands = fan.bands;
    if (bands === undefined) continue;
    series.push({
      type: 'custom',
      name: bandName(fan),
      data: bands.map((b, q) => [q, b.p10, b.p90]),
      encode: { x: 0, y: [1, 2] },
      itemStyle: { color: fan.colour, opacity: 0.25 },
      renderItem: (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) => {
        // One polygon for the whole band, drawn with the first item.
        if (params.dataIndex !== 0) return null;
        const upper = bands.map((b, q) => api.coord([q, b.p90]));
        const lower = bands.map((b, q) => api.coord([q, b.p10])).reverse();
        return {
          type: 'polygon',
          shape: { points: [...upper, ...lower] },
          style: { fill: fan.colour, opacity: 0.22 },
          silent: true,
        };
      },
      z: 1,
    });
  }
  for (const fan of fans) {
    if (fan.bands !== undefined) {
      series.push({
        type: 'line',
        name: medianName(fan),
        data: fan.bands.map((b) => b.p50),
        symbol: 'none',
        lineStyle: { color: fan.colour, width: 2.5 },
        itemStyle: { color: fan.colour },
        z: 3,
      });
    }
    series.push({
      type: 'line',
      name: scheduledName(fan),
      data: [...fan.scheduled],
      symbol: 'none',
      // Dashed beside its median; solid when the schedule is all there is to draw.
      lineStyle: fan.fixed
        ? { color: fan.colour, width: 2.5 }
        : { color: fan.colour, width: 1.5, type: 'dashed' },
      itemStyle: { color: fan.colour },
      z: 2,
    });
  }

  // The legend by provider (band, median, schedule), though the bands are drawn first.
  const legend: LegendEntry[] = fans.flatMap((fan) => [
    ...(fan.bands === undefined ? [] : [bandName(fan), lineEntry(medianName(fan))]),
    lineEntry(scheduledName(fan)),
  ]);
  const { legend: legendOption, width } = rightLegend(o, legend);
  return {
    ...chartFrame(o, describe(forecast, fans, o.metric, format)),
    legend: legendOption,
    grid: grid(o, width),
    tooltip: axisTooltip(o.theme, (q) => tooltip(quarters[q] ?? '', fans, q, format)),
    xAxis: categoryAxis(o.theme, quarters, { formatter: yearAtFirstQuarter }),
    yAxis: valueAxis(o.theme, {
      name: o.metric === 'gpus' ? 'GPUs online' : 'Share of all GPUs online',
      scale,
      formatter: tick,
    }),
    series,
  };
}

const bandName = (fan: ProviderFan) => `${fan.name} p10–p90`;
const medianName = (fan: ProviderFan) => `${fan.name} median (p50)`;
const scheduledName = (fan: ProviderFan) =>
  fan.fixed ? `${fan.name} as scheduled (no slips)` : `${fan.name} as scheduled`;

function providerFans(forecast: ForecastJson, o: ChartOptions & { metric: FanMetric }) {
  const ids = forecast.quarters[0]?.scheduled.providers.map((p) => p.provider) ?? [];
  const colourFor = colourOf(o, ids);
  return ids.map((id): ProviderFan => {
    const scheduled = forecast.quarters.map((q) => {
      const row = q.scheduled.providers.find((p) => p.provider === id);
      return (o.metric === 'gpus' ? row?.gpus : row?.share) ?? 0;
    });
    const bands =
      forecast.simulation === null
        ? undefined
        : forecast.quarters.map((q): Band => {
            const row = q.simulated?.providers.find((p) => p.provider === id);
            const p = o.metric === 'gpus' ? row?.gpus : row?.share;
            return { p10: p?.p10 ?? 0, p50: p?.p50 ?? 0, p90: p?.p90 ?? 0 };
          });
    const fixed =
      bands !== undefined &&
      bands.every((b, q) => b.p10 === b.p90 && b.p50 === (scheduled[q] ?? 0));
    return {
      id,
      name: nameOf(o, id),
      colour: colourFor(id),
      scheduled,
      fixed,
      ...(bands === undefined || fixed ? {} : { bands }),
    };
  });
}

function tooltip(
  quarter: string,
  fans: readonly ProviderFan[],
  q: number,
  format: (v: number) => string,
): string {
  const lines = fans.map((fan) => {
    const band = fan.bands?.[q];
    const scheduled = `as scheduled ${format(fan.scheduled[q] ?? 0)}`;
    const text = band
      ? `median ${format(band.p50)} (p10 ${format(band.p10)} – p90 ${format(band.p90)}); ${scheduled}`
      : scheduled;
    return `<b>${escapeHtml(fan.name)}</b>: ${text}`;
  });
  return [`<b>${escapeHtml(quarter)}</b>`, ...lines].join('<br>');
}

function describe(
  forecast: ForecastJson,
  fans: readonly ProviderFan[],
  metric: FanMetric,
  format: (v: number) => string,
): string {
  const what = metric === 'gpus' ? 'GPUs online' : 'Share of all GPUs online';
  const first = forecast.quarters[0]?.quarter ?? '';
  const lastIndex = forecast.quarters.length - 1;
  const last = forecast.quarters[lastIndex]?.quarter ?? '';
  const sim = forecast.simulation;
  const how = sim
    ? `for each provider the 10th to 90th percentile of ${grouped(sim.runs)} runs of construction slips, their median, and the schedule (dashed)`
    : 'as scheduled, no slips simulated';
  const ends = fans.map((fan) => {
    const band = fan.bands?.[lastIndex];
    const scheduled = format(fan.scheduled[lastIndex] ?? 0);
    return band
      ? `${fan.name} median ${format(band.p50)} (p10 ${format(band.p10)} to p90 ${format(band.p90)}), scheduled ${scheduled}`
      : `${fan.name} ${scheduled}`;
  });
  return `${what} by provider at each quarter's end, ${first} to ${last}: ${how}. In ${last}: ${ends.join('; ')}.`;
}
