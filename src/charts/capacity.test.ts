import { beforeAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../cli/report/chart-svg.js';
import type { ExampleCharts } from '../test-support/chart-data.js';
import { exampleCharts, legendNames, seriesOf } from '../test-support/chart-data.js';
import { capacityChart } from './capacity.js';
import { darkTheme, lightTheme, providerColours } from './theme.js';

let example: ExampleCharts;
beforeAll(async () => {
  example = await exampleCharts();
});

describe('capacityChart', () => {
  it('stacks each provider’s MW, named, in its colour, with a legend entry each', () => {
    const option = capacityChart(example.forecast, {
      theme: lightTheme,
      metric: 'mw',
      names: example.names,
    });
    const series = seriesOf(option);
    expect(series.map((s) => s.name)).toEqual(['Microsoft Azure', 'CoreWeave', 'Stargate Project']);
    expect(legendNames(option)).toEqual(series.map((s) => s.name));
    expect(new Set(series.map((s) => s.stack))).toEqual(new Set(['capacity']));
    const colours = providerColours(example.providers, lightTheme);
    expect(series.map((s) => s.itemStyle?.color)).toEqual([
      colours.get('azure'),
      colours.get('coreweave'),
      colours.get('stargate'),
    ]);
    // The values are the schedule's MW, quarter by quarter.
    const azure = example.forecast.quarters.map(
      (q) => q.scheduled.providers.find((p) => p.provider === 'azure')?.mw,
    );
    expect(series[0]?.data).toEqual(azure);
  });

  it('fits the axis over the stacked total and writes MW on it', () => {
    const option = capacityChart(example.forecast, { theme: lightTheme, metric: 'mw' });
    const peak = Math.max(...example.forecast.quarters.map((q) => q.scheduled.totalMw));
    const axis = option.yAxis as {
      max: number;
      interval: number;
      axisLabel: { formatter: (v: number) => string };
    };
    expect(axis.max).toBeGreaterThanOrEqual(peak);
    expect(axis.max - peak).toBeLessThanOrEqual(axis.interval * 1.1);
    expect(axis.axisLabel.formatter(2000)).toBe('2,000 MW');
    // Without names, ids.
    expect(seriesOf(option).map((s) => s.name)).toEqual(['azure', 'coreweave', 'stargate']);
  });

  it('takes its text colours from the theme', () => {
    const option = capacityChart(example.forecast, { theme: darkTheme, metric: 'gpus' });
    expect((option.textStyle as { color: string }).color).toBe(darkTheme.text);
    expect((option.legend as { textStyle: { color: string } }).textStyle.color).toBe(
      darkTheme.text,
    );
  });

  it('renders to an SVG with each provider in the legend', () => {
    const option = capacityChart(example.forecast, {
      theme: lightTheme,
      metric: 'gpus',
      names: example.names,
      title: 'GPUs online',
    });
    expect(JSON.stringify(option)).toBe(
      JSON.stringify(
        capacityChart(example.forecast, {
          theme: lightTheme,
          metric: 'gpus',
          names: example.names,
          title: 'GPUs online',
        }),
      ),
    );
    const svg = renderSvg(option, { width: 1000, height: 500 });
    for (const name of ['Microsoft Azure', 'CoreWeave', 'Stargate Project', 'GPUs online'])
      expect(svg).toContain(`>${name}</text>`);
  });
});
