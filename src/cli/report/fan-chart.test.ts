import { describe, expect, it } from 'vitest';
import { forecastCapacity } from '../../core/forecast/forecast.js';
import { seededRandom } from '../../core/random.js';
import { FINANCE } from '../../test-support/finance-scenario.js';
import { parseValid } from '../../test-support/unit-scenarios.js';
import { renderFanChart } from './fan-chart.js';

const SCENARIO = parseValid(FINANCE);
const names = new Map(SCENARIO.providers.map((p) => [p.id, p.name]));
const context = {
  seed: 3,
  names,
  command: 'stargate forecast finance.yaml --runs 100 --seed 3',
  lab: 'OpenAI',
};

describe('renderFanChart', () => {
  it('draws both panels with bands, medians, schedules, ticks and the last year’s share', () => {
    const svg = renderFanChart(
      forecastCapacity(SCENARIO, { runs: 100, random: seededRandom(3) }),
      context,
    );
    expect(svg).toContain("<title>Stargate's share of OpenAI's compute, 2026–2027</title>");
    expect(svg.match(/<polygon /g)).toHaveLength(3);
    expect(svg.match(/stroke-dasharray="7 5"/g)).toHaveLength(3); // schedules
    expect(svg.match(/stroke-width="3" stroke-linejoin="round"/g)).toHaveLength(3); // medians
    expect(svg).toContain('Share over 2027');
    expect(svg).toContain('100 runs, seed 3, slip correlation 0.3');
    expect(svg).toContain('>100.0%<');
    expect(svg).toContain('>half<');
    // 200 GPUs at most: the axis counts GPUs, not millions.
    expect(svg).toContain('>GPUs</text>');
    expect(svg).not.toContain('0M<');
  });

  it('draws the schedule alone when no runs were made, and one panel without a focus', () => {
    const scheduled = renderFanChart(
      forecastCapacity(SCENARIO, { runs: 0, random: seededRandom(1) }),
      context,
    );
    expect(scheduled).not.toContain('<polygon');
    expect(scheduled).toContain('as scheduled (no slips simulated)');
    const noFocus = parseValid(
      FINANCE.replace(/\nprogramme:[\s\S]*?\nsites:/, '\nsites:').replace(
        /\nbuildings:[\s\S]*?\nworkloads:/,
        '\nworkloads:',
      ),
    );
    const single = renderFanChart(
      forecastCapacity(noFocus, { runs: 10, random: seededRandom(1) }),
      {
        ...context,
      },
    );
    expect(single).toContain("<title>GPUs online across OpenAI's providers, 2026–2027</title>");
    expect(single).not.toContain('Share of all GPUs online');
  });

  it('escapes text', () => {
    const svg = renderFanChart(forecastCapacity(SCENARIO, { runs: 0, random: seededRandom(1) }), {
      ...context,
      lab: 'A & <B>',
    });
    expect(svg).toContain('A &amp; &lt;B&gt;');
    expect(svg).not.toContain('A & <B>');
  });
});
