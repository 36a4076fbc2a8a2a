/**
 * A calendar month, stored as the number of months since January of year 0 so that periods
 * compare, subtract and iterate as integers. Written `YYYY-MM` at every boundary.
 */
export type Period = number & { readonly __period: unique symbol };

/** An inclusive range of periods. */
export interface PeriodRange {
  readonly from: Period;
  readonly to: Period;
}

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Reads `YYYY-MM`; returns `undefined` for anything else.
 *
 * @example parsePeriod('2028-02') // the period of February 2028
 */
export function parsePeriod(text: string): Period | undefined {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) return undefined;
  return periodOf(Number(match[1]), Number(match[2]));
}

/** The period of a year and a month (1–12). */
export function periodOf(year: number, month: number): Period {
  return (year * 12 + (month - 1)) as Period;
}

/** The calendar year of a period. */
export function yearOf(period: Period): number {
  return Math.floor(period / 12);
}

/** The month of a period, 1–12. */
export function monthOf(period: Period): number {
  return (period % 12) + 1;
}

/** Writes a period as `YYYY-MM`. */
export function formatPeriod(period: Period): string {
  return `${String(yearOf(period)).padStart(4, '0')}-${String(monthOf(period)).padStart(2, '0')}`;
}

/** Writes a period's quarter as `YYYY-Qn`. */
export function formatQuarter(period: Period): string {
  return `${yearOf(period)}-Q${Math.floor((monthOf(period) - 1) / 3) + 1}`;
}

/** Writes a range as `YYYY-MM..YYYY-MM`, or a single `YYYY-MM` when it holds one period. */
export function formatRange(range: PeriodRange): string {
  return range.from === range.to
    ? formatPeriod(range.from)
    : `${formatPeriod(range.from)}..${formatPeriod(range.to)}`;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in the period's month on the real calendar. */
export function daysIn(period: Period): number {
  const month = monthOf(period);
  if (month === 2 && isLeapYear(yearOf(period))) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 30;
}

/**
 * Hours in a period: days in the month × 24.
 *
 * @example hoursIn(parsePeriod('2028-02')!) // 696, a leap February
 */
export function hoursIn(period: Period): number {
  return daysIn(period) * 24;
}

/** Every period of an inclusive range, in order. */
export function periodsOf(range: PeriodRange): Period[] {
  const periods: Period[] = [];
  for (let p = range.from; p <= range.to; p++) periods.push(p);
  return periods;
}

/** Whether a period lies inside an inclusive range. */
export function contains(range: PeriodRange, period: Period): boolean {
  return period >= range.from && period <= range.to;
}

/** The overlap of two ranges, or `undefined` when they do not meet. */
export function intersect(a: PeriodRange, b: PeriodRange): PeriodRange | undefined {
  const from = Math.max(a.from, b.from) as Period;
  const to = Math.min(a.to, b.to) as Period;
  return from <= to ? { from, to } : undefined;
}

/** Number of periods in an inclusive range. */
export function lengthOf(range: PeriodRange): number {
  return range.to - range.from + 1;
}

/**
 * Folds a sorted list of periods into maximal runs of consecutive months.
 *
 * @example compress([jan, feb, apr]) // [{from: jan, to: feb}, {from: apr, to: apr}]
 */
export function compress(periods: readonly Period[]): PeriodRange[] {
  const runs: PeriodRange[] = [];
  for (const period of periods) {
    const last = runs[runs.length - 1];
    if (last && period === last.to + 1) runs[runs.length - 1] = { from: last.from, to: period };
    else runs.push({ from: period, to: period });
  }
  return runs;
}
