import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { financeCase } from '../../test-support/arbitrary-finance.js';
import { contains } from '../period.js';
import { buildLedger } from './build.js';
import { balances } from './journal.js';
import { summarizeLedger } from './report.js';
import { percentUnits } from './split.js';

// Fixed seeds, so that a failure reproduces. For a longer hunt:
// STARGATE_PROPERTY_SEED=7 STARGATE_PROPERTY_SCALE=20 npx vitest run src/core/ledger
const SEED = Number(process.env.STARGATE_PROPERTY_SEED ?? 42);
const SCALE = Number(process.env.STARGATE_PROPERTY_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

describe('ledger invariants on random scenarios and plans', () => {
  it('every transaction balances, overall and for every party', () => {
    fc.assert(
      fc.property(financeCase, ({ scenario, money }) => {
        const ledger = buildLedger(scenario, money);
        for (const t of ledger.transactions) {
          const byParty = new Map<string, bigint>();
          for (const p of t.postings) byParty.set(p.party, (byParty.get(p.party) ?? 0n) + p.amount);
          expect(
            t.postings.reduce((sum, p) => sum + p.amount, 0n),
            t.id,
          ).toBe(0n);
          for (const [party, sum] of byParty) expect(sum, `${t.id} for ${party}`).toBe(0n);
        }
        expect(new Set(ledger.transactions.map((t) => t.id)).size).toBe(ledger.transactions.length);
      }),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it('balances equal the sum of postings; each party’s books balance; cash follows the flows', () => {
    fc.assert(
      fc.property(financeCase, ({ scenario, money }) => {
        const ledger = buildLedger(scenario, money);
        // An independent sum, posting by posting.
        const sums = new Map<string, bigint>();
        for (const t of ledger.transactions) {
          for (const p of t.postings) {
            const key = `${p.party}/${p.account}`;
            sums.set(key, (sums.get(key) ?? 0n) + p.amount);
          }
        }
        const reported = balances(ledger.transactions);
        expect(reported.length).toBe(sums.size);
        for (const b of reported) expect(b.balance).toBe(sums.get(`${b.party}/${b.account}`));
        expect(reported.reduce((sum, b) => sum + b.balance, 0n)).toBe(0n);

        const perParty = new Map<string, bigint>();
        for (const b of reported) perParty.set(b.party, (perParty.get(b.party) ?? 0n) + b.balance);
        for (const [party, sum] of perParty) expect(sum, party).toBe(0n);

        // A party's cash is what it received minus what it paid.
        const report = summarizeLedger(ledger, 'quarter');
        for (const totals of report.partyTotals) {
          const cash = reported.find((b) => b.party === totals.party && b.account === 'cash');
          expect(cash?.balance ?? 0n, totals.party).toBe(totals.received - totals.paid);
        }
        expect(report.totals.debits).toBe(report.totals.credits);
      }),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it('capital is called as capex falls due, never beyond what is committed, pro rata to equity', () => {
    fc.assert(
      fc.property(financeCase, ({ scenario, money }) => {
        const ledger = buildLedger(scenario, money);
        const capital = ledger.capital;
        if (!capital) return;
        let due = 0n;
        let calls = 0;
        const byFunder = capital.funders.map(() => 0n);
        for (const month of capital.months) {
          due += month.capexDue;
          expect(month.calledToDate).toBeLessThanOrEqual(month.committed);
          expect(month.calledToDate).toBe(due < month.committed ? due : month.committed);
          expect(month.fundingGap).toBe(due - month.calledToDate);
          expect(month.called).toBeGreaterThanOrEqual(0n);
          expect(month.byFunder.reduce((sum, x) => sum + x, 0n)).toBe(month.called);
          month.byFunder.forEach((x, i) => (byFunder[i] = (byFunder[i] ?? 0n) + x));
          if (month.called > 0n) calls++;
        }
        const total = capital.months[capital.months.length - 1]?.calledToDate ?? 0n;
        // Each funder's share is within a cent per call of its equity share.
        const weights = capital.funders.map((f) => percentUnits(f.equityPercent));
        const weightSum = weights.reduce((sum, w) => sum + w, 0n);
        byFunder.forEach((called, i) => {
          const exact = (total * (weights[i] ?? 0n)) / weightSum;
          const error = called > exact ? called - exact : exact - called;
          expect(error).toBeLessThanOrEqual(BigInt(calls) + 1n);
        });
        // The journal holds the same calls.
        const posted = ledger.transactions
          .filter((t) => t.kind === 'capital-call')
          .flatMap((t) => t.flows)
          .reduce((sum, f) => sum + f.amount, 0n);
        expect(posted).toBe(total);
      }),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it('posts every cent of compute in the horizon, and take-or-pay exactly on the shortfall', () => {
    fc.assert(
      fc.property(financeCase, ({ scenario, money }) => {
        const ledger = buildLedger(scenario, money);
        const posted = ledger.transactions
          .filter((t) => t.kind === 'compute')
          .reduce((sum, t) => sum + (t.flows[0]?.amount ?? 0n), 0n);
        const given = money.compute
          .filter((c) => contains(scenario.horizon, c.period))
          .reduce((sum, c) => sum + c.amount, 0n);
        expect(posted).toBe(given);
        for (const burn of ledger.commitments) {
          const spend = burn.spend.reduce((sum, s) => sum + s.amount, 0n);
          expect(burn.shortfall).toBe(spend >= burn.minSpend ? 0n : burn.minSpend - spend);
          const charged = ledger.transactions
            .filter((t) => t.kind === 'take-or-pay' && t.subject.term === burn.term)
            .reduce((sum, t) => sum + (t.flows[0]?.amount ?? 0n), 0n);
          expect(charged).toBe(burn.shortfall);
        }
      }),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it('sums up to the same totals by month, quarter and year, and is deterministic', () => {
    fc.assert(
      fc.property(financeCase, ({ scenario, money }) => {
        const ledger = buildLedger(scenario, money);
        expect(buildLedger(scenario, money)).toEqual(ledger);
        const [month, quarter, year] = (['month', 'quarter', 'year'] as const).map((by) =>
          summarizeLedger(ledger, by),
        );
        for (const report of [month, quarter, year]) {
          for (const flow of report?.flows ?? []) {
            expect(flow.byBucket.reduce((sum, x) => sum + x, 0n)).toBe(flow.total);
          }
          expect(report?.flows.map((f) => f.total)).toEqual(year?.flows.map((f) => f.total));
          expect(report?.capital?.called).toBe(year?.capital?.called);
        }
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  });
});
