import type { Cents } from '../money.js';
import { compareText } from '../order.js';
import type { Period } from '../period.js';
import { formatPeriod } from '../period.js';

/**
 * The double-entry journal: accounts belong to parties, a transaction is a list of postings
 * in integer cents (debit positive, credit negative) that add up to zero — overall and for
 * every party on its own, since a payment between two parties is an expense and a cash
 * outflow in the payer's books and a cash inflow and a revenue in the payee's.
 */

export type AccountKind = 'asset' | 'equity' | 'revenue' | 'expense';

/** The accounts a party may hold, in the order reports list them. */
export const ACCOUNTS = {
  cash: 'asset',
  investment: 'asset',
  construction: 'asset',
  'paid-in-capital': 'equity',
  'compute-revenue': 'revenue',
  'take-or-pay-revenue': 'revenue',
  'construction-revenue': 'revenue',
  sales: 'revenue',
  'revenue-share-income': 'revenue',
  'compute-expense': 'expense',
  'take-or-pay-expense': 'expense',
  purchases: 'expense',
  'revenue-share-expense': 'expense',
} as const satisfies Record<string, AccountKind>;

export type AccountName = keyof typeof ACCOUNTS;

const ACCOUNT_ORDER = new Map(Object.keys(ACCOUNTS).map((name, index) => [name, index]));

/** One line of a transaction: `amount` > 0 debits the account, < 0 credits it. */
export interface Posting {
  readonly party: string;
  readonly account: AccountName;
  readonly amount: Cents;
}

/** Money that changed hands: the payer's cash went down and the payee's went up. */
export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly amount: Cents;
}

export type TransactionKind =
  'capital-call' | 'capex' | 'revenue' | 'revenue-share' | 'compute' | 'take-or-pay';

/** The order of kinds within a month: capital comes in before capex goes out. */
export const TRANSACTION_KINDS: readonly TransactionKind[] = [
  'capital-call',
  'capex',
  'revenue',
  'revenue-share',
  'compute',
  'take-or-pay',
];

/** What a transaction is about, for reports and for people reading the journal. */
export interface TransactionSubject {
  readonly provider?: string;
  readonly contract?: string;
  readonly term?: string;
  readonly building?: string;
  readonly stream?: string;
}

export interface Transaction {
  /** Unique and stable: `2026-03/compute/azure`. */
  readonly id: string;
  readonly period: Period;
  readonly kind: TransactionKind;
  readonly memo: string;
  readonly subject: TransactionSubject;
  readonly postings: readonly Posting[];
  readonly flows: readonly Flow[];
}

/** A transaction's postings do not add up to zero: a defect in the code that built it. */
export class UnbalancedTransactionError extends Error {
  constructor(id: string, what: string, imbalance: Cents) {
    super(`transaction ${id} does not balance${what}: off by ${imbalance} cents`);
    this.name = 'UnbalancedTransactionError';
  }
}

/**
 * Builds a transaction and checks that it balances, overall and per party. Throws
 * `UnbalancedTransactionError` when it does not: that is a defect, never a user's mistake.
 */
export function transaction(fields: {
  period: Period;
  kind: TransactionKind;
  key: string;
  memo: string;
  subject: TransactionSubject;
  postings: readonly Posting[];
  flows: readonly Flow[];
}): Transaction {
  const id = `${formatPeriod(fields.period)}/${fields.kind}/${fields.key}`;
  const byParty = new Map<string, Cents>();
  for (const posting of fields.postings) {
    byParty.set(posting.party, (byParty.get(posting.party) ?? 0n) + posting.amount);
  }
  const total = [...byParty.values()].reduce((sum, amount) => sum + amount, 0n);
  if (total !== 0n) throw new UnbalancedTransactionError(id, '', total);
  for (const [party, amount] of byParty) {
    if (amount !== 0n) throw new UnbalancedTransactionError(id, ` for party ${party}`, amount);
  }
  return {
    id,
    period: fields.period,
    kind: fields.kind,
    memo: fields.memo,
    subject: fields.subject,
    postings: fields.postings,
    flows: fields.flows,
  };
}

/**
 * A payment of `amount` from `payer` to `payee`: the payer debits `payerAccount` (an expense
 * or an asset it buys) and credits cash; the payee debits cash and credits `payeeAccount`.
 * Returns no postings for a zero amount.
 */
export function payment(
  payer: string,
  payerAccount: AccountName,
  payee: string,
  payeeAccount: AccountName,
  amount: Cents,
): { postings: Posting[]; flows: Flow[] } {
  if (amount === 0n) return { postings: [], flows: [] };
  return {
    postings: [
      { party: payer, account: payerAccount, amount },
      { party: payer, account: 'cash', amount: -amount },
      { party: payee, account: 'cash', amount },
      { party: payee, account: payeeAccount, amount: -amount },
    ],
    flows: [{ from: payer, to: payee, amount }],
  };
}

/** An account's balance: debits minus credits. */
export interface Balance {
  readonly party: string;
  readonly account: AccountName;
  readonly kind: AccountKind;
  readonly balance: Cents;
}

/**
 * The balance of every account that has postings, up to and including `upTo` when given:
 * the sum of its postings. Sorted by party, then in the order of `ACCOUNTS`.
 */
export function balances(transactions: readonly Transaction[], upTo?: Period): Balance[] {
  const sums = new Map<string, { party: string; account: AccountName; balance: Cents }>();
  for (const t of transactions) {
    if (upTo !== undefined && t.period > upTo) continue;
    for (const posting of t.postings) {
      const key = `${posting.party}\u0000${posting.account}`;
      const entry = sums.get(key);
      if (entry) entry.balance += posting.amount;
      else
        sums.set(key, { party: posting.party, account: posting.account, balance: posting.amount });
    }
  }
  return [...sums.values()]
    .map((entry) => ({ ...entry, kind: ACCOUNTS[entry.account] }))
    .sort(
      (a, b) =>
        compareText(a.party, b.party) ||
        (ACCOUNT_ORDER.get(a.account) ?? 0) - (ACCOUNT_ORDER.get(b.account) ?? 0),
    );
}

/** Sorts transactions by month, then kind (`TRANSACTION_KINDS`), then id. */
export function sortTransactions(transactions: Transaction[]): Transaction[] {
  const order = new Map(TRANSACTION_KINDS.map((kind, index) => [kind, index]));
  return transactions.sort(
    (a, b) =>
      a.period - b.period ||
      (order.get(a.kind) ?? 0) - (order.get(b.kind) ?? 0) ||
      compareText(a.id, b.id),
  );
}
