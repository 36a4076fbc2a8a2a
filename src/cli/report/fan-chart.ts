import { grouped } from '../../core/format.js';
import type { Forecast } from '../../core/forecast/forecast.js';
import type { Percentiles } from '../../core/forecast/percentile.js';

/** What the chart says about how it was made, for its subtitle and footer. */
export interface ChartContext {
  readonly seed: number;
  /** Provider names by id. */
  readonly names: ReadonlyMap<string, string>;
  /** The command that made it, for the footer. */
  readonly command: string;
  /** The lab whose compute it is, when the scenario names one (e.g. OpenAI). */
  readonly lab?: string;
}

const WIDTH = 1280;
const HEIGHT = 720;
const FONT = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";
const INK = '#1d2733';
const MUTED = '#5b6675';
const GRID = '#e3e7ec';
const TOTAL = { line: '#1f4e79', band: '#7fa7d1' };
const FOCUS = { line: '#c2410c', band: '#f5a66b' };

interface Series {
  readonly label: string;
  readonly colour: { line: string; band: string };
  readonly band?: readonly Percentiles[];
  readonly scheduled: readonly number[];
}

interface Panel {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly unit: string;
  readonly max: number;
  readonly format: (value: number) => string;
  readonly series: readonly Series[];
  readonly reference?: { readonly value: number; readonly label: string };
  /** A boxed note (a heading, then lines), e.g. the last year's share with its range. */
  readonly callout?: readonly [string, ...string[]];
}

/**
 * The forecast as an SVG fan chart for a slide: GPUs online (all providers, and the focus
 * provider) and the focus provider's share of them, per quarter — p10–p90 bands, p50 lines,
 * the schedule dashed — with a title, a subtitle that says how it was made, axes with ticks
 * and units, legends, end labels and a footer with the command. Written by hand: no chart
 * library, the same forecast gives the same bytes.
 */
export function renderFanChart(forecast: Forecast, context: ChartContext): string {
  const sim = forecast.simulation;
  const focus = forecast.focus;
  const focusName = focus === undefined ? undefined : (context.names.get(focus) ?? focus);
  const quarters = forecast.quarters;
  const first = quarters[0]?.label.slice(0, 4) ?? '';
  const last = quarters[quarters.length - 1]?.label.slice(0, 4) ?? '';
  const years = first === last ? first : `${first}–${last}`;

  // The GPU axis counts in millions, thousands or GPUs, whichever the data needs.
  const peak = Math.max(
    ...forecast.scheduled.totalGpus,
    ...(sim?.totalGpus.map((p) => p.p90) ?? []),
    1,
  );
  const unit =
    peak >= 1e6
      ? { by: 1e6, suffix: 'M', words: 'millions of GPUs' }
      : peak >= 1e4
        ? { by: 1e3, suffix: 'K', words: 'thousands of GPUs' }
        : { by: 1, suffix: '', words: 'GPUs' };
  const inUnits = (values: readonly number[]) => values.map((v) => v / unit.by);
  const scale = (band: readonly Percentiles[] | undefined, by: number) =>
    band?.map((p) => ({ p10: p.p10 / by, p50: p.p50 / by, p90: p.p90 / by, mean: p.mean / by }));
  const focusSeries = forecast.scheduled.byProvider.find((p) => p.provider === focus);

  const gpuSeries: Series[] = [
    {
      label: context.lab === undefined ? 'All providers' : `All of ${context.lab}'s providers`,
      colour: TOTAL,
      scheduled: inUnits(forecast.scheduled.totalGpus),
      ...(sim ? { band: scale(sim.totalGpus, unit.by) ?? [] } : {}),
    },
  ];
  if (focusSeries && focusName !== undefined) {
    gpuSeries.push({
      label: focusName,
      colour: FOCUS,
      scheduled: inUnits(focusSeries.gpus),
      ...(sim ? { band: scale(sim.focusGpus, unit.by) ?? [] } : {}),
    });
  }
  const gpuMax = Math.max(
    ...gpuSeries.flatMap((s) => [...s.scheduled, ...(s.band?.map((p) => p.p90) ?? [])]),
    0.001,
  );

  const yearShare = sim?.byYear[sim.byYear.length - 1];
  const lastYear: [string, ...string[]] | undefined = yearShare
    ? [
        `Share over ${yearShare.year}`,
        `median ${pct(yearShare.focusShare.p50 * 100)}`,
        `p10–p90 ${pct(yearShare.focusShare.p10 * 100)} to ${pct(yearShare.focusShare.p90 * 100)}`,
      ]
    : undefined;
  const top = 178;
  const bottom = HEIGHT - 110;
  const left = 96;
  const gap = 110;
  const withShare = focusSeries !== undefined && focusName !== undefined;
  const gpuWidth = withShare ? 600 : WIDTH - left - 60;
  const panels: Panel[] = [
    {
      x: left,
      y: top,
      width: gpuWidth,
      height: bottom - top,
      title: 'GPUs online',
      unit: unit.words,
      max: niceMax(gpuMax),
      format: (v) => (v === 0 ? '0' : `${trim(v.toFixed(2))}${unit.suffix}`),
      series: gpuSeries,
    },
  ];
  if (withShare) {
    panels.push({
      x: left + gpuWidth + gap,
      y: top,
      width: WIDTH - (left + gpuWidth + gap) - 60,
      height: bottom - top,
      title: 'Share of all GPUs online',
      unit: 'percent of all GPUs online',
      max: 100,
      format: pct,
      series: [
        {
          label: focusName,
          colour: FOCUS,
          scheduled: focusSeries.share.map((s) => s * 100),
          ...(sim ? { band: scale(sim.focusShare, 0.01) ?? [] } : {}),
        },
      ],
      reference: { value: 50, label: 'half' },
      ...(lastYear ? { callout: lastYear } : {}),
    });
  }

  const whose = context.lab === undefined ? 'all providers' : `${context.lab}'s providers`;
  const title =
    focusName === undefined
      ? `GPUs online across ${whose}, ${years}`
      : `${focusName}'s share of ${context.lab === undefined ? 'all' : `${context.lab}'s`} compute, ${years}`;
  const subtitle = sim
    ? `Scenario ${forecast.scenario} · capacity at each quarter's end · Monte Carlo of construction slips: ${grouped(sim.runs)} runs, seed ${context.seed}, slip correlation ${sim.correlation}`
    : `Scenario ${forecast.scenario} · capacity at each quarter's end, as scheduled (no slips simulated)`;
  const key = sim
    ? 'Shaded band: 10th–90th percentile of runs · solid line: median (p50) · dashed line: as scheduled, no slips'
    : 'Dashed line: as scheduled';

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${FONT}" role="img" aria-label="${escape(title)}">`,
  );
  parts.push(`<title>${escape(title)}</title>`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(text(48, 58, title, { size: 30, weight: 700, fill: INK }));
  parts.push(text(48, 92, subtitle, { size: 16, fill: MUTED }));
  parts.push(text(48, 118, key, { size: 16, fill: MUTED }));
  for (const panel of panels) parts.push(renderPanel(panel, forecast, sim !== undefined));
  parts.push(text(48, HEIGHT - 22, `Made with: ${context.command}`, { size: 13, fill: MUTED }));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function renderPanel(panel: Panel, forecast: Forecast, simulated: boolean): string {
  const quarters = forecast.quarters;
  const n = quarters.length;
  const xOf = (q: number) => panel.x + (n <= 1 ? panel.width / 2 : (q / (n - 1)) * panel.width);
  const yOf = (v: number) => panel.y + panel.height - (v / panel.max) * panel.height;
  const out: string[] = [];
  out.push('<g>');
  out.push(text(panel.x, panel.y - 14, panel.title, { size: 19, weight: 700, fill: INK }));

  // Gridlines and y ticks.
  const step = niceStep(panel.max / 5);
  for (let v = 0; v <= panel.max + step / 1e6; v += step) {
    const y = round(yOf(v));
    out.push(
      `<line x1="${panel.x}" y1="${y}" x2="${panel.x + panel.width}" y2="${y}" stroke="${v === 0 ? '#9aa5b1' : GRID}" stroke-width="1"/>`,
    );
    out.push(text(panel.x - 10, y + 5, panel.format(v), { size: 14, fill: MUTED, anchor: 'end' }));
  }
  out.push(
    text(panel.x - 70, panel.y + panel.height / 2, panel.unit, {
      size: 14,
      fill: MUTED,
      anchor: 'middle',
      rotate: true,
    }),
  );

  // x ticks: a tick every quarter, a label every year (at its first quarter in the horizon).
  const axisY = panel.y + panel.height;
  const years = new Map<string, number[]>();
  quarters.forEach((quarter, q) => {
    const x = round(xOf(q));
    const year = quarter.label.slice(0, 4);
    years.set(year, [...(years.get(year) ?? []), q]);
    out.push(
      `<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 5}" stroke="#9aa5b1" stroke-width="1"/>`,
    );
  });
  for (const [year, indices] of years) {
    const firstIndex = indices[0] ?? 0;
    const lastIndex = indices[indices.length - 1] ?? 0;
    if (firstIndex > 0) {
      // A longer tick between years.
      const x = round((xOf(firstIndex - 1) + xOf(firstIndex)) / 2);
      out.push(
        `<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 14}" stroke="#9aa5b1" stroke-width="1"/>`,
      );
    }
    const centre = (xOf(firstIndex) + xOf(lastIndex)) / 2;
    out.push(text(centre, axisY + 26, year, { size: 14, fill: MUTED, anchor: 'middle' }));
  }
  out.push(
    text(panel.x + panel.width / 2, axisY + 50, 'quarter ends (ticks), by year', {
      size: 14,
      fill: MUTED,
      anchor: 'middle',
    }),
  );

  if (panel.reference) {
    const y = round(yOf(panel.reference.value));
    out.push(
      `<line x1="${panel.x}" y1="${y}" x2="${panel.x + panel.width}" y2="${y}" stroke="#9aa5b1" stroke-width="1.5" stroke-dasharray="2 4"/>`,
    );
    out.push(text(panel.x + 6, y - 6, panel.reference.label, { size: 13, fill: MUTED }));
  }

  // Bands, then lines, so that no band hides a line.
  for (const series of panel.series) {
    if (!series.band || series.band.length === 0) continue;
    const upper = series.band.map((p, q) => `${round(xOf(q))},${round(yOf(p.p90))}`);
    const lower = series.band.map((p, q) => `${round(xOf(q))},${round(yOf(p.p10))}`).reverse();
    out.push(
      `<polygon points="${[...upper, ...lower].join(' ')}" fill="${series.colour.band}" fill-opacity="0.45" stroke="none"/>`,
    );
  }
  for (const series of panel.series) {
    const scheduled = series.scheduled.map((v, q) => `${round(xOf(q))},${round(yOf(v))}`);
    out.push(
      `<polyline points="${scheduled.join(' ')}" fill="none" stroke="${series.colour.line}" stroke-width="2" stroke-dasharray="7 5" stroke-opacity="0.85"/>`,
    );
    if (series.band && series.band.length > 0) {
      const median = series.band.map((p, q) => `${round(xOf(q))},${round(yOf(p.p50))}`);
      out.push(
        `<polyline points="${median.join(' ')}" fill="none" stroke="${series.colour.line}" stroke-width="3" stroke-linejoin="round"/>`,
      );
    }
  }

  // End labels: the last quarter's median (or schedule), with the band's range.
  const labels = panel.series.map((series) => {
    const lastBand = series.band?.[series.band.length - 1];
    const value = lastBand ? lastBand.p50 : (series.scheduled[series.scheduled.length - 1] ?? 0);
    const range =
      lastBand && lastBand.p90 > lastBand.p10
        ? ` (${panel.format(lastBand.p10)}–${panel.format(lastBand.p90)})`
        : '';
    return { series, y: yOf(value), text: `${panel.format(value)}${range}` };
  });
  spread(labels, 20);
  for (const label of labels) {
    out.push(
      `<circle cx="${round(xOf(n - 1))}" cy="${round(yOf(valueAtEnd(label.series)))}" r="4" fill="${label.series.colour.line}"/>`,
    );
    out.push(
      text(xOf(n - 1) - 8, label.y - 10, label.text, {
        size: 15,
        weight: 700,
        fill: label.series.colour.line,
        anchor: 'end',
      }),
    );
  }

  if (panel.callout !== undefined) {
    // A boxed note in the plot's lower right, clear of the lines that end high.
    const [heading, ...body] = panel.callout;
    const width = Math.max(heading.length * 9.4, ...body.map((line) => line.length * 8.6)) + 28;
    const height = 34 + body.length * 22;
    const x = panel.x + panel.width - width - 12;
    const y = panel.y + panel.height - height - 14;
    const colour = panel.series[0]?.colour.line ?? INK;
    out.push(
      `<rect x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${height}" rx="6" fill="#ffffff" stroke="${colour}" stroke-width="1.5"/>`,
    );
    out.push(text(x + 14, y + 24, heading, { size: 15, weight: 700, fill: colour }));
    body.forEach((line, index) => {
      out.push(text(x + 14, y + 47 + index * 22, line, { size: 15, fill: INK }));
    });
  }

  // Legend, top left inside the plot.
  let legendY = panel.y + 22;
  for (const series of panel.series) {
    const x = panel.x + 14;
    if (simulated && series.band) {
      out.push(
        `<rect x="${x}" y="${legendY - 11}" width="26" height="14" fill="${series.colour.band}" fill-opacity="0.45"/>`,
      );
    }
    out.push(
      `<line x1="${x}" y1="${legendY - 4}" x2="${x + 26}" y2="${legendY - 4}" stroke="${series.colour.line}" stroke-width="3"/>`,
    );
    out.push(
      text(x + 36, legendY + 1, simulated ? `${series.label}: p50, p10–p90` : series.label, {
        size: 15,
        fill: INK,
      }),
    );
    legendY += 24;
  }
  out.push('</g>');
  return out.join('\n');
}

function valueAtEnd(series: Series): number {
  const lastBand = series.band?.[series.band.length - 1];
  return lastBand ? lastBand.p50 : (series.scheduled[series.scheduled.length - 1] ?? 0);
}

/** Pushes labels apart vertically so that none overlaps the next. */
function spread(labels: { y: number }[], minGap: number): void {
  const sorted = [...labels].sort((a, b) => a.y - b.y);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (previous && current && current.y - previous.y < minGap) current.y = previous.y + minGap;
  }
}

/** A round step for about five ticks: 1, 2, 2.5 or 5 × a power of ten. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice =
    fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** The axis maximum: the data's maximum with headroom, rounded up to a whole step. */
function niceMax(max: number): number {
  const step = niceStep((max * 1.15) / 5);
  return Math.ceil((max * 1.15) / step) * step;
}

function pct(value: number): string {
  return `${value.toFixed(1)}%`;
}

function trim(text: string): string {
  return text.replace(/\.?0+$/, '');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function text(
  x: number,
  y: number,
  content: string,
  style: {
    size: number;
    fill: string;
    weight?: number;
    anchor?: 'start' | 'middle' | 'end';
    rotate?: boolean;
  },
): string {
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-size="${style.size}"`,
    `fill="${style.fill}"`,
    ...(style.weight ? [`font-weight="${style.weight}"`] : []),
    ...(style.anchor && style.anchor !== 'start' ? [`text-anchor="${style.anchor}"`] : []),
    ...(style.rotate ? [`transform="rotate(-90 ${round(x)} ${round(y)})"`] : []),
  ];
  return `<text ${attributes.join(' ')}>${escape(content)}</text>`;
}

function escape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
