import { describe, expect, it } from 'vitest';
import { month } from '../../test-support/unit-scenarios.js';
import {
  UnbalancedTransactionError,
  balances,
  payment,
  sortTransactions,
  transaction,
} from './journal.js';
import { percentOf, splitCents } from './split.js';

const JAN = month('2026-01');
const FEB = month('2026-02');

describe('transaction', () => {
  it('accepts postings that add up to zero for every party', () => {
    const t = transaction({
      period: JAN,
      kind: 'compute',
      key: 'azure',
      memo: 'compute on azure',
      subject: { provider: 'azure' },
      ...payment('openai', 'compute-expense', 'microsoft', 'compute-revenue', 1234n),
    });
    expect(t.id).toBe('2026-01/compute/azure');
    expect(t.postings).toEqual([
      { party: 'openai', account: 'compute-expense', amount: 1234n },
      { party: 'openai', account: 'cash', amount: -1234n },
      { party: 'microsoft', account: 'cash', amount: 1234n },
      { party: 'microsoft', account: 'compute-revenue', amount: -1234n },
    ]);
    expect(t.flows).toEqual([{ from: 'openai', to: 'microsoft', amount: 1234n }]);
  });

  it('refuses postings that do not add up to zero', () => {
    expect(() =>
      transaction({
        period: JAN,
        kind: 'compute',
        key: 'x',
        memo: '',
        subject: {},
        postings: [
          { party: 'a', account: 'cash', amount: 100n },
          { party: 'b', account: 'cash', amount: -99n },
        ],
        flows: [],
      }),
    ).toThrow(UnbalancedTransactionError);
  });

  it('refuses postings that balance overall but not for each party', () => {
    expect(() =>
      transaction({
        period: JAN,
        kind: 'compute',
        key: 'x',
        memo: '',
        subject: {},
        postings: [
          { party: 'a', account: 'cash', amount: 100n },
          { party: 'b', account: 'cash', amount: -100n },
        ],
        flows: [],
      }),
    ).toThrow('does not balance for party a: off by 100 cents');
  });

  it('posts nothing for a zero payment', () => {
    expect(payment('a', 'compute-expense', 'b', 'compute-revenue', 0n)).toEqual({
      postings: [],
      flows: [],
    });
  });
});

describe('balances', () => {
  const t = (period: typeof JAN, amount: bigint, key: string) =>
    transaction({
      period,
      kind: 'compute',
      key,
      memo: '',
      subject: {},
      ...payment('lab', 'compute-expense', 'cloud', 'compute-revenue', amount),
    });

  it('sums the postings of every account, up to a month when asked', () => {
    const journal = [t(JAN, 100n, 'a'), t(FEB, 50n, 'b')];
    expect(balances(journal).map((b) => [b.party, b.account, b.kind, b.balance])).toEqual([
      ['cloud', 'cash', 'asset', 150n],
      ['cloud', 'compute-revenue', 'revenue', -150n],
      ['lab', 'cash', 'asset', -150n],
      ['lab', 'compute-expense', 'expense', 150n],
    ]);
    expect(balances(journal, JAN).map((b) => b.balance)).toEqual([100n, -100n, -100n, 100n]);
  });

  it('orders a journal by month, then kind, then id', () => {
    const call = transaction({
      period: FEB,
      kind: 'capital-call',
      key: 'sg',
      memo: '',
      subject: {},
      ...payment('fund', 'investment', 'sg', 'paid-in-capital', 5n),
    });
    const sorted = sortTransactions([t(FEB, 1n, 'b'), call, t(JAN, 1n, 'z'), t(FEB, 1n, 'a')]);
    expect(sorted.map((x) => x.id)).toEqual([
      '2026-01/compute/z',
      '2026-02/capital-call/sg',
      '2026-02/compute/a',
      '2026-02/compute/b',
    ]);
  });
});

describe('splitCents', () => {
  it('gives every cent to someone, the largest remainders first', () => {
    expect(splitCents(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(splitCents(1n, [40n, 40n, 10n, 10n])).toEqual([1n, 0n, 0n, 0n]);
    expect(splitCents(10_000n, [40n, 40n, 10n, 10n])).toEqual([4_000n, 4_000n, 1_000n, 1_000n]);
    expect(splitCents(7n, [3n, 0n, 1n])).toEqual([5n, 0n, 2n]);
    expect(splitCents(-100n, [1n, 1n, 1n])).toEqual([-34n, -33n, -33n]);
    expect(splitCents(100n, [0n, 0n])).toEqual([0n, 0n]);
  });
});

describe('percentOf', () => {
  it('rounds half up to the cent, exactly', () => {
    expect(percentOf(100_001n, 20)).toBe(20_000n); // 20% of $1,000.01 = $200.002
    expect(percentOf(100_003n, 50)).toBe(50_002n); // $500.015 rounds up
    expect(percentOf(1_000n, 12.345)).toBe(123n); // $1.2345
    expect(percentOf(1_000n, 0)).toBe(0n);
    expect(percentOf(1_000n, 100)).toBe(1_000n);
  });
});
