import { beforeAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../cli/report/chart-svg.js';
import { centsOf, formatUSDCompact } from '../core/money.js';
import { providerQuarters } from '../core/plan-overview.js';
import type { ExampleCharts } from '../test-support/chart-data.js';
import { exampleCharts, legendNames, seriesOf } from '../test-support/chart-data.js';
import { costComponentsChart, planCapacityChart } from './plan.js';
import { lightTheme } from './theme.js';

let example: ExampleCharts;
beforeAll(async () => {
  example = await exampleCharts();
});

describe('planCapacityChart', () => {
  it('stacks GPUs placed per provider and quarter under the capacity line', () => {
    const option = planCapacityChart(example.plan, { theme: lightTheme, names: example.names });
    const series = seriesOf(option);
    expect(series.map((s) => s.name)).toEqual([
      'Microsoft Azure placed',
      'CoreWeave placed',
      'Stargate Project placed',
      'Capacity, all providers',
    ]);
    expect(legendNames(option)).toEqual(series.map((s) => s.name));
    expect(series.slice(0, 3).every((s) => s.type === 'bar' && s.stack === 'placed')).toBe(true);

    // A bar is the mean over the quarter's months: 2027-Q1 for Azure, from the plan's rows.
    const quarters = (option.xAxis as { data: string[] }).data;
    const q = quarters.indexOf('2027-Q1');
    const rows = example.plan.byProvider.filter(
      (r) => r.provider === 'azure' && ['2027-01', '2027-02', '2027-03'].includes(r.period),
    );
    expect(rows).toHaveLength(3);
    const mean = Math.round(rows.reduce((sum, r) => sum + r.gpus, 0) / 3);
    expect(series[0]?.data?.[q]).toBe(mean);

    // Placed never exceeds capacity, and the axis holds the capacity.
    const capacity = series[3]?.data as number[];
    const placed = quarters.map((_, i) =>
      series.slice(0, 3).reduce((sum, s) => sum + ((s.data?.[i] as number) ?? 0), 0),
    );
    placed.forEach((p, i) => {
      expect(p).toBeLessThanOrEqual((capacity[i] ?? 0) + 1);
    });
    expect((option.yAxis as { max: number }).max).toBeGreaterThanOrEqual(Math.max(...capacity));
  });

  it('renders to an SVG with its legend', () => {
    const option = planCapacityChart(example.plan, {
      theme: lightTheme,
      names: example.names,
      title: 'Plan',
    });
    const svg = renderSvg(option, { width: 1280, height: 720 });
    for (const name of legendNames(option)) expect(svg).toContain(`>${name}</text>`);
  });
});

describe('costComponentsChart', () => {
  it('shows compute per provider, the shortfall and the unmet value, in the project’s format', () => {
    const option = costComponentsChart(example.plan, { theme: lightTheme, names: example.names });
    const series = seriesOf(option);
    expect(series.map((s) => s.name)).toEqual([
      'Microsoft Azure compute',
      'CoreWeave compute',
      'Stargate Project compute',
      'Commitment shortfall',
      'Unmet demand (value lost)',
    ]);
    expect(legendNames(option)).toEqual(series.map((s) => s.name));
    // The providers' compute adds up to the objective's compute, to the cent.
    const compute = series.slice(0, 3).reduce((sum, s) => sum + ((s.data?.[0] as number) ?? 0), 0);
    expect(Math.round(compute * 100)).toBe(Math.round(example.plan.objective.computeUSD * 100));
    // End labels print each component's total with formatUSDCompact.
    const label = (s: (typeof series)[number]) =>
      (s.label as { formatter: () => string } | undefined)?.formatter();
    const { objective } = example.plan;
    expect(label(series[2]!)).toBe(formatUSDCompact(centsOf(objective.computeUSD)));
    expect(label(series[3]!)).toBe(formatUSDCompact(centsOf(objective.shortfallUSD)));
    expect(label(series[4]!)).toBe(formatUSDCompact(centsOf(objective.unmetUSD)));
    expect(label(series[4]!)).toMatch(/^\$\d+\.\dB$/);
    const description = (option.aria as { label: { description: string } }).label.description;
    expect(description).toContain(formatUSDCompact(centsOf(objective.totalUSD)));
  });

  it("draws the same from the plan's summary (cost per provider and quarter) as from the plan", () => {
    const { objective, byProvider } = example.plan;
    const fromSummary = costComponentsChart(
      { objective, byProvider: providerQuarters(byProvider) },
      { theme: lightTheme, names: example.names },
    );
    const fromPlan = costComponentsChart(example.plan, { theme: lightTheme, names: example.names });
    expect(seriesOf(fromSummary).map((s) => [s.name, s.data])).toEqual(
      seriesOf(fromPlan).map((s) => [s.name, s.data]),
    );
  });

  it('renders to an SVG with its components', () => {
    const option = costComponentsChart(example.plan, { theme: lightTheme, names: example.names });
    const svg = renderSvg(option, { width: 900, height: 360 });
    for (const name of legendNames(option)) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain(`>${formatUSDCompact(centsOf(example.plan.objective.unmetUSD))}</text>`);
  });
});
