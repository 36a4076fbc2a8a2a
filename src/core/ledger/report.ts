import type { Cents } from '../money.js';
import { compareText } from '../order.js';
import type { Period, PeriodRange } from '../period.js';
import { formatPeriod, formatQuarter, monthOf, yearOf } from '../period.js';
import type { CommitmentBurn, Ledger } from './build.js';
import type { Balance, TransactionKind } from './journal.js';
import { balances } from './journal.js';
import type { LedgerParty } from './parties.js';

export type BucketSize = 'month' | 'quarter' | 'year';

/** A reporting period: a month, a quarter or a year, clipped to the horizon. */
export interface Bucket {
  /** `2026-03`, `2026-Q1` or `2026`. */
  readonly label: string;
  readonly from: Period;
  readonly to: Period;
}

/**
 * The buckets that cover a range, in order; the first and last may be partial.
 *
 * @example bucketsOf({ from: 2025-11, to: 2026-02 }, 'quarter') // 2025-Q4 (Nov–Dec), 2026-Q1 (Jan–Feb)
 */
export function bucketsOf(range: PeriodRange, size: BucketSize): Bucket[] {
  const buckets: Bucket[] = [];
  let from = range.from;
  while (from <= range.to) {
    const months = size === 'month' ? 1 : size === 'quarter' ? 3 : 12;
    const within =
      size === 'year' ? monthOf(from) - 1 : size === 'quarter' ? (monthOf(from) - 1) % 3 : 0;
    const end = Math.min(range.to, from - within + months - 1) as Period;
    const label =
      size === 'month'
        ? formatPeriod(from)
        : size === 'quarter'
          ? formatQuarter(from)
          : String(yearOf(from));
    buckets.push({ label, from, to: end });
    from = (end + 1) as Period;
  }
  return buckets;
}

/** Money between two parties of one kind, in total and per bucket. */
export interface FlowLine {
  readonly from: string;
  readonly to: string;
  readonly kind: TransactionKind;
  readonly total: Cents;
  readonly byBucket: readonly Cents[];
}

export interface CapitalRow {
  readonly bucket: string;
  readonly to: Period;
  /** Committed by the end of the bucket. */
  readonly committed: Cents;
  readonly capexDue: Cents;
  readonly called: Cents;
  readonly calledToDate: Cents;
  readonly fundingGap: Cents;
}

export interface CapitalReport {
  readonly company: string;
  readonly contractor: string;
  readonly start: Period;
  readonly initial: Cents;
  readonly total: Cents;
  /** Committed by the end of the horizon. */
  readonly committed: Cents;
  /** Called by the end of the horizon. */
  readonly called: Cents;
  readonly capexDue: Cents;
  /** The month the called total reached the initial commitment, if it did. */
  readonly initialCalledBy?: Period;
  readonly largestFundingGap: Cents;
  readonly funders: readonly {
    readonly party: string;
    readonly equityPercent: number;
    readonly called: Cents;
  }[];
  readonly rows: readonly CapitalRow[];
}

export interface CommitmentRow {
  readonly bucket: string;
  readonly to: Period;
  readonly spend: Cents;
  readonly spendToDate: Cents;
  /** What is still to spend to reach the minimum, at the end of the bucket. */
  readonly remaining: Cents;
}

export interface CommitmentReport {
  readonly contract: string;
  readonly term: string;
  readonly provider: string;
  readonly party: string;
  readonly minSpend: Cents;
  readonly range: PeriodRange;
  readonly spend: Cents;
  readonly shortfall: Cents;
  readonly planShortfall?: Cents;
  readonly rows: readonly CommitmentRow[];
}

export interface PartyTotals {
  readonly party: string;
  /** Cash received from other parties. */
  readonly received: Cents;
  /** Cash paid to other parties. */
  readonly paid: Cents;
}

/** The ledger summed up for people: balances, flows, capital, commitments. */
export interface LedgerReport {
  readonly scenario: string;
  readonly horizon: PeriodRange;
  readonly by: BucketSize;
  readonly buckets: readonly Bucket[];
  readonly parties: readonly LedgerParty[];
  /** The outside world's party id. */
  readonly external: string;
  readonly balances: readonly Balance[];
  readonly partyTotals: readonly PartyTotals[];
  readonly flows: readonly FlowLine[];
  readonly capital?: CapitalReport;
  readonly commitments: readonly CommitmentReport[];
  readonly totals: {
    readonly transactions: number;
    readonly postings: number;
    readonly debits: Cents;
    readonly credits: Cents;
  };
  readonly notes: readonly string[];
}

/** Sums a ledger up by month, quarter or year. Pure. */
export function summarizeLedger(ledger: Ledger, by: BucketSize): LedgerReport {
  const buckets = bucketsOf(ledger.horizon, by);
  const bucketOf = bucketIndex(buckets, ledger.horizon);

  const flows = new Map<
    string,
    { from: string; to: string; kind: TransactionKind; byBucket: Cents[] }
  >();
  const received = new Map<string, Cents>();
  const paid = new Map<string, Cents>();
  let postings = 0;
  let debits = 0n;
  let credits = 0n;
  for (const t of ledger.transactions) {
    const index = bucketOf(t.period);
    for (const p of t.postings) {
      postings++;
      if (p.amount > 0n) debits += p.amount;
      else credits -= p.amount;
    }
    for (const flow of t.flows) {
      if (flow.from === flow.to) continue;
      const key = `${flow.from}\u0000${flow.to}\u0000${t.kind}`;
      let line = flows.get(key);
      if (!line) {
        line = { from: flow.from, to: flow.to, kind: t.kind, byBucket: buckets.map(() => 0n) };
        flows.set(key, line);
      }
      line.byBucket[index] = (line.byBucket[index] ?? 0n) + flow.amount;
      paid.set(flow.from, (paid.get(flow.from) ?? 0n) + flow.amount);
      received.set(flow.to, (received.get(flow.to) ?? 0n) + flow.amount);
    }
  }

  const capital = ledger.capital;
  let capitalReport: CapitalReport | undefined;
  if (capital) {
    const rows = buckets.map((bucket): CapitalRow => {
      const months = capital.months.filter((m) => m.period >= bucket.from && m.period <= bucket.to);
      const last = months[months.length - 1];
      return {
        bucket: bucket.label,
        to: bucket.to,
        committed: last?.committed ?? 0n,
        capexDue: months.reduce((sum, m) => sum + m.capexDue, 0n),
        called: months.reduce((sum, m) => sum + m.called, 0n),
        calledToDate: last?.calledToDate ?? 0n,
        fundingGap: last?.fundingGap ?? 0n,
      };
    });
    const end = capital.months[capital.months.length - 1];
    const reached = capital.months.find(
      (m) => capital.initial > 0n && m.calledToDate >= capital.initial,
    );
    capitalReport = {
      company: capital.company,
      contractor: capital.contractor,
      start: capital.start,
      initial: capital.initial,
      total: capital.total,
      committed: capital.committed,
      called: end?.calledToDate ?? 0n,
      capexDue: capital.months.reduce((sum, m) => sum + m.capexDue, 0n),
      ...(reached ? { initialCalledBy: reached.period } : {}),
      largestFundingGap: capital.months.reduce(
        (max, m) => (m.fundingGap > max ? m.fundingGap : max),
        0n,
      ),
      funders: capital.funders.map((f, index) => ({
        party: f.party,
        equityPercent: f.equityPercent,
        called: capital.months.reduce((sum, m) => sum + (m.byFunder[index] ?? 0n), 0n),
      })),
      rows,
    };
  }

  const order = new Map(ledger.parties.map((p, index) => [p.id, index]));
  const partyOrder = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return {
    scenario: ledger.scenario,
    horizon: ledger.horizon,
    by,
    buckets,
    parties: ledger.parties,
    external: ledger.external,
    balances: balances(ledger.transactions).filter((b) => b.balance !== 0n),
    partyTotals: ledger.parties.map((p) => ({
      party: p.id,
      received: received.get(p.id) ?? 0n,
      paid: paid.get(p.id) ?? 0n,
    })),
    flows: [...flows.values()]
      .map((line) => ({ ...line, total: line.byBucket.reduce((sum, a) => sum + a, 0n) }))
      .sort(
        (a, b) =>
          partyOrder(a.from) - partyOrder(b.from) ||
          partyOrder(a.to) - partyOrder(b.to) ||
          compareText(a.kind, b.kind),
      ),
    ...(capitalReport ? { capital: capitalReport } : {}),
    commitments: ledger.commitments.map((c) => commitmentReport(c, buckets)),
    totals: { transactions: ledger.transactions.length, postings, debits, credits },
    notes: ledger.notes,
  };
}

function commitmentReport(burn: CommitmentBurn, buckets: readonly Bucket[]): CommitmentReport {
  let toDate = 0n;
  const rows: CommitmentRow[] = [];
  for (const bucket of buckets) {
    if (bucket.to < burn.range.from || bucket.from > burn.range.to) continue;
    const spend = burn.spend
      .filter((s) => s.period >= bucket.from && s.period <= bucket.to)
      .reduce((sum, s) => sum + s.amount, 0n);
    toDate += spend;
    rows.push({
      bucket: bucket.label,
      to: bucket.to,
      spend,
      spendToDate: toDate,
      remaining: toDate >= burn.minSpend ? 0n : burn.minSpend - toDate,
    });
  }
  return {
    contract: burn.contract,
    term: burn.term,
    provider: burn.provider,
    party: burn.party,
    minSpend: burn.minSpend,
    range: burn.range,
    spend: toDate,
    shortfall: burn.shortfall,
    ...(burn.planShortfall === undefined ? {} : { planShortfall: burn.planShortfall }),
    rows,
  };
}

/** Maps a period inside the range to the index of its bucket in constant time. */
function bucketIndex(buckets: readonly Bucket[], range: PeriodRange): (period: Period) => number {
  const index = new Int32Array(range.to - range.from + 1);
  buckets.forEach((bucket, b) => {
    for (let p = bucket.from; p <= bucket.to; p++) index[p - range.from] = b;
  });
  return (period) => index[period - range.from] ?? 0;
}
