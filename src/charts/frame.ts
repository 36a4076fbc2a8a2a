import { measureText } from './text-metrics.js';
import { providerColours } from './theme.js';
import type { AxisScale } from './format.js';
import type { ChartOptions, ChartTheme } from './types.js';

/**
 * The parts every chart shares: the theme's text colours, no animation (so the CLI's SVG and
 * screenshots are the same every time), an accessible description, the optional title, a
 * legend that lists every series, and axes styled alike.
 */

const TITLE_HEIGHT = 44;
const SUBTITLE_HEIGHT = 20;
/** Wide enough for a dash pattern to show. */
const ICON = 28;

/** The option's frame: theme, aria description, title (when given). */
export function chartFrame(o: ChartOptions, description: string) {
  return {
    animation: false,
    backgroundColor: o.theme.background,
    textStyle: { color: o.theme.text, fontFamily: o.theme.fontFamily },
    aria: { enabled: true, label: { description } },
    ...(o.title === undefined
      ? {}
      : {
          title: {
            text: o.title,
            left: 16,
            top: 10,
            textStyle: { color: o.theme.text, fontSize: 17, fontWeight: 600 },
            ...(o.subtitle === undefined
              ? {}
              : { subtext: o.subtitle, subtextStyle: { color: o.theme.muted, fontSize: 12 } }),
          },
        }),
  };
}

/** Where a chart's content starts below the title, or the top edge without one. */
export function contentTop(o: ChartOptions): number {
  if (o.title === undefined) return 8;
  return o.subtitle === undefined ? TITLE_HEIGHT : TITLE_HEIGHT + SUBTITLE_HEIGHT;
}

/**
 * A legend entry: a series name; or a line series' name whose icon is its line alone; or an
 * area series' name whose icon is a filled box.
 */
export type LegendEntry = string | { readonly line: string } | { readonly area: string };

/**
 * A legend entry for a line series: ECharts draws a line's icon with a dot in its middle even
 * when the line has no symbols, and the dot hides whether the line is dashed.
 */
export function lineEntry(name: string): LegendEntry {
  return { line: name };
}

/** A legend entry for a filled area: a box, not the line along its top. */
export function areaEntry(name: string): LegendEntry {
  return { area: name };
}

/** The series name of a legend entry. */
export function entryName(entry: LegendEntry): string {
  if (typeof entry === 'string') return entry;
  return 'line' in entry ? entry.line : entry.area;
}

function legendItem(entry: LegendEntry) {
  if (typeof entry === 'string') return entry;
  return 'line' in entry
    ? { name: entry.line, itemStyle: { opacity: 0 } }
    : { name: entry.area, icon: 'roundRect' };
}

/**
 * A vertical legend on the right, one entry per series name given (and only those: helper
 * series stay out of it), with the width the grid must leave for it. Vertical, so that it
 * never wraps over the plot whatever the container's width.
 */
export function rightLegend(o: ChartOptions, entries: readonly LegendEntry[]) {
  const names = entries.map(entryName);
  // Arial's widths and a tenth more, for the wider system fonts of the dashboard.
  const longest = Math.max(0, ...names.map((name) => measureText(name, '12px Arial').width));
  const width = Math.min(300, Math.round(longest * 1.1 + ICON + 5 + 12));
  return {
    width,
    legend: {
      type: 'plain',
      orient: 'vertical',
      right: 8,
      top: contentTop(o) + 8,
      itemGap: 8,
      itemWidth: ICON,
      itemHeight: 12,
      data: entries.map(legendItem),
      textStyle: { color: o.theme.text, fontSize: 12 },
      inactiveColor: o.theme.muted,
    },
  };
}

/** A cartesian grid that holds its axis labels and names, right of which the legend sits. */
export function grid(o: ChartOptions, legendWidth: number, extra: { bottom?: number } = {}) {
  return {
    left: 12,
    right: legendWidth + 16,
    top: contentTop(o) + 28,
    bottom: extra.bottom ?? 8,
    outerBoundsMode: 'same',
    outerBoundsContain: 'all',
  };
}

export function categoryAxis(
  theme: ChartTheme,
  data: readonly string[],
  options: { formatter?: (value: string, index: number) => string; boundaryGap?: boolean } = {},
) {
  return {
    type: 'category',
    data: [...data],
    boundaryGap: options.boundaryGap ?? false,
    axisLine: { lineStyle: { color: theme.axis } },
    axisTick: { alignWithLabel: true, lineStyle: { color: theme.axis } },
    axisLabel: {
      color: theme.muted,
      ...(options.formatter === undefined ? {} : { formatter: options.formatter, interval: 0 }),
    },
  };
}

/** A value axis from 0 to a fitted top (`fittedScale`), ticks at its step. */
export function valueAxis(
  theme: ChartTheme,
  options: { name: string; scale: AxisScale; formatter: (value: number) => string },
) {
  return {
    type: 'value',
    name: options.name,
    nameTextStyle: { color: theme.muted, align: 'left' },
    min: 0,
    max: options.scale.max,
    interval: options.scale.interval,
    axisLine: { show: false },
    // Ticks are fixed (`interval`), so in a narrow box ECharts would print them over each other.
    axisLabel: { color: theme.muted, formatter: options.formatter, hideOverlap: true },
    splitLine: { lineStyle: { color: theme.grid } },
  };
}

/** An axis tooltip whose body is built by the chart (the default lists helper series too). */
export function axisTooltip(theme: ChartTheme, formatter: (index: number) => string) {
  return {
    trigger: 'axis',
    confine: true,
    backgroundColor: theme.name === 'dark' ? '#1f2329' : '#ffffff',
    borderColor: theme.grid,
    textStyle: { color: theme.text },
    formatter: (params: unknown) => {
      const first = Array.isArray(params)
        ? (params[0] as { dataIndex?: number } | undefined)
        : undefined;
      return formatter(first?.dataIndex ?? 0);
    },
  };
}

export function itemTooltip(theme: ChartTheme) {
  return {
    trigger: 'item',
    confine: true,
    backgroundColor: theme.name === 'dark' ? '#1f2329' : '#ffffff',
    borderColor: theme.grid,
    textStyle: { color: theme.text },
  };
}

/** A name for an id: the one given, else the id. */
export function nameOf(o: ChartOptions, id: string): string {
  return o.names?.[id] ?? id;
}

/**
 * Each provider's colour: by rank among all the scenario's providers when the caller gave
 * them (`o.providers`), so that colours agree across charts; else among `ids`.
 */
export function colourOf(o: ChartOptions, ids: readonly string[]): (id: string) => string {
  const colours = providerColours([...(o.providers ?? []), ...ids], o.theme);
  return (id) => colours.get(id) ?? o.theme.muted;
}
