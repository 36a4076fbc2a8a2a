import { describe, expect, it } from 'vitest';
import type { Period } from './period.js';
import {
  compress,
  contains,
  daysIn,
  formatPeriod,
  formatQuarter,
  formatRange,
  hoursIn,
  intersect,
  lengthOf,
  monthOf,
  parsePeriod,
  periodOf,
  periodsOf,
  yearOf,
} from './period.js';

function p(text: string): Period {
  const period = parsePeriod(text);
  if (period === undefined) throw new Error(`bad period in test: ${text}`);
  return period;
}

describe('parsePeriod and formatPeriod', () => {
  it.each(['2025-01', '2026-06', '2028-02', '2030-12', '2000-10', '0999-07'])(
    'round-trips %s',
    (text) => {
      expect(formatPeriod(p(text))).toBe(text);
    },
  );

  it('counts months since January of year 0', () => {
    expect(parsePeriod('2028-02')).toBe(2028 * 12 + 1);
    expect(parsePeriod('0000-01')).toBe(0);
    expect(periodOf(2026, 1)).toBe(p('2026-01'));
    expect(yearOf(p('2026-12'))).toBe(2026);
    expect(monthOf(p('2026-12'))).toBe(12);
    expect(monthOf(p('2027-01'))).toBe(1);
  });

  it('orders periods across a year boundary', () => {
    expect(p('2026-12') + 1).toBe(p('2027-01'));
    expect(p('2025-12') < p('2026-01')).toBe(true);
  });

  it.each([
    '2026-00',
    '2026-13',
    '2026-1',
    '26-01',
    '2026-01-01',
    ' 2026-01',
    '2026-01 ',
    '2026/01',
    '2026-Jan',
    '',
  ])('rejects %j', (text) => {
    expect(parsePeriod(text)).toBeUndefined();
  });
});

describe('hoursIn', () => {
  it.each([
    ['2028-02', 696],
    ['2027-02', 672],
    ['2100-02', 672],
    ['2000-02', 696],
    ['2024-02', 696],
    ['2026-01', 744],
    ['2026-04', 720],
    ['2026-12', 744],
  ])('%s has %i hours', (text, hours) => {
    expect(hoursIn(p(text))).toBe(hours);
  });

  it('knows every month of a common year', () => {
    const days = periodsOf({ from: p('2026-01'), to: p('2026-12') }).map(daysIn);
    expect(days).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(days.reduce((a, b) => a + b, 0)).toBe(365);
  });
});

describe('ranges', () => {
  const range = (from: string, to: string) => ({ from: p(from), to: p(to) });

  it('lists, counts and tests membership inclusively', () => {
    const r = range('2026-11', '2027-02');
    expect(periodsOf(r).map(formatPeriod)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(lengthOf(r)).toBe(4);
    expect(contains(r, p('2026-11'))).toBe(true);
    expect(contains(r, p('2027-02'))).toBe(true);
    expect(contains(r, p('2026-10'))).toBe(false);
    expect(contains(r, p('2027-03'))).toBe(false);
  });

  it('intersects overlapping ranges', () => {
    expect(intersect(range('2026-01', '2026-06'), range('2026-04', '2026-12'))).toEqual(
      range('2026-04', '2026-06'),
    );
    expect(intersect(range('2026-01', '2026-12'), range('2026-03', '2026-05'))).toEqual(
      range('2026-03', '2026-05'),
    );
  });

  it('intersects ranges that share one month', () => {
    expect(intersect(range('2026-01', '2026-06'), range('2026-06', '2026-09'))).toEqual(
      range('2026-06', '2026-06'),
    );
  });

  it('gives undefined for ranges that do not meet', () => {
    expect(intersect(range('2026-01', '2026-06'), range('2026-07', '2026-09'))).toBeUndefined();
    expect(intersect(range('2027-01', '2027-02'), range('2026-01', '2026-12'))).toBeUndefined();
  });

  it('compresses sorted periods into maximal runs', () => {
    const periods = ['2026-01', '2026-02', '2026-04', '2026-12', '2027-01', '2027-03'].map(p);
    expect(compress(periods)).toEqual([
      range('2026-01', '2026-02'),
      range('2026-04', '2026-04'),
      range('2026-12', '2027-01'),
      range('2027-03', '2027-03'),
    ]);
    expect(compress([])).toEqual([]);
    expect(compress([p('2026-05')])).toEqual([range('2026-05', '2026-05')]);
  });

  it('writes ranges and quarters', () => {
    expect(formatRange(range('2026-01', '2026-06'))).toBe('2026-01..2026-06');
    expect(formatRange(range('2026-03', '2026-03'))).toBe('2026-03');
    expect(
      ['2026-01', '2026-03', '2026-04', '2026-06', '2026-07', '2026-09', '2026-10', '2026-12'].map(
        (t) => formatQuarter(p(t)),
      ),
    ).toEqual([
      '2026-Q1',
      '2026-Q1',
      '2026-Q2',
      '2026-Q2',
      '2026-Q3',
      '2026-Q3',
      '2026-Q4',
      '2026-Q4',
    ]);
  });
});
