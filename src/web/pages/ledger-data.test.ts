import { describe, expect, it } from 'vitest';
import { buildLedger } from '../../core/ledger/build.js';
import type { PlanMoney } from '../../core/ledger/plan-money.js';
import { summarizeLedger } from '../../core/ledger/report.js';
import { FINANCE } from '../../test-support/finance-scenario.js';
import { month, parseValid } from '../../test-support/unit-scenarios.js';
import { ledgerToJson } from '../../core/ledger/ledger-json.js';
// The CLI's words are the reference the page must repeat; a test is never in the bundle.
// eslint-disable-next-line no-restricted-imports
import { capitalHeadline as cliHeadline } from '../../cli/report/ledger-text.js';
import type { LedgerJson } from '../api-types';
import {
  capitalCsv,
  capitalHeadline,
  capitalRows,
  csvField,
  csvFileName,
  flowRows,
  flowsCsv,
  granularityOf,
  ledgerPeriods,
  toCsv,
} from './ledger-data';

const SCENARIO = parseValid(FINANCE);
const MONEY: PlanMoney = {
  scenario: 'finance-test',
  compute: [
    { provider: 'azure', period: month('2026-01'), amount: 300_000n },
    { provider: 'azure', period: month('2026-02'), amount: 400_000n },
    { provider: 'stargate', period: month('2026-07'), amount: 50_050n },
    { provider: 'coreweave', period: month('2027-01'), amount: 1_000n },
  ],
  shortfalls: [],
};
const books = buildLedger(SCENARIO, MONEY);
const reportOf = (by: 'year' | 'quarter' | 'month') => summarizeLedger(books, by);
const json = (by: 'year' | 'quarter' | 'month'): LedgerJson =>
  ledgerToJson(reportOf(by), books, { source: 'test' });

describe('the ledger page data', () => {
  it('takes the granularity from the query, year by default', () => {
    expect(granularityOf('quarter')).toBe('quarter');
    expect(granularityOf(null)).toBe('year');
    expect(granularityOf('week')).toBe('year');
  });

  it('lists the periods of the chosen granularity', () => {
    expect(ledgerPeriods(json('year'))).toEqual(['2026', '2027']);
    expect(ledgerPeriods(json('quarter'))).toHaveLength(8);
    expect(ledgerPeriods(json('month'))[0]).toBe('2026-01');
  });

  it('writes the capital headline in the CLI’s words', () => {
    for (const by of ['year', 'quarter', 'month'] as const) {
      expect(capitalHeadline(json(by))).toEqual(cliHeadline(reportOf(by)));
    }
    expect(capitalHeadline({ ...json('year'), capital: null })).toEqual([]);
  });

  it('gives the flows of one period, or all, without empty ones or a party paying itself', () => {
    const ledger = json('year');
    const all = flowRows(ledger, undefined);
    const y2026 = flowRows(ledger, '2026');
    const y2027 = flowRows(ledger, '2027');
    expect(all.every((r) => r.amountUSD > 0 && r.from !== r.to)).toBe(true);
    // Each flow's total is the sum of its periods.
    const key = (r: { from: string; to: string; kind: string }) => `${r.from}>${r.to}:${r.kind}`;
    for (const row of all) {
      const parts = [...y2026, ...y2027].filter((r) => key(r) === key(row));
      expect(parts.reduce((s, r) => s + r.amountUSD, 0)).toBeCloseTo(row.amountUSD, 2);
    }
    // Largest first.
    expect(all.map((r) => r.amountUSD)).toEqual(
      [...all.map((r) => r.amountUSD)].sort((a, b) => b - a),
    );
    // Compute to Microsoft only in 2026 ($7,000.00).
    const compute = (rows: typeof all) =>
      rows.find((r) => r.from === 'openai' && r.to === 'microsoft' && r.kind === 'compute');
    expect(compute(y2026)?.amountUSD).toBe(7000);
    expect(compute(y2026)?.toName).toBe('Microsoft');
    expect(compute(y2027)).toBeUndefined();
    const self = {
      ...ledger,
      flows: [
        ...ledger.flows,
        {
          from: 'openai',
          to: 'openai',
          kind: 'revenue-share' as const,
          totalUSD: 5,
          periods: [{ period: '2026', amountUSD: 5 }],
        },
      ],
    };
    expect(flowRows(self, undefined)).toHaveLength(all.length);
  });

  it('gives capital per period with each funder’s called to date from the books', () => {
    const ledger = json('quarter');
    const rows = capitalRows(ledger);
    const capital = ledger.capital!;
    expect(rows.map((r) => r.period)).toEqual(capital.periods.map((p) => p.period));
    for (const row of rows) {
      const funders = Object.values(row.calledToDateByFunder).reduce((s, v) => s + v, 0);
      expect(funders).toBeCloseTo(row.calledToDateUSD, 2);
    }
    const last = rows.at(-1)!;
    for (const funder of capital.funders) {
      expect(last.calledToDateByFunder[funder.party]).toBeCloseTo(funder.calledUSD, 2);
    }
    expect(capitalRows({ ...ledger, capital: null })).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes fields with a comma, a quote, CR or LF (RFC 4180) and leaves others bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('ends every record with CRLF', () => {
    expect(
      toCsv([
        ['a', 'b'],
        [1, 'x,y'],
      ]),
    ).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('holds exactly the rows of the flows table, in order, amounts to the cent', () => {
    const rows = flowRows(json('year'), '2026');
    const lines = flowsCsv(rows, '2026').trimEnd().split('\r\n');
    expect(lines[0]).toBe('period,from,fromName,to,toName,kind,amountUSD');
    expect(lines).toHaveLength(rows.length + 1);
    rows.forEach((row, i) => {
      expect(lines[i + 1]).toBe(
        toCsv([
          ['2026', row.from, row.fromName, row.to, row.toName, row.kind, row.amountUSD.toFixed(2)],
        ]).trimEnd(),
      );
    });
    expect(flowsCsv(rows, undefined).split('\r\n')[1]?.startsWith('all,')).toBe(true);
  });

  it('holds the capital table with a column per funder', () => {
    const ledger = json('year');
    const rows = capitalRows(ledger);
    const text = capitalCsv(rows, ['openai', 'softbank']);
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'period,committedUSD,capexDueUSD,calledUSD,calledToDateUSD,fundingGapUSD,calledToDate_openaiUSD,calledToDate_softbankUSD',
    );
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[1]?.split(',')[0]).toBe('2026');
  });

  it('names files after what and when', () => {
    expect(csvFileName('flows', '2028')).toBe('stargate-flows-2028.csv');
    expect(csvFileName('flows', '2028-Q1')).toBe('stargate-flows-2028-Q1.csv');
    expect(csvFileName('capital', 'by-quarter')).toBe('stargate-capital-by-quarter.csv');
  });
});
