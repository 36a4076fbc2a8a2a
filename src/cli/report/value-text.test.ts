import { describe, expect, it } from 'vitest';
import type { Period } from '../../core/period.js';
import { parsePeriod } from '../../core/period.js';
import type { ValueReport } from '../../core/planner/value-json.js';
import { formatValueText, valueToCsv } from './value-text.js';

const month = (text: string) => parsePeriod(text) as Period;

const REPORT: ValueReport = {
  scenario: 's',
  plan: { method: 'fast', status: 'feasible', total: 100_000_000_00n, lowerBound: 99_000_000_00n },
  capacity: { rows: [] },
  buildings: [
    {
      building: 'b1',
      site: 'x',
      gpus: 10,
      online: month('2026-11'),
      // Fast plans: the bounds leave $1.0M either way.
      monthEarlier: {
        change: 2_500_000_00n,
        low: 1_500_000_00n,
        high: 3_500_000_00n,
        online: month('2026-10'),
      },
      monthLate: { change: 4_00n, low: 0n, high: 9_00n, online: month('2026-12'), months: 1 },
      // The horizon ends in December: a quarter late is one month.
      quarterLate: { change: 4_00n, low: 4_00n, high: 4_00n, online: month('2026-12'), months: 1 },
    },
  ],
  replans: '3 plans: 0 exact from two LPs, 3 by the planner on 2 worker threads',
};

describe('formatValueText', () => {
  it('shows an interval where its ends differ, and a move the horizon cut short', () => {
    const line = formatValueText(REPORT, 20)
      .split('\n')
      .find((l) => l.startsWith('  b1'));
    expect(line).toBe(
      '  b1        2026-11    10  $2.5M [$1.5M, $3.5M]  $4.00 [$0.00, $9.00]        $4.00 (1 mo)',
    );
  });

  it('writes every move in CSV with exact cents', () => {
    expect(valueToCsv(REPORT).split('\n').slice(1, 4)).toEqual([
      'building,b1,x,2026-10,10,,month-earlier,2500000.00,1500000.00,3500000.00',
      'building,b1,x,2026-12,10,,month-late,4.00,0.00,9.00',
      'building,b1,x,2026-12,10,,quarter-late,4.00,4.00,4.00',
    ]);
  });
});
