import { describe, expect, it } from 'vitest';
import { capacityChart } from '../../charts/capacity.js';
import { lightTheme } from '../../charts/theme.js';
import { measureText } from '../../charts/text-metrics.js';
import type { ForecastJson } from '../../charts/types.js';
import { renderSvg, svgTheme } from './chart-svg.js';

/** Two quarters, two providers; names that need escaping. */
const forecast = {
  scenario: 'tiny',
  focus: null,
  measuredAt: 'the last month of each quarter',
  simulation: null,
  years: [],
  quarters: ['2026-Q1', '2026-Q2'].map((quarter, q) => ({
    quarter,
    month: q === 0 ? '2026-03' : '2026-06',
    scheduled: {
      totalGpus: 300 + q * 100,
      totalMw: 1.5,
      providers: [
        { provider: 'a', gpus: 100, mw: 0.5, share: 0.3 },
        { provider: 'b', gpus: 200 + q * 100, mw: 1, share: 0.7 },
      ],
    },
    simulated: null,
  })),
} satisfies ForecastJson;

const option = capacityChart(forecast, {
  theme: svgTheme,
  metric: 'gpus',
  names: { a: 'A & "Co" <1>', b: 'B' },
  title: 'GPUs & more',
});

describe('renderSvg', () => {
  it('writes an SVG that scales to its container: a viewBox, width 100 %, no fixed height', () => {
    const svg = renderSvg(option, { width: 800, height: 400 });
    const root = /^<svg [^>]*>/.exec(svg)?.[0] ?? '';
    expect(root).toContain('viewBox="0 0 800 400"');
    expect(root).toContain('width="100%"');
    expect(root).not.toMatch(/\sheight="/);
    expect(root).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(root).toContain('role="img"');
    expect(root).toContain('aria-label="GPUs &amp; more"');
    expect(svg).toContain('<title>GPUs &amp; more</title>');
    expect(svg).toMatch(/<desc>GPUs online by provider at each quarter's end, as scheduled/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('writes well-formed tags: every attribute quoted once, names escaped', () => {
    const svg = renderSvg(option, { width: 800, height: 400 });
    const tags = svg.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(20);
    const wellFormed = /^<[a-zA-Z][\w:-]*(\s+[\w:-]+="[^"<]*")*\s*\/?>$/;
    for (const tag of tags) expect(tag).toMatch(wellFormed);
    expect(svg).toContain('A &amp; &quot;Co&quot; &lt;1&gt;');
    expect(svg).not.toContain('A & "Co"');
  });

  it('sets the CLI’s charts in Arial on white, whose widths it measures', () => {
    expect(svgTheme.fontFamily).not.toContain('"');
    expect(svgTheme.fontFamily.startsWith('Arial')).toBe(true);
    expect(svgTheme.background).toBe('#ffffff');
    expect(svgTheme.text).toBe(lightTheme.text);
    // Arial: digits are 0.556 em, "i" 0.222 em.
    expect(measureText('2027', '12px Arial').width).toBeCloseTo(26.688, 3);
    expect(measureText('iii', '10px Arial').width).toBeCloseTo(6.66, 2);
    expect(measureText('iii', 'bold 10px Arial').width).toBeGreaterThan(6.66);
  });

  it('draws the same bytes for the same option, with ids of its own', () => {
    const svg = renderSvg(option, { width: 640, height: 360 });
    expect(renderSvg(option, { width: 640, height: 360 })).toBe(svg);
    // ECharts' per-process ids are gone; a hash of the drawing names them instead.
    expect(svg).not.toMatch(/zr\d+-/);
    const prefix = /class="(sg[0-9a-f]{8})-cls0"/.exec(svg)?.[1];
    expect(prefix).toBeDefined();
    const other = renderSvg(option, { width: 800, height: 360 });
    expect(other).not.toContain(`${prefix ?? ''}-`);
  });
});
