/**
 * Months and money computed from first principles, without `src/core/period.ts` or
 * `src/core/money.ts`, so that reference computations in tests do not share their bugs.
 *
 * A month is held as an index: year × 12 + (month − 1). The core's `Period` uses the same
 * numbering (a test pins that down), so an index and a `Period` can be compared directly.
 */

const MONTH_TEXT = /^(\d{4})-(\d{2})$/;

/** `YYYY-MM` → year × 12 + month − 1. Throws on anything else: callers pass checked text. */
export function monthIndex(text: string): number {
  const match = MONTH_TEXT.exec(text);
  if (!match) throw new Error(`monthIndex: not YYYY-MM: ${text}`);
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** year × 12 + month − 1 → `YYYY-MM`. */
export function monthText(index: number): string {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** Hours in a calendar month, from the JavaScript calendar rather than a table of days. */
export function hoursInMonth(index: number): number {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate() * 24;
}

/**
 * A non-negative USD amount as written in a scenario (`"2.35"`, `2.35`, `5000`) in
 * micro-dollars. Only the plain decimal forms the generators write are accepted.
 */
export function usdToMicros(value: string | number): bigint {
  const text = typeof value === 'number' ? String(value) : value;
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new Error(`usdToMicros: unsupported amount ${text}`);
  const whole = BigInt(match[1] ?? '0');
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0'));
  return whole * 1_000_000n + fraction;
}

/** Micro-dollars (non-negative) rounded half-up to cents. */
export function microsToCents(micros: bigint): bigint {
  if (micros < 0n) throw new Error('microsToCents: negative amount');
  return (micros + 5_000n) / 10_000n;
}

/** A USD amount read back from a JSON plan (at most two decimals) as cents. */
export function usdToCents(usd: number): bigint {
  const cents = Math.round(usd * 100);
  if (Math.abs(cents / 100 - usd) > 1e-9) throw new Error(`usdToCents: ${usd} has sub-cents`);
  return BigInt(cents);
}

/** Every month index of an inclusive range; empty when `to` < `from`. */
export function monthsBetween(from: number, to: number): number[] {
  const months: number[] = [];
  for (let m = from; m <= to; m++) months.push(m);
  return months;
}
