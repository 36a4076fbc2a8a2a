import { describe, expect, it } from 'vitest';
import { FINANCE } from '../../test-support/finance-scenario.js';
import { month, parseValid } from '../../test-support/unit-scenarios.js';
import { formatPeriod } from '../period.js';
import { buildLedger } from './build.js';
import type { PlanMoney } from './plan-money.js';
import { resolveParties } from './parties.js';
import { summarizeLedger } from './report.js';

// FINANCE with a take-or-pay commitment of $10,000 on Azure in 2026.
const SCENARIO = parseValid(
  FINANCE.replace(
    '      - { id: to-msft,',
    '      - { id: commit, type: commitment, provider: azure, minSpendUSD: 10000, window: { from: 2026-01, to: 2026-12 } }\n      - { id: to-msft,',
  ),
);

const MONEY: PlanMoney = {
  scenario: 'finance-test',
  compute: [
    { provider: 'azure', period: month('2026-01'), amount: 300_000n },
    { provider: 'azure', period: month('2026-02'), amount: 400_000n },
    { provider: 'azure', period: month('2026-03'), amount: 0n },
    { provider: 'stargate', period: month('2026-07'), amount: 50_050n },
    { provider: 'coreweave', period: month('2027-01'), amount: 1_000n },
  ],
  shortfalls: [{ contract: 'msft', term: 'commit', shortfall: 300_000n }],
};

const ledger = buildLedger(SCENARIO, MONEY);
const report = summarizeLedger(ledger, 'year');
const flow = (from: string, to: string, kind: string) =>
  report.flows.find((f) => f.from === from && f.to === to && f.kind === kind)?.total;

describe('resolveParties', () => {
  it('adds a party for a provider no party sells as, and the outside world', () => {
    const directory = resolveParties(SCENARIO);
    expect(directory.parties.map((p) => [p.id, p.implicit])).toEqual([
      ['openai', false],
      ['softbank', false],
      ['microsoft', false],
      ['sg', false],
      ['coreweave', true],
      ['external', true],
    ]);
    expect(directory.lab).toBe('openai');
    expect(directory.partyOf('azure')).toBe('microsoft');
    expect(directory.partyOf('coreweave')).toBe('coreweave');
    expect(directory.funders.map((f) => f.id)).toEqual(['openai', 'softbank']);
  });

  it('gives the lab a party of its own when none is declared', () => {
    const plain = parseValid(
      FINANCE.replace(/\nparties:[\s\S]*?\nsites:/, '\nsites:')
        .replace(/\nprogramme:[\s\S]*?\nsites:/, '\nsites:')
        .replace(/\nrevenueStreams:[\s\S]*$/, '\n'),
    );
    const directory = resolveParties(plain);
    expect(directory.lab).toBe('lab');
    // Revenue-share parties are free ids without a parties section: they become parties.
    expect(directory.parties.map((p) => p.id)).toEqual([
      'azure',
      'coreweave',
      'lab',
      'microsoft',
      'openai',
      'stargate',
      'external',
    ]);
  });
});

describe('buildLedger', () => {
  it('pays each provider party its compute, month by month', () => {
    expect(flow('openai', 'microsoft', 'compute')).toBe(700_000n);
    expect(flow('openai', 'sg', 'compute')).toBe(50_050n);
    expect(flow('openai', 'coreweave', 'compute')).toBe(1_000n);
    expect(ledger.transactions.filter((t) => t.kind === 'compute').map((t) => t.id)).toEqual([
      '2026-01/compute/azure',
      '2026-02/compute/azure',
      '2026-07/compute/stargate',
      '2027-01/compute/coreweave',
    ]);
  });

  it('charges the take-or-pay shortfall at the end of the commitment window', () => {
    const [burn] = ledger.commitments;
    expect(burn?.shortfall).toBe(300_000n);
    expect(burn?.planShortfall).toBe(300_000n);
    const t = ledger.transactions.find((x) => x.kind === 'take-or-pay');
    expect(t?.id).toBe('2026-12/take-or-pay/msft/commit');
    expect(flow('openai', 'microsoft', 'take-or-pay')).toBe(300_000n);
    const [commitment] = report.commitments;
    expect(commitment?.rows.map((r) => [r.bucket, r.spend, r.remaining])).toEqual([
      ['2026', 700_000n, 300_000n],
    ]);
  });

  it('books revenue and shares it both ways', () => {
    expect(flow('external', 'openai', 'revenue')).toBe(3_600_000n); // $1,000 × 12 + $2,000 × 12
    expect(flow('external', 'microsoft', 'revenue')).toBe(1_200_000n);
    expect(flow('openai', 'microsoft', 'revenue-share')).toBe(720_000n); // 20%
    expect(flow('microsoft', 'openai', 'revenue-share')).toBe(240_000n); // 20% of $500 × 24
  });

  it('calls capital pro rata to equity as capex falls due, within what is committed', () => {
    const capital = report.capital;
    expect(capital?.called).toBe(100_000_001n);
    expect(capital?.funders.map((f) => [f.party, f.called])).toEqual([
      ['openai', 40_000_000n],
      ['softbank', 60_000_001n],
    ]);
    expect(capital?.initialCalledBy && formatPeriod(capital.initialCalledBy)).toBe('2026-06');
    // The last cent of capex waits for the 2027 tranche.
    expect(capital?.largestFundingGap).toBe(1n);
    expect(capital?.rows.map((r) => [r.bucket, r.committed, r.called, r.fundingGap])).toEqual([
      ['2026', 100_000_000n, 100_000_000n, 1n],
      ['2027', 300_000_000n, 1n, 0n],
    ]);
    const calls = ledger.transactions.filter((t) => t.kind === 'capital-call');
    expect(calls.map((t) => t.id)).toEqual([
      '2026-01/capital-call/sg',
      '2026-04/capital-call/sg',
      '2026-06/capital-call/sg',
      '2027-01/capital-call/sg',
    ]);
    expect(calls[0]?.flows).toEqual([
      { from: 'openai', to: 'sg', amount: 13_332_000n },
      { from: 'softbank', to: 'sg', amount: 19_998_000n },
    ]);
    expect(flow('sg', 'external', 'capex')).toBe(100_000_001n);
    expect(ledger.notes).toEqual([
      'capex due outran committed capital from 2026-06 (funding gap up to $0.01); calls catch up as tranches are committed',
    ]);
  });

  it('balances: every party, every transaction; balances are the sums of postings', () => {
    for (const t of ledger.transactions) {
      expect(t.postings.reduce((sum, p) => sum + p.amount, 0n)).toBe(0n);
    }
    const cash = (party: string) =>
      report.balances.find((b) => b.party === party && b.account === 'cash')?.balance;
    expect(cash('sg')).toBe(50_050n); // capital in, capex out, compute revenue in
    expect(report.totals.debits).toBe(report.totals.credits);
  });

  it('sums up by month, quarter or year to the same totals', () => {
    for (const by of ['month', 'quarter', 'year'] as const) {
      const r = summarizeLedger(ledger, by);
      expect(r.buckets).toHaveLength({ month: 24, quarter: 8, year: 2 }[by]);
      expect(r.flows.map((f) => f.total)).toEqual(report.flows.map((f) => f.total));
      expect(r.capital?.called).toBe(report.capital?.called);
    }
  });

  it('posts capex due before the horizon in its first month and leaves out what comes after', () => {
    const early = parseValid(
      FINANCE.replace('constructionStart: 2026-01', 'constructionStart: 2025-06').replace(
        'online: 2026-07',
        'online: 2028-03',
      ),
    );
    const books = buildLedger(early, { scenario: 'finance-test', compute: [], shortfalls: [] });
    expect(books.notes).toContain('capex of $333,300.00 due before 2026-01 is posted in 2026-01');
    expect(books.notes).toContain('capex of $333,400.01 due after 2027-12 is not posted');
    expect(
      books.transactions.filter((t) => t.kind === 'capex').map((t) => [t.id, t.flows[0]?.amount]),
    ).toEqual([
      ['2026-01/capex/b1', 33_330_000n],
      ['2026-04/capex/b1', 33_330_000n],
    ]);
  });

  it('calls the capex tied to the online month of a building late for certain that much later', () => {
    const capexOf = (books: ReturnType<typeof buildLedger>) =>
      books.transactions.filter((t) => t.kind === 'capex').map((t) => [t.id, t.flows[0]?.amount]);
    const onTime = buildLedger(SCENARIO, MONEY);
    // At least 2 months late (2 or 3): the online-tied third moves from 2026-06 to 2026-08;
    // construction start and the shell milestone stay.
    const late = buildLedger(
      parseValid(
        FINANCE.replace('{ months: 3, probability: 0.25 }', '{ months: 3, probability: 0.25 }')
          .replace('{ months: 0, probability: 0.75 }', '{ months: 2, probability: 0.75 }')
          .replace(
            '      - { id: to-msft,',
            '      - { id: commit, type: commitment, provider: azure, minSpendUSD: 10000, window: { from: 2026-01, to: 2026-12 } }\n      - { id: to-msft,',
          ),
      ),
      MONEY,
    );
    expect(capexOf(onTime)).toEqual([
      ['2026-01/capex/b1', 33_330_000n],
      ['2026-04/capex/b1', 33_330_000n],
      ['2026-06/capex/b1', 33_340_001n],
    ]);
    expect(capexOf(late)).toEqual([
      ['2026-01/capex/b1', 33_330_000n],
      ['2026-04/capex/b1', 33_330_000n],
      ['2026-08/capex/b1', 33_340_001n],
    ]);
    expect(late.notes).toContain(
      'building b1 is late for certain (its delay allows no less than 2 months): online from 2026-09, and the capex tied to its online month is called 2 months later',
    );
    expect(onTime.notes.some((note) => note.includes('late for certain'))).toBe(false);
  });

  it('spreads the capex of a building without a schedule to its certain online month', () => {
    const unscheduled = FINANCE.replace(/ *capexSchedule:\n( *- \{ milestone.*\n){3}/, '').replace(
      '{ months: 0, probability: 0.75 }',
      '{ months: 1, probability: 0.75 }',
    );
    const books = buildLedger(parseValid(unscheduled), {
      scenario: 'finance-test',
      compute: [],
      shortfalls: [],
    });
    const capex = books.transactions.filter((t) => t.kind === 'capex');
    // 2026-01 to 2026-07 (online 2026-07 plus one month, less one): seven equal parts.
    expect(capex.map((t) => t.id)).toEqual(
      ['01', '02', '03', '04', '05', '06', '07'].map((m) => `2026-${m}/capex/b1`),
    );
    expect(capex.reduce((sum, t) => sum + (t.flows[0]?.amount ?? 0n), 0n)).toBe(100_000_001n);
  });

  it('gives the same books for the same input', () => {
    expect(buildLedger(SCENARIO, MONEY)).toEqual(ledger);
  });
});
