import { describe, expect, it } from 'vitest';
import { FINANCE } from '../../test-support/finance-scenario.js';
import { month, parseValid } from '../../test-support/unit-scenarios.js';
import { seededRandom } from '../random.js';
import { firstQuarterFrom, quartersOf } from './capacity.js';
import { meanSlip, normalCdf, normalSource, slipQuantile } from './delay.js';
import { defaultFocus, forecastCapacity } from './forecast.js';
import { nearestRank, percentilesByColumn } from './percentile.js';

const SCENARIO = parseValid(FINANCE);

describe('quarters', () => {
  it('covers the horizon, measured at each quarter’s last month or the horizon’s', () => {
    const quarters = quartersOf({ from: month('2025-02'), to: month('2026-01') });
    expect(quarters.map((q) => [q.label, q.end])).toEqual([
      ['2025-Q1', month('2025-03')],
      ['2025-Q2', month('2025-06')],
      ['2025-Q3', month('2025-09')],
      ['2025-Q4', month('2025-12')],
      ['2026-Q1', month('2026-01')],
    ]);
    expect(firstQuarterFrom(quarters, month('2024-06'))).toBe(0);
    expect(firstQuarterFrom(quarters, month('2025-03'))).toBe(0);
    expect(firstQuarterFrom(quarters, month('2025-04'))).toBe(1);
    expect(firstQuarterFrom(quarters, month('2025-12'))).toBe(3);
    expect(firstQuarterFrom(quarters, month('2026-01'))).toBe(4);
    expect(firstQuarterFrom(quarters, month('2026-02'))).toBe(5);
  });
});

describe('delay distributions', () => {
  it('maps a uniform draw to whole months of slip', () => {
    const discrete = slipQuantile({
      type: 'discrete',
      outcomes: [
        { months: 0, probability: 0.5 },
        { months: 2, probability: 0.3 },
        { months: 6, probability: 0.2 },
      ],
    });
    expect([0, 0.49, 0.5, 0.79, 0.8, 0.999999].map(discrete)).toEqual([0, 0, 2, 2, 6, 6]);
    const triangular = slipQuantile({ type: 'triangular', min: 1, mode: 2, max: 6 });
    expect(triangular(0)).toBe(1);
    expect(triangular(0.2)).toBe(2); // the mode's quantile: exactly 2 months
    expect(triangular(0.2001)).toBe(3); // a little over 2 months counts from the third
    expect(triangular(0.999999)).toBe(6);
    expect(slipQuantile({ type: 'triangular', min: 3, mode: 3, max: 3 })(0.7)).toBe(3);
    expect(meanSlip({ type: 'triangular', min: 0, mode: 3, max: 12 })).toBe(5);
  });

  it('draws standard normals and computes Φ to about 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
    expect(normalCdf(40)).toBeLessThan(1);
    const normal = normalSource(seededRandom(3));
    const draws = Array.from({ length: 20_000 }, normal);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('percentiles', () => {
  it('take the nearest rank, a value some run produced', () => {
    const sorted = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    expect([10, 50, 90, 100].map((p) => nearestRank(sorted, p))).toEqual([1, 5, 9, 10]);
    expect(nearestRank(Float64Array.of(), 50)).toBe(0);
    // Two runs × two quarters, row-major.
    expect(percentilesByColumn(Float64Array.of(1, 10, 3, 30), 2, 2)).toEqual([
      { p10: 1, p50: 1, p90: 3, mean: 2 },
      { p10: 10, p50: 10, p90: 30, mean: 20 },
    ]);
  });
});

describe('forecastCapacity', () => {
  it('counts pools and buildings by provider at each quarter’s end, with shares and MW', () => {
    const forecast = forecastCapacity(SCENARIO, { runs: 0, random: seededRandom(1) });
    expect(forecast.focus).toBe('stargate');
    expect(forecast.simulation).toBeUndefined();
    expect(forecast.quarters.map((q) => q.label)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
      '2027-Q1',
      '2027-Q2',
      '2027-Q3',
      '2027-Q4',
    ]);
    const rows = forecast.scheduled.byProvider.map((p) => [p.provider, p.gpus, p.share]);
    expect(rows).toEqual([
      [
        'azure',
        [100, 100, 100, 100, 100, 100, 100, 100],
        [1, 1, 0.5, 0.5, 1 / 3, 1 / 3, 1 / 3, 1 / 3],
      ],
      [
        'stargate',
        [0, 0, 100, 100, 200, 200, 200, 200],
        [0, 0, 0.5, 0.5, 2 / 3, 2 / 3, 2 / 3, 2 / 3],
      ],
    ]);
    // A pool's MW is GPUs × kW per GPU; a building's, its IT MW.
    const expected = [0.2, 0.2, 0.4, 0.4, 0.6, 0.6, 0.6, 0.6];
    forecast.scheduled.totalMw.forEach((mw, q) => {
      expect(mw).toBeCloseTo(expected[q] ?? NaN, 9);
    });
    expect(forecast.scheduled.byYear).toEqual([
      { year: 2026, totalGpus: 150, focusShare: 200 / 600 },
      { year: 2027, totalGpus: 300, focusShare: 2 / 3 },
    ]);
  });

  it('tracks the programme company’s provider by default, or the one with most building GPUs', () => {
    expect(defaultFocus(SCENARIO)).toBe('stargate');
    const withoutProgramme = parseValid(
      FINANCE.replace(/\nprogramme:[\s\S]*?\nsites:/, '\nsites:'),
    );
    expect(defaultFocus(withoutProgramme)).toBe('stargate');
  });

  it('gives the same forecast for the same seed, and another for another seed', () => {
    const run = (seed: number) =>
      forecastCapacity(SCENARIO, { runs: 500, random: seededRandom(seed) });
    expect(run(7)).toEqual(run(7));
    expect(run(7).simulation?.focusGpus).not.toEqual(run(8).simulation?.focusGpus);
  });

  it('draws slips with the probabilities of the distribution', () => {
    // b1 comes online in 2026-07, or in 2026-10 with probability 0.25: then it misses 2026-Q3.
    const forecast = forecastCapacity(SCENARIO, {
      runs: 8000,
      random: seededRandom(11),
      correlation: 0,
    });
    const q3 = forecast.simulation?.focusGpus[2];
    expect(q3?.p10).toBe(0);
    expect(q3?.p50).toBe(100);
    expect(q3?.mean).toBeGreaterThan(73);
    expect(q3?.mean).toBeLessThan(77);
  });

  it('changes nothing where nothing can slip', () => {
    const fixed = parseValid(
      FINANCE.replace(/\n {4}delay:\n {6}type: discrete[\s\S]*?probability: 0.75 \}/, '').replace(
        ', delay: { type: triangular, min: 0, mode: 2, max: 6 }',
        '',
      ),
    );
    const forecast = forecastCapacity(fixed, { runs: 200, random: seededRandom(1) });
    expect(forecast.simulation?.slipping).toBe(0);
    forecast.quarters.forEach((_, q) => {
      const total = forecast.simulation?.totalGpus[q];
      expect([total?.p10, total?.p50, total?.p90]).toEqual(
        Array(3).fill(forecast.scheduled.totalGpus[q]),
      );
    });
  });

  it('moves buildings together when their slips are fully correlated', () => {
    // Two buildings online 2026-07 that slip 0 or 6 months, even odds.
    const twins = parseValid(
      FINANCE.replace(
        /\n {4}delay:\n {6}type: discrete[\s\S]*?probability: 0.75 \}/,
        '\n    delay: { type: discrete, outcomes: [{ months: 0, probability: 0.5 }, { months: 6, probability: 0.5 }] }',
      ).replace(
        'online: 2027-01, pricePerGpuHour: "1.60", rofr: cleared, delay: { type: triangular, min: 0, mode: 2, max: 6 }',
        'online: 2026-07, pricePerGpuHour: "1.60", rofr: cleared, delay: { type: discrete, outcomes: [{ months: 0, probability: 0.5 }, { months: 6, probability: 0.5 }] }',
      ),
    );
    const q3 = (correlation: number) =>
      forecastCapacity(twins, { runs: 4000, random: seededRandom(5), correlation }).simulation
        ?.focusGpus[2];
    // Independent: one of the two is online in about half the runs.
    expect(q3(0)?.p50).toBe(100);
    // Correlated: both or neither.
    const together = q3(1);
    expect([together?.p10, together?.p50, together?.p90]).toEqual([0, 0, 200]);
    expect(together?.mean).toBeGreaterThan(90);
    expect(together?.mean).toBeLessThan(110);
  });
});
