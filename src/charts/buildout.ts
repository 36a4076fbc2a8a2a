import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts';
import { grouped } from '../core/format.js';
import type { Period } from '../core/period.js';
import { formatPeriod, periodOf } from '../core/period.js';
import { chartFrame, contentTop, itemTooltip } from './frame.js';
import { escapeHtml, megawatts } from './format.js';
import type { ChartOptions, ChartTheme, EChartsCoreOption } from './types.js';

/** Where a building stands: not yet online, online as scheduled, late, or delivered. */
export type BuildingState = 'planned' | 'online' | 'late' | 'delivered';

/** One building of the Gantt. Months are `YYYY-MM`. */
export interface BuildoutBuilding {
  readonly id: string;
  readonly site: string;
  readonly provider?: string;
  readonly constructionStart?: string;
  /** The month it is scheduled to come online. */
  readonly online: string;
  /** Months it is (or is expected to be) late past `online`; drawn as a segment after it. */
  readonly delayMonths?: number;
  readonly itMW?: number;
  readonly state: BuildingState;
  /** Named dates besides construction start and online (scenario `milestones`). */
  readonly milestones?: readonly { readonly id: string; readonly period: string }[];
}

/** The Gantt's input: the buildings, the months to show, and today's month. */
export interface BuildoutInput {
  readonly buildings: readonly BuildoutBuilding[];
  readonly horizon: { readonly from: string; readonly to: string };
  readonly today: string;
}

const STATES: readonly BuildingState[] = ['planned', 'online', 'late', 'delivered'];
const STATE_WORDS: Record<BuildingState, string> = {
  planned: 'Planned',
  online: 'Online',
  late: 'Late',
  delivered: 'Delivered',
};

/** Okabe–Ito colours, readable on light and dark: the state is also written beside each bar. */
function stateColour(state: BuildingState, theme: ChartTheme): string {
  if (state === 'online') return '#009E73';
  if (state === 'late') return '#D55E00';
  if (state === 'delivered') return '#0072B2';
  return theme.axis;
}

const ROW = 22;

/** The height that gives every building a readable row, for the page's chart box. */
export function buildoutChartHeight(buildings: number, o: { title?: string } = {}): number {
  return Math.max(160, buildings * ROW + 72 + (o.title === undefined ? 0 : 44));
}

/** `YYYY-MM` as a count of months, so the axis is a plain number line of months. */
function monthIndex(text: string): number {
  return periodOf(Number(text.slice(0, 4)), Number(text.slice(5, 7)));
}

function monthText(index: number): string {
  return formatPeriod(index as Period);
}

/**
 * Every building as a row of a Gantt, grouped by site (rows sorted by site, then online
 * month): a bar from construction start to the month it is scheduled online, a diamond at
 * that month, a hatched segment for the months it is late, small ticks for its other
 * milestones, and its state written at the end of the row — a series (and legend entry) per
 * state, so colour is never the only signal. A line marks today.
 */
export function buildoutGantt(input: BuildoutInput, o: ChartOptions): EChartsCoreOption {
  // Code-unit order, not the locale's: the same rows on every machine.
  const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const buildings = [...input.buildings].sort(
    (a, b) => compare(a.site, b.site) || compare(a.online, b.online) || compare(a.id, b.id),
  );
  const rows = buildings.map((b) => `${b.site} · ${b.id}`);
  // The site names its first row; the rows below it are its other buildings.
  const rowLabels = buildings.map((b, i) =>
    i === 0 || buildings[i - 1]?.site !== b.site ? `${b.site} · ${b.id}` : b.id,
  );
  // Whole years on the axis: from the January of the first month to the January after the last.
  const min = Math.floor(monthIndex(input.horizon.from) / 12) * 12;
  const max = (Math.floor(monthIndex(input.horizon.to) / 12) + 1) * 12;
  const today = monthIndex(input.today);
  const present = STATES.filter((s) => buildings.some((b) => b.state === s));

  const label = (b: BuildoutBuilding) =>
    b.delayMonths !== undefined && b.delayMonths > 0
      ? `${STATE_WORDS[b.state]}, ${b.delayMonths} mo late`
      : STATE_WORDS[b.state];

  const series = present.map((state, s) => {
    const colour = stateColour(state, o.theme);
    const mine = buildings.map((b, row) => ({ b, row })).filter(({ b }) => b.state === state);
    return {
      type: 'custom',
      name: STATE_WORDS[state],
      clip: true,
      itemStyle: { color: colour },
      encode: { x: [1, 2, 3], y: 0 },
      data: mine.map(({ b, row }) => {
        const online = monthIndex(b.online);
        const start = b.constructionStart === undefined ? online : monthIndex(b.constructionStart);
        return {
          name: b.id,
          value: [row, start, online, online + Math.max(0, b.delayMonths ?? 0)],
          building: b,
        };
      }),
      renderItem: (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) => {
        const item = mine[params.dataIndex];
        if (!item) return null;
        const { b, row } = item;
        const online = monthIndex(b.online);
        const start = b.constructionStart === undefined ? online : monthIndex(b.constructionStart);
        const late = online + Math.max(0, b.delayMonths ?? 0);
        const [x0 = 0, y = 0] = api.coord([start, row]);
        const [x1 = 0] = api.coord([online, row]);
        const [x2 = 0] = api.coord([late, row]);
        const height = Math.min(14, (api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 14) * 0.8;
        const children: object[] = [];
        if (x1 > x0) {
          children.push({
            type: 'rect',
            shape: { x: x0, y: y - height / 2, width: x1 - x0, height, r: 2 },
            style: { fill: colour, opacity: state === 'planned' ? 0.55 : 0.85 },
          });
        }
        if (x2 > x1) {
          children.push({
            type: 'rect',
            shape: { x: x1, y: y - height / 2, width: x2 - x1, height, r: 2 },
            style: {
              fill: colour,
              opacity: 0.3,
              stroke: colour,
              lineWidth: 1.5,
              lineDash: [4, 3],
            },
          });
        }
        for (const m of b.milestones ?? []) {
          const [mx = 0] = api.coord([monthIndex(m.period), row]);
          children.push({
            type: 'line',
            shape: { x1: mx, y1: y - height / 2 - 2, x2: mx, y2: y + height / 2 + 2 },
            style: { stroke: o.theme.text, lineWidth: 1.5 },
          });
        }
        const d = height * 0.75;
        children.push({
          type: 'polygon',
          shape: {
            points: [
              [x1, y - d],
              [x1 + d, y],
              [x1, y + d],
              [x1 - d, y],
            ],
          },
          style: { fill: colour, stroke: o.theme.text, lineWidth: 1 },
        });
        children.push({
          type: 'text',
          x: Math.max(x1 + d, x2) + 6,
          y,
          style: {
            text: label(b),
            fill: o.theme.text,
            fontSize: 11,
            fontFamily: o.theme.fontFamily,
            verticalAlign: 'middle',
          },
        });
        return { type: 'group', children };
      },
      ...(s === 0
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { color: o.theme.text, type: 'solid', width: 1 },
              label: {
                formatter: `today ${monthText(today)}`,
                color: o.theme.text,
                position: 'start',
              },
              data: [{ xAxis: today }],
            },
          }
        : {}),
    };
  });

  const counts = present.map(
    (s) =>
      `${grouped(buildings.filter((b) => b.state === s).length)} ${STATE_WORDS[s].toLowerCase()}`,
  );
  const late = buildings.filter((b) => (b.delayMonths ?? 0) > 0);
  const description = `Buildout: ${grouped(buildings.length)} buildings by site, construction start to scheduled online, ${monthText(min)} to ${monthText(max - 1)}, today ${monthText(today)}: ${counts.join(', ')}.${
    late.length === 0
      ? ''
      : ` Late: ${late.map((b) => `${b.id} at ${b.site} by ${b.delayMonths ?? 0} months`).join('; ')}.`
  }`;
  const top = contentTop(o) + 36;

  return {
    ...chartFrame(o, description),
    legend: {
      type: 'plain',
      top: contentTop(o) + 4,
      left: 12,
      data: present.map((s) => STATE_WORDS[s]),
      textStyle: { color: o.theme.text, fontSize: 12 },
      inactiveColor: o.theme.muted,
    },
    grid: {
      left: 12,
      right: 120,
      top,
      bottom: 8,
      outerBoundsMode: 'same',
      outerBoundsContain: 'all',
    },
    tooltip: {
      ...itemTooltip(o.theme),
      formatter: (p: { data?: unknown }) => {
        const b = (p.data as { building?: BuildoutBuilding } | undefined)?.building;
        if (!b) return '';
        const lines = [
          `<b>${escapeHtml(b.id)}</b> at ${escapeHtml(b.site)}${b.provider === undefined ? '' : ` (${escapeHtml(b.provider)})`}`,
          label(b),
          ...(b.constructionStart === undefined
            ? []
            : [`construction from ${b.constructionStart}`]),
          `online ${b.online}${(b.delayMonths ?? 0) > 0 ? `, ${b.delayMonths ?? 0} months late` : ''}`,
          ...(b.itMW === undefined ? [] : [megawatts(b.itMW)]),
          ...(b.milestones ?? []).map((m) => `${escapeHtml(m.id)} ${m.period}`),
        ];
        return lines.join('<br>');
      },
    },
    xAxis: {
      type: 'value',
      min,
      max,
      interval: 12,
      axisLine: { lineStyle: { color: o.theme.axis } },
      axisLabel: {
        color: o.theme.muted,
        formatter: (v: number) => (v % 12 === 0 ? String(v / 12) : ''),
      },
      splitLine: { lineStyle: { color: o.theme.grid } },
    },
    yAxis: {
      type: 'category',
      data: rows,
      inverse: true,
      axisLine: { lineStyle: { color: o.theme.axis } },
      axisTick: { show: false },
      axisLabel: {
        color: o.theme.text,
        fontSize: 11,
        interval: 0,
        formatter: (_: string, index: number) => rowLabels[index] ?? '',
      },
    },
    series,
  };
}
