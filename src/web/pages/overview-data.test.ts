import { describe, expect, it } from 'vitest';
import type { ForecastJson, LedgerJson } from '../api-types';
import {
  capacityNow,
  capitalCalledBy,
  componentsFromLedger,
  quarterOfMonth,
  unmetSummary,
} from './overview-data';

describe('unmetSummary', () => {
  it('adds GPU-months in all and per workload, most unmet first', () => {
    const summary = unmetSummary([
      { workload: 'api', period: '2026-02', gpus: 10, reasons: [] },
      { workload: 'train', period: '2026-05', gpus: 40, reasons: [] },
      { workload: 'api', period: '2026-01', gpus: 15, reasons: [] },
      { workload: 'api', period: '2026-07', gpus: 5, reasons: [] },
      { workload: 'chat', period: '2026-03', gpus: 30, reasons: [] },
    ]);
    expect(summary.gpuMonths).toBe(100);
    expect(summary.workloads).toEqual([
      { workload: 'train', gpuMonths: 40, from: '2026-05', to: '2026-05' },
      { workload: 'api', gpuMonths: 30, from: '2026-01', to: '2026-07' },
      { workload: 'chat', gpuMonths: 30, from: '2026-03', to: '2026-03' },
    ]);
    expect(unmetSummary([])).toEqual({ gpuMonths: 0, workloads: [] });
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
  flows: [
    { from: 'lab', to: 'azure', kind: 'compute', totalUSD: 100.1 },
    { from: 'lab', to: 'cw', kind: 'compute', totalUSD: 50.2 },
    { from: 'lab', to: 'azure', kind: 'take-or-pay', totalUSD: 7 },
    { from: 'f', to: 'co', kind: 'capital-call', totalUSD: 999 },
  ],
} as unknown as LedgerJson;

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

describe('componentsFromLedger', () => {
  it('splits a plan’s total into compute, take-or-pay shortfall and the unmet rest', () => {
    expect(componentsFromLedger(LEDGER, 1000)).toEqual({
      totalUSD: 1000,
      computeUSD: 150.3,
      shortfallUSD: 7,
      unmetUSD: 842.7,
    });
  });
});
