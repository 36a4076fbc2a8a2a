import { beforeAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../cli/report/chart-svg.js';
import { formatPeriod } from '../core/period.js';
import type { ExampleCharts } from '../test-support/chart-data.js';
import { exampleCharts, legendNames, seriesOf } from '../test-support/chart-data.js';
import type { BuildoutInput, BuildingState } from './buildout.js';
import { buildoutChartHeight, buildoutGantt } from './buildout.js';
import { lightTheme } from './theme.js';

let example: ExampleCharts;
let input: BuildoutInput;
const STATES: BuildingState[] = ['planned', 'online', 'late', 'delivered'];

beforeAll(async () => {
  example = await exampleCharts();
  // The example's buildings, each given a state in turn, the late ones 4 months late.
  input = {
    buildings: example.scenario.buildings.map((b, i) => ({
      id: b.id,
      site: b.site,
      online: formatPeriod(b.online),
      ...(b.constructionStart === undefined
        ? {}
        : { constructionStart: formatPeriod(b.constructionStart) }),
      itMW: b.itMW,
      state: STATES[i % 4]!,
      ...(i % 4 === 2 ? { delayMonths: 4 } : {}),
    })),
    horizon: { from: '2025-01', to: '2030-12' },
    today: '2026-06',
  };
});

interface Item {
  name: string;
  value: number[];
}

describe('buildoutGantt', () => {
  it('gives every building one row, grouped by site', () => {
    const option = buildoutGantt(input, { theme: lightTheme });
    const rows = (option.yAxis as { data: string[] }).data;
    expect(rows).toHaveLength(example.scenario.buildings.length);
    expect(new Set(rows).size).toBe(rows.length);
    const sites = rows.map((r) => r.split(' · ')[0]!);
    // Each site's rows are together.
    const order = sites.filter((s, i) => i === 0 || sites[i - 1] !== s);
    expect(new Set(order).size).toBe(order.length);
    // Every building is drawn once, on its own row.
    const items = seriesOf(option).flatMap((s) => s.data as Item[]);
    expect(items.map((i) => i.value[0]).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      rows.map((_, i) => i),
    );
  });

  it('has a series and a legend entry per state, and writes the state beside each bar', () => {
    const option = buildoutGantt(input, { theme: lightTheme });
    const series = seriesOf(option);
    expect(series.map((s) => s.name)).toEqual(['Planned', 'Online', 'Late', 'Delivered']);
    expect(legendNames(option)).toEqual(series.map((s) => s.name));
    const colours = series.map((s) => s.itemStyle?.color);
    expect(new Set(colours).size).toBe(4);
    // A late building ends its bar 4 months after its online month.
    const late = (series[2]!.data as Item[])[0]!;
    expect(late.value[3]! - late.value[2]!).toBe(4);
    const svg = renderSvg(option, {
      width: 1280,
      height: buildoutChartHeight(input.buildings.length),
    });
    expect(svg).toContain('>Late, 4 mo late</text>');
    expect(svg).toContain('>Delivered</text>');
    expect(svg).toContain('>today 2026-06</text>');
    for (const row of (option.yAxis as { data: string[] }).data.slice(0, 3)) {
      expect(svg).toContain(row.split(' · ')[1]!);
    }
  });

  it('lists only the states present', () => {
    const planned = {
      ...input,
      buildings: input.buildings.map((b) => ({ ...b, state: 'planned' as const })),
    };
    const option = buildoutGantt(planned, { theme: lightTheme });
    expect(legendNames(option)).toEqual(['Planned']);
    expect(JSON.stringify(option)).toBe(
      JSON.stringify(buildoutGantt(planned, { theme: lightTheme })),
    );
  });

  it('gives each row room', () => {
    expect(buildoutChartHeight(25)).toBeGreaterThanOrEqual(25 * 20);
    expect(buildoutChartHeight(0)).toBeGreaterThan(100);
  });
});
