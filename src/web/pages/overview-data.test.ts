import { describe, expect, it } from 'vitest';
import type { ForecastJson, LedgerReportJson } from '../api-types';
import { capacityNow, capitalCalledBy, quarterOfMonth, reasonHeadline } from './overview-data';

describe('reasonHeadline', () => {
  it('names the clause a reason cites, else its first part, cut to a line', () => {
    expect(
      reasonHeadline(
        'rofr term msft-rofr of msft-openai-2025: new capacity must first be offered to azure, and its refusal is still pending (excludes coreweave-gb300)',
      ),
    ).toBe('rofr term msft-rofr of msft-openai-2025');
    expect(
      reasonHeadline(
        'exclusivity term api-on-azure of msft-openai-2025 allows only azure for class api (excludes abilene-b1)',
      ),
    ).toBe('exclusivity term api-on-azure of msft-openai-2025');
    expect(reasonHeadline('pool azure-h100 is full: chatgpt-2028 (250,000)')).toBe(
      'pool azure-h100 is full',
    );
    expect(reasonHeadline('not available that month: abilene-b1 (2025-06..2030-12)')).toBe(
      'not available that month',
    );
    const gang =
      'gang workload needs 400,000 GPUs of one accelerator at one site in every month of 2027-01..2027-05';
    const cut = reasonHeadline(gang);
    expect(cut.length).toBeLessThanOrEqual(64);
    expect(cut.endsWith('…')).toBe(true);
    expect(gang.startsWith(cut.slice(0, -1))).toBe(true);
  });
});

describe('quarterOfMonth', () => {
  it('labels a month’s quarter as the forecast and the ledger do', () => {
    expect(quarterOfMonth('2026-12')).toBe('2026-Q4');
    expect(quarterOfMonth('2027-01')).toBe('2027-Q1');
    expect(() => quarterOfMonth('2027-13')).toThrow();
  });
});

const quarter = (label: string, month: string, gpus: number) => ({
  quarter: label,
  month,
  scheduled: { totalGpus: gpus, totalMw: gpus / 1000, providers: [] },
  simulated: null,
});
const FORECAST = {
  quarters: [
    quarter('2026-Q1', '2026-03', 100),
    quarter('2026-Q2', '2026-06', 200),
    quarter('2026-Q3', '2026-09', 300),
  ],
} as unknown as ForecastJson;

describe('capacityNow', () => {
  it('takes the quarter of the month, the first before the horizon and the last after it', () => {
    expect(capacityNow(FORECAST, '2026-05')).toEqual({ quarter: '2026-Q2', gpus: 200, mw: 0.2 });
    expect(capacityNow(FORECAST, '2025-11')?.quarter).toBe('2026-Q1');
    expect(capacityNow(FORECAST, '2030-01')?.quarter).toBe('2026-Q3');
    expect(capacityNow({ quarters: [] } as unknown as ForecastJson, '2026-01')).toBeUndefined();
  });
});

const capitalPeriod = (period: string, calledToDateUSD: number) => ({
  period,
  committedUSD: 1000,
  capexDueUSD: 0,
  calledUSD: 0,
  calledToDateUSD,
  fundingGapUSD: 0,
});
const LEDGER = {
  capital: {
    totalUSD: 5000,
    periods: [
      capitalPeriod('2026-Q1', 10),
      capitalPeriod('2026-Q2', 25),
      capitalPeriod('2026-Q3', 60),
    ],
  },
} as unknown as LedgerReportJson;

describe('capitalCalledBy', () => {
  it('is called to date at the quarter of the month, 0 before the books begin', () => {
    expect(capitalCalledBy(LEDGER, '2026-06')).toEqual({
      calledUSD: 25,
      totalUSD: 5000,
      quarter: '2026-Q2',
    });
    expect(capitalCalledBy(LEDGER, '2025-12')?.calledUSD).toBe(0);
    expect(capitalCalledBy(LEDGER, '2031-01')?.calledUSD).toBe(60);
    expect(capitalCalledBy({ ...LEDGER, capital: null }, '2026-06')).toBeUndefined();
  });
});
