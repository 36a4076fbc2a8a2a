import type { Cents } from '../../core/money.js';
import { centsToNumber, formatUSDCompact } from '../../core/money.js';

/** `formatUSDCompact`, but a dash for zero, so that tables show where nothing happened. */
export function usdCell(cents: Cents): string {
  return cents === 0n ? '-' : formatUSDCompact(cents);
}

/** A fraction as a percentage: `0.6457` → `64.6%`. */
export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Cents as a JSON number of USD (exact below 2^53 cents). */
export function usd(cents: Cents): number {
  return centsToNumber(cents);
}
