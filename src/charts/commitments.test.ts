import { beforeAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../cli/report/chart-svg.js';
import { centsOf, formatUSDCompact } from '../core/money.js';
import type { ExampleCharts } from '../test-support/chart-data.js';
import { exampleCharts, legendNames, seriesOf } from '../test-support/chart-data.js';
import { commitmentBurndownChart } from './commitments.js';
import { lightTheme } from './theme.js';

let example: ExampleCharts;
beforeAll(async () => {
  example = await exampleCharts();
});

describe('commitmentBurndownChart', () => {
  it('draws each commitment’s minimum still to spend, period by period', () => {
    const option = commitmentBurndownChart(example.ledger, {
      theme: lightTheme,
      names: example.names,
    });
    const series = seriesOf(option);
    expect(series).toHaveLength(example.ledger.commitments.length);
    const azure = example.ledger.commitments[0]!;
    expect(series[0]?.name).toBe(`Microsoft Azure · ${azure.term}`);
    expect(series[0]?.data).toEqual(azure.periods.map((p) => p.remainingUSD));
    expect((option.xAxis as { data: string[] }).data).toEqual(azure.periods.map((p) => p.period));
    expect(legendNames(option)).toEqual(series.map((s) => s.name));
    // The axis holds the whole minimum, so the line's fall is the progress made.
    const axis = option.yAxis as { max: number; axisLabel: { formatter: (v: number) => string } };
    expect(axis.max).toBeGreaterThanOrEqual(azure.minSpendUSD);
    expect(axis.axisLabel.formatter(110_000_000_000)).toBe(
      formatUSDCompact(centsOf(110_000_000_000)),
    );
  });

  it('names two commitments of one provider and term apart', () => {
    const first = example.ledger.commitments[0]!;
    const ledger = {
      ...example.ledger,
      commitments: [first, { ...first, contract: 'second-contract' }],
    };
    const names = seriesOf(commitmentBurndownChart(ledger, { theme: lightTheme })).map(
      (s) => s.name,
    );
    expect(new Set(names).size).toBe(2);
    expect(names[1]).toContain('second-contract');
  });

  it('renders to an SVG with its legend', () => {
    const option = commitmentBurndownChart(example.ledger, {
      theme: lightTheme,
      names: example.names,
      title: 'Take-or-pay',
    });
    const svg = renderSvg(option, { width: 1000, height: 480 });
    for (const name of legendNames(option)) expect(svg).toContain(`>${name}</text>`);
  });
});
