import { centsOf, formatCentsPlain, formatUSDNumber as usd } from '../../core/money.js';
import { percent } from '../../charts/format.js';
import type { LedgerReportJson } from '../api-types';

/**
 * The Ledger page's tables and its CSV, from `GET /v1/ledger`: pure, so that what the table
 * shows and what the download holds are one list of rows, tested once.
 */

export type Granularity = 'year' | 'quarter' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['year', 'quarter', 'month'];

/** The query's `by`, or the default (year: the fewest columns). */
export function granularityOf(value: string | null): Granularity {
  return GRANULARITIES.find((g) => g === value) ?? 'year';
}

/** The ledger's periods, in order ("2028", "2028-Q1" or "2028-01" by granularity). */
export function ledgerPeriods(ledger: LedgerReportJson): string[] {
  const fromFlows = ledger.flows[0]?.periods.map((p) => p.period);
  return fromFlows ?? ledger.capital?.periods.map((p) => p.period) ?? [];
}

export interface FlowRow {
  readonly from: string;
  readonly fromName: string;
  readonly to: string;
  readonly toName: string;
  readonly kind: string;
  readonly amountUSD: number;
}

/**
 * The flows of one period (or of the whole horizon, `undefined`) that the Sankey draws: not
 * those that moved nothing, nor a party's payments to itself (a Sankey cannot loop); largest
 * first.
 */
export function flowRows(ledger: LedgerReportJson, period: string | undefined): FlowRow[] {
  const names = new Map(ledger.parties.map((p) => [p.id, p.name]));
  return ledger.flows
    .map((f) => ({
      from: f.from,
      fromName: names.get(f.from) ?? f.from,
      to: f.to,
      toName: names.get(f.to) ?? f.to,
      kind: f.kind,
      amountUSD:
        period === undefined
          ? f.totalUSD
          : (f.periods.find((p) => p.period === period)?.amountUSD ?? 0),
    }))
    .filter((row) => row.amountUSD > 0 && row.from !== row.to)
    .sort(
      (a, b) =>
        b.amountUSD - a.amountUSD ||
        a.from.localeCompare(b.from) ||
        a.to.localeCompare(b.to) ||
        a.kind.localeCompare(b.kind),
    );
}

export interface CapitalRow {
  readonly period: string;
  readonly committedUSD: number;
  readonly capexDueUSD: number;
  readonly calledUSD: number;
  readonly calledToDateUSD: number;
  readonly fundingGapUSD: number;
  /** What each funder has paid in by the period's end, by funder id. */
  readonly calledToDateByFunder: Readonly<Record<string, number>>;
}

/**
 * Capital per period with each funder's called to date, summed from the capital-call flows to
 * the company: the books' own cents, where the chart splits the company's total pro rata.
 */
export function capitalRows(ledger: LedgerReportJson): CapitalRow[] {
  const capital = ledger.capital;
  if (!capital) return [];
  const calls = ledger.flows.filter((f) => f.kind === 'capital-call' && f.to === capital.company);
  const toDate = new Map(capital.funders.map((f) => [f.party, 0]));
  return capital.periods.map((row) => {
    for (const funder of capital.funders) {
      const paid = calls
        .filter((f) => f.from === funder.party)
        .reduce(
          (sum, f) => sum + (f.periods.find((p) => p.period === row.period)?.amountUSD ?? 0),
          0,
        );
      // Whole cents: round away the float noise of the running sum.
      toDate.set(funder.party, Math.round(((toDate.get(funder.party) ?? 0) + paid) * 100) / 100);
    }
    return {
      period: row.period,
      committedUSD: row.committedUSD,
      capexDueUSD: row.capexDueUSD,
      calledUSD: row.calledUSD,
      calledToDateUSD: row.calledToDateUSD,
      fundingGapUSD: row.fundingGapUSD,
      calledToDateByFunder: Object.fromEntries(toDate),
    };
  });
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

/**
 * The headline of the capital plan in the CLI's words (src/cli/report/ledger-text.ts,
 * `capitalHeadline`): "Called $203.0B of $500.0B total (40.6%) by 2030-12; …".
 */
export function capitalHeadline(ledger: LedgerReportJson): string[] {
  const capital = ledger.capital;
  if (!capital) return [];
  const end = ledger.horizon.to;
  const lines = [
    `Called ${usd(capital.calledUSD)} of ${usd(capital.totalUSD)} total (${percent(ratio(capital.calledUSD, capital.totalUSD))}) by ${end}; committed ${usd(capital.committedUSD)}, of which ${usd(capital.committedUSD - capital.calledUSD)} not yet called.`,
    capital.initialCalledBy === null
      ? `The ${usd(capital.initialUSD)} initial commitment is not fully called by ${end}: ${usd(capital.calledUSD)} (${percent(ratio(capital.calledUSD, capital.initialUSD))}).`
      : `The ${usd(capital.initialUSD)} initial commitment was fully called by ${capital.initialCalledBy}.`,
  ];
  const headroom = capital.totalUSD - capital.committedUSD;
  if (headroom > 0) lines.push(`${usd(headroom)} of the total is not committed by ${end}.`);
  if (capital.largestFundingGapUSD > 0) {
    lines.push(
      `Capex outran committed capital: a funding gap of up to ${usd(capital.largestFundingGapUSD)}.`,
    );
  }
  return lines;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document (RFC 4180): CRLF between records and after the last. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Exact dollars and cents for a spreadsheet, never the compact form of the screen. */
export const plainUSD = (value: number) => formatCentsPlain(centsOf(value));

/**
 * The flows table as CSV: the same rows, in the same order, parties by id and by name, amounts
 * exact.
 */
export function flowsCsv(rows: readonly FlowRow[], period: string | undefined): string {
  return toCsv([
    ['period', 'from', 'fromName', 'to', 'toName', 'kind', 'amountUSD'],
    ...rows.map((r) => [
      period ?? 'all',
      r.from,
      r.fromName,
      r.to,
      r.toName,
      r.kind,
      plainUSD(r.amountUSD),
    ]),
  ]);
}

/** The capital table as CSV, one column per funder as on screen. */
export function capitalCsv(rows: readonly CapitalRow[], funders: readonly string[]): string {
  return toCsv([
    [
      'period',
      'committedUSD',
      'capexDueUSD',
      'calledUSD',
      'calledToDateUSD',
      'fundingGapUSD',
      ...funders.map((f) => `calledToDate_${f}USD`),
    ],
    ...rows.map((r) => [
      r.period,
      plainUSD(r.committedUSD),
      plainUSD(r.capexDueUSD),
      plainUSD(r.calledUSD),
      plainUSD(r.calledToDateUSD),
      plainUSD(r.fundingGapUSD),
      ...funders.map((f) => plainUSD(r.calledToDateByFunder[f] ?? 0)),
    ]),
  ]);
}

/** `stargate-flows-2028.csv`, `stargate-flows-all.csv`, `stargate-capital-by-quarter.csv`. */
export function csvFileName(what: 'flows' | 'capital', tag: string): string {
  return `stargate-${what}-${tag.replace(/[^A-Za-z0-9-]+/g, '-')}.csv`;
}
