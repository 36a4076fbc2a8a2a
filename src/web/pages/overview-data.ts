import { formatQuarter, parsePeriod } from '../../core/period.js';
import type { ForecastJson, LedgerReportJson } from '../api-types';

/**
 * The Overview's headline numbers from what the API answers, pure so they are tested without a
 * browser. The Overview reads small bodies only: the plan's summary (`/v1/plans/{id}/summary`,
 * a few kB for any portfolio), the books without their journal, the forecast without its
 * Monte Carlo.
 */

/** Longest a reason's headline may run in the Overview's narrow table; the Plan page has all. */
const REASON_HEADLINE = 64;

/**
 * The gist of an unmet workload's reason: the clause it names (`rofr term msft-rofr of
 * msft-openai-2025`), else its first part (before a colon or a list in brackets), cut to a
 * line.
 *
 * @example
 * reasonHeadline('rofr term msft-rofr of msft-openai-2025: new capacity must first be offered…')
 * // 'rofr term msft-rofr of msft-openai-2025'
 */
export function reasonHeadline(reason: string): string {
  const clause = /\S+ term \S+ of [^\s:]+/.exec(reason)?.[0];
  const gist = clause ?? reason.split(/: | \(/)[0] ?? reason;
  return gist.length <= REASON_HEADLINE ? gist : `${gist.slice(0, REASON_HEADLINE - 1).trimEnd()}…`;
}

/** `2026-12` → `2026-Q4`, the ledger's and the forecast's label of the quarter. */
export function quarterOfMonth(month: string): string {
  const period = parsePeriod(month);
  if (period === undefined) throw new Error(`not a month: ${month}`);
  return formatQuarter(period);
}

/**
 * Capacity scheduled in the quarter of `month` (the forecast measures each quarter at its last
 * month); before the horizon the first quarter, after it the last.
 */
export function capacityNow(
  forecast: ForecastJson,
  month: string,
): { quarter: string; gpus: number; mw: number } | undefined {
  const quarters = forecast.quarters;
  const label = quarterOfMonth(month);
  const found =
    quarters.find((q) => q.quarter === label) ??
    (quarters[0] && month < quarters[0].month ? quarters[0] : quarters.at(-1));
  return found
    ? { quarter: found.quarter, gpus: found.scheduled.totalGpus, mw: found.scheduled.totalMw }
    : undefined;
}

/**
 * Capital called by the quarter of `month` (0 before the ledger's first quarter, all of it after
 * its last), from a ledger by quarter.
 */
export function capitalCalledBy(
  ledger: LedgerReportJson,
  month: string,
): { calledUSD: number; totalUSD: number; quarter: string } | undefined {
  const capital = ledger.capital;
  if (!capital) return undefined;
  const label = quarterOfMonth(month);
  const passed = capital.periods.filter((p) => p.period <= label);
  return {
    calledUSD: passed.at(-1)?.calledToDateUSD ?? 0,
    totalUSD: capital.totalUSD,
    quarter: label,
  };
}
