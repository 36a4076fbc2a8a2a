import { grouped } from './format.js';

/**
 * Money is an integer number of micro-dollars (1e-6 USD) held in a bigint. Prices per GPU-hour
 * have at most six decimals, so every cost the planner computes — GPUs × hours × price — is
 * exact. Amounts leave the core rounded half-up to cents.
 */
export type Micros = bigint;

/** An integer number of US cents. */
export type Cents = bigint;

export const MICROS_PER_USD = 1_000_000n;
const MICROS_PER_CENT = 10_000n;

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Why a decimal could not be read as money. */
export type DecimalProblem = 'not-a-decimal' | 'too-many-decimals' | 'negative';

/**
 * Reads a decimal amount in USD, given as text or as a JavaScript number, into micro-dollars
 * exactly. Numbers are read through their shortest decimal form, so `2.1` is 2.10 and
 * `5e9` is five billion. More than `maxDecimals` digits after the point is a problem, not a
 * rounding.
 *
 * @example parseUSD('2.35', 6) // { ok: true, micros: 2_350_000n }
 */
export function parseUSD(
  value: string | number,
  maxDecimals: number,
): { ok: true; micros: Micros } | { ok: false; problem: DecimalProblem } {
  const text = typeof value === 'number' ? numberToText(value) : value.trim();
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return { ok: false, problem: 'not-a-decimal' };
  const [, sign, whole = '', fraction = '', exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  // Shift the decimal point by the exponent, then count what remains after it.
  let digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  let decimals = fraction.length - exponent;
  if (decimals < 0) {
    digits += '0'.repeat(-decimals);
    decimals = 0;
  }
  const significant = digits.replace(/0+$/, '');
  const trailingZeros = digits.length - significant.length;
  const effectiveDecimals = Math.max(0, decimals - trailingZeros);
  if (effectiveDecimals > maxDecimals) return { ok: false, problem: 'too-many-decimals' };
  if (sign === '-' && /[1-9]/.test(digits)) return { ok: false, problem: 'negative' };
  const scaled =
    decimals <= 6
      ? BigInt(digits) * 10n ** BigInt(6 - decimals)
      : BigInt(digits) / 10n ** BigInt(decimals - 6);
  return { ok: true, micros: scaled };
}

function numberToText(value: number): string {
  if (!Number.isFinite(value)) return 'not-finite';
  // toString gives the shortest text that reads back as the same number, e.g. 2.1 or 1e+21.
  return value.toString();
}

/** Rounds micro-dollars half-up (away from zero) to cents. */
export function toCents(micros: Micros): Cents {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const cents = (magnitude + MICROS_PER_CENT / 2n) / MICROS_PER_CENT;
  return negative ? -cents : cents;
}

/** Cents as a JSON number of dollars with at most two decimals (exact below 2^53 cents). */
export function centsToNumber(cents: Cents): number {
  return Number(cents) / 100;
}

/** Cents as `12345.67`, always two decimals, no grouping: for CSV and machine output. */
export function formatCentsPlain(cents: Cents): string {
  const negative = cents < 0n;
  const magnitude = negative ? -cents : cents;
  const text = `${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/**
 * Cents as `$1,234,567.89` for people.
 *
 * @example formatUSD(123456789n) // '$1,234,567.89'
 */
export function formatUSD(cents: Cents): string {
  const negative = cents < 0n;
  const magnitude = negative ? -cents : cents;
  const text = `$${grouped(magnitude / 100n)}.${String(magnitude % 100n).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** How `formatUSDCompact` writes billions. */
export interface CompactOptions {
  /**
   * Decimals of a billion: 1 (the default: headlines, reports, charts, the dashboard), or 2
   * for the plan's quarterly cost table and the solver's progress line, where quarters differ
   * by tens of millions (`$2.29B`); with 2, amounts stay in billions, never trillions.
   */
  readonly billionDigits?: 1 | 2;
}

/**
 * Amounts for headlines, tables and charts: `$203.0B`, `$64.7M`, `$12.3K`, `$999.00`. One
 * decimal is enough to read; exact cents are in the JSON and CSV. The one money formatter for
 * people: the CLI's reports, the charts and the dashboard all use it.
 *
 * @example formatUSDCompact(20_300_000_000_000n) // '$203.0B'
 * @example formatUSDCompact(2_294_000_000_00n, { billionDigits: 2 }) // '$2.29B'
 */
export function formatUSDCompact(cents: Cents, options: CompactOptions = {}): string {
  const billionDigits = options.billionDigits ?? 1;
  const dollars = Number(cents) / 100;
  const magnitude = Math.abs(dollars);
  const sign = dollars < 0 ? '-' : '';
  if (billionDigits === 1 && magnitude >= 1e12) {
    return `${sign}$${(magnitude / 1e12).toFixed(2)}T`;
  }
  if (magnitude >= 1e9) return `${sign}$${(magnitude / 1e9).toFixed(billionDigits)}B`;
  if (magnitude >= 1e6) return `${sign}$${(magnitude / 1e6).toFixed(1)}M`;
  if (magnitude >= 1e3) return `${sign}$${(magnitude / 1e3).toFixed(1)}K`;
  return `${sign}$${magnitude.toFixed(2)}`;
}

/**
 * `formatUSDCompact` of an amount as the API and the JSON views carry it, a JSON number of
 * USD with cents.
 *
 * @example formatUSDNumber(1_700_000_000) // '$1.7B'
 */
export function formatUSDNumber(usd: number): string {
  return formatUSDCompact(centsOf(usd));
}

/**
 * A JSON number of USD (as plans and ledgers carry amounts) as cents, for the formatters.
 *
 * @example centsOf(12.345) // 1235n
 */
export function centsOf(usd: number): Cents {
  return BigInt(Math.round(usd * 100));
}

/** Micro-dollars as a float in USD, for the solver's objective only; never summed for output. */
export function microsToFloat(micros: Micros): number {
  return Number(micros) / 1e6;
}

/**
 * A price per GPU-hour: at least two decimals, more only when the price has them.
 *
 * @example formatPrice(2_125_000n) // '$2.125'
 */
export function formatPrice(micros: Micros): string {
  const whole = micros / 1_000_000n;
  let fraction = String(micros % 1_000_000n)
    .padStart(6, '0')
    .replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return `$${whole}.${fraction}`;
}
