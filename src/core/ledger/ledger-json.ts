import { csvLine } from '../format.js';
import { centsToNumber as usd } from '../money.js';
import type { Period } from '../period.js';
import { formatPeriod } from '../period.js';
import type { Ledger } from './build.js';
import type { LedgerReport } from './report.js';

const month = (period: Period) => formatPeriod(period);

/**
 * The ledger as one JSON document: the report (capital, flows, commitments, balances) and
 * the whole journal, amounts in USD with cents. Keys and rows in a fixed order, so the same
 * input gives the same bytes.
 */
export function ledgerToJson(report: LedgerReport, ledger: Ledger, plan: Record<string, string>) {
  return { ...ledgerReportToJson(report, plan), transactions: journalToJson(ledger) };
}

/**
 * The report without the journal: what a reader of the books' totals needs (the journal is
 * most of the document, ~95 % of the example's), for `GET /v1/ledger?journal=false`.
 */
export function ledgerReportToJson(report: LedgerReport, plan: Record<string, string>) {
  const capital = report.capital;
  return {
    scenario: report.scenario,
    horizon: { from: month(report.horizon.from), to: month(report.horizon.to) },
    by: report.by,
    plan,
    parties: report.parties.map((p) => ({
      id: p.id,
      name: p.name,
      roles: [...p.roles],
      ...(p.providers.length > 0 ? { providers: [...p.providers] } : {}),
      ...(p.equityPercent === undefined ? {} : { equityPercent: p.equityPercent }),
      implicit: p.implicit,
    })),
    capital: capital
      ? {
          company: capital.company,
          contractor: capital.contractor,
          start: month(capital.start),
          initialUSD: usd(capital.initial),
          totalUSD: usd(capital.total),
          committedUSD: usd(capital.committed),
          calledUSD: usd(capital.called),
          capexDueUSD: usd(capital.capexDue),
          initialCalledBy:
            capital.initialCalledBy === undefined ? null : month(capital.initialCalledBy),
          largestFundingGapUSD: usd(capital.largestFundingGap),
          funders: capital.funders.map((f) => ({
            party: f.party,
            equityPercent: f.equityPercent,
            calledUSD: usd(f.called),
          })),
          periods: capital.rows.map((row) => ({
            period: row.bucket,
            committedUSD: usd(row.committed),
            capexDueUSD: usd(row.capexDue),
            calledUSD: usd(row.called),
            calledToDateUSD: usd(row.calledToDate),
            fundingGapUSD: usd(row.fundingGap),
          })),
        }
      : null,
    flows: report.flows.map((f) => ({
      from: f.from,
      to: f.to,
      kind: f.kind,
      totalUSD: usd(f.total),
      periods: report.buckets.map((b, index) => ({
        period: b.label,
        amountUSD: usd(f.byBucket[index] ?? 0n),
      })),
    })),
    partyTotals: report.partyTotals.map((p) => ({
      party: p.party,
      receivedUSD: usd(p.received),
      paidUSD: usd(p.paid),
    })),
    commitments: report.commitments.map((c) => ({
      contract: c.contract,
      term: c.term,
      provider: c.provider,
      party: c.party,
      minSpendUSD: usd(c.minSpend),
      window: { from: month(c.range.from), to: month(c.range.to) },
      spendUSD: usd(c.spend),
      shortfallUSD: usd(c.shortfall),
      ...(c.planShortfall === undefined ? {} : { planShortfallUSD: usd(c.planShortfall) }),
      periods: c.rows.map((row) => ({
        period: row.bucket,
        spendUSD: usd(row.spend),
        spendToDateUSD: usd(row.spendToDate),
        remainingUSD: usd(row.remaining),
      })),
    })),
    balances: report.balances.map((b) => ({
      party: b.party,
      account: b.account,
      kind: b.kind,
      balanceUSD: usd(b.balance),
    })),
    totals: {
      transactions: report.totals.transactions,
      postings: report.totals.postings,
      debitsUSD: usd(report.totals.debits),
      creditsUSD: usd(report.totals.credits),
    },
    notes: [...report.notes],
  };
}

/** Every transaction of the journal with its postings. */
function journalToJson(ledger: Ledger) {
  return ledger.transactions.map((t) => ({
    id: t.id,
    period: month(t.period),
    kind: t.kind,
    memo: t.memo,
    postings: t.postings.map((p) => ({
      party: p.party,
      account: p.account,
      amountUSD: usd(p.amount),
    })),
  }));
}

/**
 * The ledger as one tidy CSV table (`section,period,party,counterparty,item,ref,amountUSD`),
 * every section in it — capital, flows, commitments, balances and every posting of the
 * journal — so that a spreadsheet pivot gives any view.
 */
export function ledgerToCsv(report: LedgerReport, ledger: Ledger): string {
  const lines = [
    csvLine(['section', 'period', 'party', 'counterparty', 'item', 'ref', 'amountUSD']),
  ];
  const row = (
    section: string,
    period: string,
    party: string,
    counterparty: string,
    item: string,
    ref: string,
    cents: bigint,
  ) =>
    lines.push(csvLine([section, period, party, counterparty, item, ref, usd(cents).toFixed(2)]));
  const capital = report.capital;
  if (capital) {
    for (const r of capital.rows) {
      row('capital', r.bucket, capital.company, '', 'committed', '', r.committed);
      row('capital', r.bucket, capital.company, '', 'capex-due', '', r.capexDue);
      row('capital', r.bucket, capital.company, '', 'called', '', r.called);
      row('capital', r.bucket, capital.company, '', 'called-to-date', '', r.calledToDate);
      row('capital', r.bucket, capital.company, '', 'funding-gap', '', r.fundingGap);
    }
  }
  for (const f of report.flows) {
    report.buckets.forEach((b, index) => {
      const amount = f.byBucket[index] ?? 0n;
      if (amount !== 0n) row('flow', b.label, f.from, f.to, f.kind, '', amount);
    });
  }
  for (const c of report.commitments) {
    const ref = `${c.contract}/${c.term}`;
    for (const r of c.rows) {
      row('commitment', r.bucket, c.party, c.provider, 'spend', ref, r.spend);
      row('commitment', r.bucket, c.party, c.provider, 'spend-to-date', ref, r.spendToDate);
      row('commitment', r.bucket, c.party, c.provider, 'remaining', ref, r.remaining);
    }
  }
  const end = formatPeriod(report.horizon.to);
  for (const b of report.balances) row('balance', end, b.party, '', b.account, b.kind, b.balance);
  for (const t of ledger.transactions) {
    for (const p of t.postings) {
      row('posting', month(t.period), p.party, '', p.account, t.id, p.amount);
    }
  }
  return `${lines.join('\n')}\n`;
}
