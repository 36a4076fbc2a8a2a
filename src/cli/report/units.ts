import type { Cents } from '../../core/money.js';
import { centsToNumber } from '../../core/money.js';

/**
 * Amounts and shares for headlines and tables: `$203.0B`, `$64.7M`, `$12.3K`, `$999.00`.
 * One decimal is enough to read; exact cents are in the JSON and CSV.
 *
 * @example usdCompact(20_300_000_000_00n) // '$203.0B'
 */
export function usdCompact(cents: Cents): string {
  const dollars = Number(cents) / 100;
  const magnitude = Math.abs(dollars);
  const sign = dollars < 0 ? '-' : '';
  if (magnitude >= 1e12) return `${sign}$${(magnitude / 1e12).toFixed(2)}T`;
  if (magnitude >= 1e9) return `${sign}$${(magnitude / 1e9).toFixed(1)}B`;
  if (magnitude >= 1e6) return `${sign}$${(magnitude / 1e6).toFixed(1)}M`;
  if (magnitude >= 1e3) return `${sign}$${(magnitude / 1e3).toFixed(1)}K`;
  return `${sign}$${magnitude.toFixed(2)}`;
}

/** `usdCompact`, but a dash for zero, so that tables show where nothing happened. */
export function usdCell(cents: Cents): string {
  return cents === 0n ? '-' : usdCompact(cents);
}

/** A fraction as a percentage: `0.6457` → `64.6%`. */
export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Cents as a JSON number of USD (exact below 2^53 cents). */
export function usd(cents: Cents): number {
  return centsToNumber(cents);
}

/** A CSV line, quoting cells that need it (RFC 4180). */
export function csvLine(cells: readonly (string | number)[]): string {
  return cells
    .map((cell) => {
      const text = String(cell);
      return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}
