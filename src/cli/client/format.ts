import { grouped } from '../../core/format.js';
import { formatUSDNumber } from '../../core/money.js';
import type { Align } from '../table.js';
import { renderTable } from '../table.js';
import type { Range } from './types.js';

/** Small formatters shared by the client's text output. Every one is locale-free. */

/** An API timestamp to the minute, in UTC: `2026-11-25 03:55Z`. */
export function when(iso: string | undefined): string {
  if (iso === undefined) return '-';
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 16).replace('T', ' ')}Z` : iso;
}

/** A change in USD with its sign, or a dash when nothing changed. */
export function usdChange(change: number): string {
  if (Math.round(change * 100) === 0) return '-';
  return `${change > 0 ? '+' : ''}${formatUSDNumber(change)}`;
}

/** A count with its sign, or a dash when nothing changed. */
export function countChange(change: number): string {
  if (change === 0) return '-';
  return `${change > 0 ? '+' : ''}${grouped(change)}`;
}

/** A price per GPU-hour as the API stores it (a decimal string): `$3.00`. */
export function price(text: string | undefined): string {
  return text === undefined ? '-' : `$${text}`;
}

export function range(window: Range): string {
  return window.from === window.to ? window.from : `${window.from}..${window.to}`;
}

export { grouped };

/** A table, or a line saying there is nothing to show. */
export function tableOr(
  empty: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
  indent = '',
): string {
  if (rows.length === 0) return `${indent}${empty}\n`;
  return `${renderTable(header, rows, align, indent)}\n`;
}
