import { beforeAll, describe, expect, it } from 'vitest';
import { grouped } from '../core/format.js';
import { renderSvg } from '../cli/report/chart-svg.js';
import type { ExampleCharts } from '../test-support/chart-data.js';
import { exampleCharts, legendNames, seriesOf } from '../test-support/chart-data.js';
import { fanChart } from './fan.js';
import { lightTheme } from './theme.js';

let example: ExampleCharts;
beforeAll(async () => {
  example = await exampleCharts();
});

const options = () => ({ theme: lightTheme, names: example.names, providers: example.providers });

describe('fanChart', () => {
  it('draws a fan per provider, each line and band in the legend under the provider’s name', () => {
    const option = fanChart(example.forecast, { ...options(), metric: 'gpus' });
    const series = seriesOf(option);
    const names = series.map((s) => s.name);
    // Stargate's buildings slip: a band, a median and the schedule (dashed).
    expect(names).toContain('Stargate Project p10–p90');
    expect(names).toContain('Stargate Project median (p50)');
    expect(names).toContain('Stargate Project as scheduled');
    expect(series.find((s) => s.name === 'Stargate Project as scheduled')?.lineStyle?.type).toBe(
      'dashed',
    );
    // Azure and CoreWeave have nothing that slips: their schedule alone, shown apart, solid.
    expect(names).toContain('Microsoft Azure as scheduled (no slips)');
    expect(names).toContain('CoreWeave as scheduled (no slips)');
    expect(names.filter((n) => n?.startsWith('Microsoft Azure'))).toHaveLength(1);
    // Every series in the legend, grouped by provider; the bands drawn first, under the lines.
    expect([...legendNames(option)].sort()).toEqual([...names].sort());
    expect(legendNames(option)).toEqual([
      'Microsoft Azure as scheduled (no slips)',
      'CoreWeave as scheduled (no slips)',
      'Stargate Project p10–p90',
      'Stargate Project median (p50)',
      'Stargate Project as scheduled',
    ]);
    expect(series[0]?.type).toBe('custom');
  });

  it('gives each provider its colour on every line of its fan', () => {
    const option = fanChart(example.forecast, { ...options(), metric: 'gpus' });
    const colours = new Map<string, Set<string>>();
    for (const s of seriesOf(option)) {
      const provider = (s.name ?? '').replace(/ (p10–p90|median \(p50\)|as scheduled.*)$/, '');
      const set = colours.get(provider) ?? new Set<string>();
      set.add(s.itemStyle?.color ?? '');
      colours.set(provider, set);
    }
    expect([...colours.keys()].sort()).toEqual([
      'CoreWeave',
      'Microsoft Azure',
      'Stargate Project',
    ]);
    for (const set of colours.values()) expect(set.size).toBe(1);
    const all = [...colours.values()].map((set) => [...set][0]);
    expect(new Set(all).size).toBe(3);
  });

  it('fits the share axis to the data: below 100 % when every share is', () => {
    const option = fanChart(example.forecast, { ...options(), metric: 'share' });
    const peak = Math.max(
      ...example.forecast.quarters.flatMap((q) => [
        ...q.scheduled.providers.map((p) => p.share),
        ...(q.simulated?.providers.map((p) => p.share?.p90 ?? 0) ?? []),
      ]),
    );
    expect(peak).toBeLessThan(0.9);
    const axis = option.yAxis as {
      max: number;
      interval: number;
      axisLabel: { formatter: (v: number) => string };
    };
    expect(axis.max).toBeGreaterThanOrEqual(peak);
    expect(axis.max).toBeLessThan(1);
    expect(axis.max - peak).toBeLessThanOrEqual(axis.interval * 1.1);
    expect(axis.axisLabel.formatter(0.5)).toBe('50%');
    // Every provider's share moves with Stargate's slips: three bands.
    expect(seriesOf(option).filter((s) => s.type === 'custom')).toHaveLength(3);
  });

  it('counts GPUs with the project’s grouping in its description', () => {
    const option = fanChart(example.forecast, { ...options(), metric: 'gpus' });
    const description = (option.aria as { label: { description: string } }).label.description;
    const last = example.forecast.quarters[example.forecast.quarters.length - 1]!;
    const azure = last.scheduled.providers.find((p) => p.provider === 'azure')!;
    expect(description).toContain(`Microsoft Azure ${grouped(azure.gpus)}`);
    expect(description).toContain('200 runs');
    expect(option.animation).toBe(false);
    expect(option.title).toBeUndefined();
  });

  it('draws the schedule alone when no runs were made', () => {
    const option = fanChart(example.scheduled, { ...options(), metric: 'gpus' });
    const series = seriesOf(option);
    expect(series.every((s) => s.type === 'line')).toBe(true);
    expect(series.map((s) => s.name)).toEqual([
      'Microsoft Azure as scheduled',
      'CoreWeave as scheduled',
      'Stargate Project as scheduled',
    ]);
  });

  it('gives the same option for the same forecast', () => {
    const a = fanChart(example.forecast, { ...options(), metric: 'share', title: 'Share' });
    const b = fanChart(example.forecast, { ...options(), metric: 'share', title: 'Share' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('renders to an SVG with every legend entry and a band', () => {
    const option = fanChart(example.forecast, { ...options(), metric: 'gpus', title: 'GPUs' });
    const svg = renderSvg(option, { width: 1280, height: 720 });
    for (const name of legendNames(option)) expect(svg).toContain(`>${name}</text>`);
    // Stargate's band: one polygon in its colour (the palette's third, by sorted id).
    expect(svg).toMatch(/<polygon points="[^"]+" fill="#009E73" fill-opacity="0.22"/);
  });
});
