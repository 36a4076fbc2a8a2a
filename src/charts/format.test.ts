import { describe, expect, it } from 'vitest';
import { countShort, fittedScale, megawatts, percent, yearAtFirstQuarter } from './format.js';

describe('fittedScale', () => {
  it('fits a share that stays under 65 % well below 100 %', () => {
    expect(fittedScale(0.62, { floor: 0.05, cap: 1 })).toEqual({ max: 0.7, interval: 0.1 });
    expect(fittedScale(0.757, { floor: 0.05, cap: 1 })).toEqual({ max: 0.8, interval: 0.1 });
  });

  it('stops a share at 100 %', () => {
    expect(fittedScale(0.99, { floor: 0.05, cap: 1 }).max).toBe(1);
  });

  it('rounds counts and amounts up to a round top with three to nine steps', () => {
    for (const max of [7, 83, 1_640_000, 6_262.5, 110_000_000_000, 0.031]) {
      const { max: top, interval } = fittedScale(max, { floor: 0 });
      expect(top).toBeGreaterThanOrEqual(max);
      const steps = Math.round(top / interval);
      expect(steps).toBeGreaterThanOrEqual(3);
      expect(steps).toBeLessThanOrEqual(9);
      expect(top).toBeLessThan(max * 1.5);
    }
    expect(fittedScale(1_640_000)).toEqual({ max: 1_750_000, interval: 250_000 });
  });

  it('keeps an axis for empty data', () => {
    expect(fittedScale(0, { floor: 10 }).max).toBeGreaterThanOrEqual(10);
  });
});

describe('formats', () => {
  it('writes counts, MW, shares and amounts', () => {
    expect(countShort(850)).toBe('850');
    expect(countShort(1_250)).toBe('1,250');
    expect(countShort(12_500)).toBe('12.5K');
    expect(countShort(1_750_000)).toBe('1.75M');
    expect(megawatts(6_262.5)).toBe('6,263 MW');
    expect(megawatts(12.5)).toBe('12.5 MW');
    expect(percent(0.6457)).toBe('64.6%');
    expect(yearAtFirstQuarter('2027-Q1', 5)).toBe('2027');
    expect(yearAtFirstQuarter('2027-Q3', 0)).toBe('2027');
    expect(yearAtFirstQuarter('2027-Q3', 2)).toBe('');
  });
});
