import { describe, expect, it } from 'vitest';
import {
  centsToNumber,
  formatCentsPlain,
  formatPrice,
  formatUSD,
  formatUSDCompact,
  formatUSDNumber,
  parseUSD,
  toCents,
} from './money.js';

describe('parseUSD', () => {
  it.each([
    ['2.35', 6, 2_350_000n],
    [2.1, 6, 2_100_000n],
    [2.35, 6, 2_350_000n],
    [5e9, 2, 5_000_000_000_000_000n],
    ['5e9', 2, 5_000_000_000_000_000n],
    ['1e3', 2, 1_000_000_000n],
    ['1E3', 2, 1_000_000_000n],
    ['1.5e-1', 6, 150_000n],
    ['0.000001', 6, 1n],
    [1e-6, 6, 1n],
    ['1.234567', 6, 1_234_567n],
    ['0', 2, 0n],
    [0, 2, 0n],
    ['-0', 2, 0n],
    ['007.50', 2, 7_500_000n],
    ['2.350000000', 2, 2_350_000n],
    [' 2.35 ', 6, 2_350_000n],
    ['123456789012.34', 2, 123_456_789_012_340_000n],
  ] as const)('reads %j (at most %i decimals) as %i micro-dollars', (value, decimals, micros) => {
    expect(parseUSD(value, decimals)).toEqual({ ok: true, micros });
  });

  it.each([
    ['0.0000001', 6],
    ['1.2345678', 6],
    [1e-7, 6],
    ['2.345', 2],
    ['1.001', 2],
    [0.1 + 0.2, 6],
    ['1.5e-3', 2],
  ] as const)('rejects %j as having more than %i decimals', (value, decimals) => {
    expect(parseUSD(value, decimals)).toEqual({ ok: false, problem: 'too-many-decimals' });
  });

  it.each([['-1'], ['-2.35'], [-0.01], ['-1e3']] as const)('rejects negative %j', (value) => {
    expect(parseUSD(value, 6)).toEqual({ ok: false, problem: 'negative' });
  });

  it.each([
    [''],
    ['abc'],
    ['$2.35'],
    ['1,000'],
    ['2.35 USD'],
    ['.5'],
    ['1.'],
    ['0x10'],
    ['1e'],
    ['Infinity'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
  ] as const)('rejects %j as not a decimal', (value) => {
    expect(parseUSD(value, 6)).toEqual({ ok: false, problem: 'not-a-decimal' });
  });
});

describe('toCents', () => {
  it.each([
    [0n, 0n],
    [4_999n, 0n],
    [5_000n, 1n],
    [10_000n, 1n],
    [14_999n, 1n],
    [15_000n, 2n],
    [1_234_565_000n, 123_457n],
    [1_234_564_999n, 123_456n],
    [2_755_125_000n, 275_513n],
    [-5_000n, -1n],
    [-4_999n, 0n],
  ])('rounds %i micro-dollars half-up to %i cents', (micros, cents) => {
    expect(toCents(micros)).toBe(cents);
  });
});

describe('formatting', () => {
  it.each([
    [0n, '$0.00'],
    [5n, '$0.05'],
    [100n, '$1.00'],
    [99_999n, '$999.99'],
    [100_000n, '$1,000.00'],
    [123_456_789n, '$1,234,567.89'],
    [-150n, '-$1.50'],
  ])('formatUSD(%i) is %s', (cents, text) => {
    expect(formatUSD(cents)).toBe(text);
  });

  it.each([
    [0n, '0.00'],
    [5n, '0.05'],
    [12_345n, '123.45'],
    [123_456_789n, '1234567.89'],
    [-5n, '-0.05'],
  ])('formatCentsPlain(%i) is %s', (cents, text) => {
    expect(formatCentsPlain(cents)).toBe(text);
  });

  it.each([
    [0n, '$0.00'],
    [99_900n, '$999.00'],
    [1_234_500n, '$12.3K'],
    [45_670_000_00n, '$45.7M'],
    [-45_670_000_00n, '-$45.7M'],
    [123_000_000_000n, '$1.2B'],
    [20_300_000_000_000n, '$203.0B'],
    [1_234_000_000_000_00n, '$1.23T'],
  ])('formatUSDCompact(%i) is %s', (cents, text) => {
    expect(formatUSDCompact(cents)).toBe(text);
  });

  it.each([
    [99_900n, '$999.00'],
    [1_234_500n, '$12.3K'],
    [45_670_000_00n, '$45.7M'],
    [123_000_000_000n, '$1.23B'],
    [-229_400_000_000n, '-$2.29B'],
    [1_234_000_000_000_00n, '$1234.00B'],
  ])('formatUSDCompact(%i, { billionDigits: 2 }) is %s', (cents, text) => {
    expect(formatUSDCompact(cents, { billionDigits: 2 })).toBe(text);
  });

  it('formats a JSON number of USD as its cents', () => {
    expect(formatUSDNumber(1_700_000_000)).toBe('$1.7B');
    expect(formatUSDNumber(12.345)).toBe('$12.35');
    expect(formatUSDNumber(0)).toBe(formatUSDCompact(0n));
  });

  it.each([
    [2_125_000n, '$2.125'],
    [3_000_000n, '$3.00'],
    [2_500_000n, '$2.50'],
  ])('formatPrice(%i) is %s', (micros, text) => {
    expect(formatPrice(micros)).toBe(text);
  });

  it('turns cents into a JSON number of dollars', () => {
    expect(centsToNumber(123_456n)).toBe(1234.56);
    expect(centsToNumber(5n)).toBe(0.05);
  });
});
