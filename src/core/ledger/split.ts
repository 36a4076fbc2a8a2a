import type { Cents, Micros } from '../money.js';
import { parseUSD } from '../money.js';

/**
 * Splits an amount of cents into parts proportional to integer weights, exactly: each part is
 * rounded down and the cents left over go one each to the parts with the largest remainders
 * (the earlier part on a tie). The parts add up to the amount; each is within one cent of its
 * exact share. All weights 0 gives all parts 0 (and the amount is lost: callers avoid it).
 *
 * @example splitCents(100n, [1n, 1n, 1n]) // [34n, 33n, 33n]
 */
export function splitCents(amount: Cents, weights: readonly bigint[]): Cents[] {
  const total = weights.reduce((sum, w) => sum + w, 0n);
  if (total <= 0n) return weights.map(() => 0n);
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const exact = weights.map((w) => magnitude * w);
  const parts = exact.map((e) => e / total);
  let left = magnitude - parts.reduce((sum, p) => sum + p, 0n);
  const order = exact
    .map((e, index) => ({ index, remainder: e % total }))
    .sort((a, b) =>
      a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
    );
  for (const { index } of order) {
    if (left <= 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    left--;
  }
  return negative ? parts.map((p) => -p) : parts;
}

/** A percentage as an integer number of millionths of a percent, so that arithmetic is exact. */
export function percentUnits(percent: number): bigint {
  const parsed = parseUSD(percent, 6);
  return parsed.ok ? parsed.micros : BigInt(Math.round(percent * 1e6));
}

const HUNDRED_PERCENT = 100_000_000n;

/**
 * `percent` % of an amount of cents, rounded half-up to the cent.
 *
 * @example percentOf(1_000_01n, 20) // 20_000n: 20% of $1,000.01 is $200.002, so $200.00
 */
export function percentOf(amount: Cents, percent: number): Cents {
  const product = amount * percentUnits(percent);
  return (product + HUNDRED_PERCENT / 2n) / HUNDRED_PERCENT;
}

/** Micro-dollars that hold a whole number of cents, as cents (amounts with two decimals). */
export function wholeCents(micros: Micros): Cents {
  return micros / 10_000n;
}
