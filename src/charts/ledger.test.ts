import { beforeAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../cli/report/chart-svg.js';
import { centsOf, formatUSDCompact } from '../core/money.js';
import type { ExampleCharts } from '../test-support/chart-data.js';
import { exampleCharts, legendNames, seriesOf } from '../test-support/chart-data.js';
import { capitalChart, flowsSankey } from './ledger.js';
import { measureText } from './text-metrics.js';
import { lightTheme } from './theme.js';

let example: ExampleCharts;
beforeAll(async () => {
  example = await exampleCharts();
});

interface SankeyNode {
  name: string;
  depth: number;
  value: number;
  label: { formatter: (p: { name: string; value: number }) => string };
}
interface SankeyLink {
  source: string;
  target: string;
  value: number;
  kinds: string[];
}

function sankey(option: Record<string, unknown>) {
  const series = seriesOf(option)[0]!;
  return { nodes: series.data as SankeyNode[], links: series.links as SankeyLink[] };
}

describe('flowsSankey', () => {
  it('links payers (left) to receivers (right), every node used, no loops', () => {
    const { nodes, links } = sankey(flowsSankey(example.ledger, { theme: lightTheme }));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link.source.startsWith('pays:')).toBe(true);
      expect(link.target.startsWith('gets:')).toBe(true);
      expect(link.source).not.toBe(link.target);
    }
    const names = nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    const used = new Set(links.flatMap((l) => [l.source, l.target]));
    expect(new Set(names)).toEqual(used);
    expect(nodes.every((n) => n.depth === (n.name.startsWith('pays:') ? 0 : 1))).toBe(true);
  });

  it('sums the ledger’s flows per pair of parties, over all periods or one', () => {
    const all = sankey(flowsSankey(example.ledger, { theme: lightTheme }));
    const toMicrosoft = all.links.find(
      (l) => l.source === 'pays:openai' && l.target === 'gets:microsoft',
    )!;
    const flows = example.ledger.flows.filter((f) => f.from === 'openai' && f.to === 'microsoft');
    expect(flows.length).toBeGreaterThan(1);
    expect(toMicrosoft.value).toBeCloseTo(
      flows.reduce((sum, f) => sum + f.totalUSD, 0),
      2,
    );
    expect(toMicrosoft.kinds).toEqual(flows.map((f) => f.kind));

    const year = sankey(flowsSankey(example.ledger, { theme: lightTheme, period: '2027' }));
    const in2027 = year.links.find(
      (l) => l.source === 'pays:openai' && l.target === 'gets:microsoft',
    )!;
    const amount = flows.reduce(
      (sum, f) => sum + (f.periods.find((p) => p.period === '2027')?.amountUSD ?? 0),
      0,
    );
    expect(in2027.value).toBeCloseTo(amount, 2);
    expect(in2027.value).toBeLessThan(toMicrosoft.value);
  });

  it('labels each node with the party’s name and its amount in the project’s format', () => {
    const { nodes } = sankey(flowsSankey(example.ledger, { theme: lightTheme }));
    const openai = nodes.find((n) => n.name === 'pays:openai')!;
    expect(openai.label.formatter({ name: openai.name, value: openai.value })).toBe(
      `OpenAI pays ${formatUSDCompact(centsOf(openai.value))}`,
    );
  });

  it('leaves each side room for its widest label, in a font wider than Arial', () => {
    const option = flowsSankey(example.ledger, { theme: lightTheme });
    const { nodes } = sankey(option);
    const series = seriesOf(option)[0] as unknown as { left: number; right: number };
    const widest = (side: string) =>
      Math.max(
        ...nodes
          .filter((n) => n.name.startsWith(side))
          .flatMap((n) => n.label.formatter({ name: n.name, value: n.value }).split('\n'))
          .map((line) => measureText(line, '12px Arial').width),
      );
    // The page's sans-serif (DejaVu Sans on Linux) sets these labels 14 % wider than Arial;
    // the label sits 5 px from its node.
    expect(series.right).toBeGreaterThanOrEqual(widest('gets:') * 1.15 + 5);
    expect(series.left).toBeGreaterThanOrEqual(widest('pays:') * 1.15 + 5);

    // The longest name wraps before its amount rather than widening the margin for one party.
    const outsideId = example.ledger.parties.find((p) => p.name.startsWith('Outside parties'))?.id;
    const outside = nodes.find((n) => n.name === `gets:${outsideId ?? ''}`)!;
    const text = outside.label.formatter({ name: outside.name, value: outside.value });
    expect(text).toBe(
      `Outside parties (customers, suppliers)\nreceives ${formatUSDCompact(centsOf(outside.value))}`,
    );
    // Both margins together leave the bands most of a 1280 px chart.
    expect(series.left + series.right).toBeLessThan(640);
  });

  it('says when nothing moved in the period', () => {
    const option = flowsSankey(example.ledger, { theme: lightTheme, period: '1999' });
    expect(option.series).toBeUndefined();
    expect(JSON.stringify(option.title)).toContain('No money moved between parties in 1999');
  });

  it('leaves out a party paying itself', () => {
    const first = example.ledger.flows[0]!;
    const ledger = {
      ...example.ledger,
      flows: [...example.ledger.flows, { ...first, to: first.from }],
    };
    const before = sankey(flowsSankey(example.ledger, { theme: lightTheme })).links;
    const after = sankey(flowsSankey(ledger, { theme: lightTheme })).links;
    expect(after).toEqual(before);
    expect(
      after.some((l) => l.source === `pays:${first.from}` && l.target === `gets:${first.from}`),
    ).toBe(false);
  });

  it('renders to an SVG with the parties’ names', () => {
    const svg = renderSvg(flowsSankey(example.ledger, { theme: lightTheme, title: 'Flows' }), {
      width: 1280,
      height: 720,
    });
    expect(svg).toMatch(/>OpenAI pays \$[\d.]+B<\/text>/);
    expect(svg).toMatch(/>Stargate LLC receives \$[\d.]+B<\/text>/);
  });
});

describe('capitalChart', () => {
  it('splits called to date among the funders pro rata to equity, under the committed line', () => {
    const option = capitalChart(example.ledger, { theme: lightTheme });
    const capital = example.ledger.capital!;
    const series = seriesOf(option);
    expect(series.map((s) => s.name)).toEqual([
      'OpenAI called (40%)',
      'SoftBank called (40%)',
      'Oracle called (10%)',
      'MGX called (10%)',
      'Committed, all funders',
    ]);
    expect(legendNames(option)).toEqual(series.map((s) => s.name));
    capital.periods.forEach((period, i) => {
      const called = series.slice(0, 4).reduce((sum, s) => sum + ((s.data?.[i] as number) ?? 0), 0);
      expect(Math.abs(called - period.calledToDateUSD)).toBeLessThan(0.05);
    });
    // Over the horizon, each funder's part matches what the books say it was called.
    const last = capital.periods.length - 1;
    capital.funders.forEach((funder, f) => {
      expect(Math.abs((series[f]?.data?.[last] as number) - funder.calledUSD)).toBeLessThan(
        capital.periods.length * 0.01 + 0.01,
      );
    });
    expect(series[4]?.data).toEqual(capital.periods.map((p) => p.committedUSD));
    const axis = option.yAxis as { max: number };
    expect(axis.max).toBeGreaterThanOrEqual(capital.committedUSD);
  });

  it('says so when the scenario has no capital programme', () => {
    const option = capitalChart(
      { ...example.ledger, capital: null },
      { theme: lightTheme, title: 'Capital' },
    );
    expect(option.series).toBeUndefined();
    const titles = option.title as { text: string }[];
    expect(titles.map((t) => t.text)).toEqual(['Capital', 'No capital programme in this scenario']);
  });

  it('renders to an SVG with every funder in the legend', () => {
    const option = capitalChart(example.ledger, { theme: lightTheme, title: 'Capital' });
    const svg = renderSvg(option, { width: 1280, height: 720 });
    for (const name of legendNames(option)) expect(svg).toContain(`>${name}</text>`);
    expect(JSON.stringify(option)).toBe(
      JSON.stringify(capitalChart(example.ledger, { theme: lightTheme, title: 'Capital' })),
    );
  });
});
