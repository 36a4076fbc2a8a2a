import type { LedgerReport } from '../../core/ledger/report.js';
import { formatUSD, formatUSDCompact } from '../../core/money.js';
import { formatPeriod, formatRange } from '../../core/period.js';
import { renderTable } from '../table.js';
import { percent, usdCell } from './units.js';

/** Where the plan behind a ledger came from, in words: "planned now: exact, optimal". */
export type PlanSource = string;

const KIND_WORDS: Record<string, string> = {
  'capital-call': 'capital',
  capex: 'capex',
  revenue: 'revenue',
  'revenue-share': 'revenue share',
  compute: 'compute',
  'take-or-pay': 'take-or-pay',
};

/** Above this many buckets, flows are listed one row per bucket instead of a column each. */
const MAX_FLOW_COLUMNS = 8;

/**
 * The ledger for people: capital called against committed, flows between parties, the
 * burn-down of take-or-pay commitments, balances, and the check that the books balance.
 */
export function formatLedgerText(report: LedgerReport, source: PlanSource): string {
  const out: string[] = [];
  const end = formatPeriod(report.horizon.to);
  out.push(
    `Ledger for ${report.scenario}: ${formatRange(report.horizon)}, by ${report.by}; plan ${source}`,
  );
  out.push('');
  out.push(...capitalSection(report, end));
  out.push(...flowSection(report));
  out.push(...commitmentSection(report));
  out.push(...balanceSection(report, end));
  if (report.notes.length > 0) {
    out.push('Notes');
    for (const note of report.notes) out.push(`  - ${note}`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The headline of the capital plan, e.g. "Called $203.0B of $500.0B total (40.6%) by 2030-12". */
export function capitalHeadline(report: LedgerReport): string[] {
  const capital = report.capital;
  if (!capital) return [];
  const end = formatPeriod(report.horizon.to);
  const lines = [
    `Called ${formatUSDCompact(capital.called)} of ${formatUSDCompact(capital.total)} total (${percent(ratio(capital.called, capital.total))}) by ${end}; committed ${formatUSDCompact(capital.committed)}, of which ${formatUSDCompact(capital.committed - capital.called)} not yet called.`,
  ];
  lines.push(
    capital.initialCalledBy === undefined
      ? `The ${formatUSDCompact(capital.initial)} initial commitment is not fully called by ${end}: ${formatUSDCompact(capital.called)} (${percent(ratio(capital.called, capital.initial))}).`
      : `The ${formatUSDCompact(capital.initial)} initial commitment was fully called by ${formatPeriod(capital.initialCalledBy)}.`,
  );
  const headroom = capital.total - capital.committed;
  if (headroom > 0n)
    lines.push(`${formatUSDCompact(headroom)} of the total is not committed by ${end}.`);
  if (capital.largestFundingGap > 0n) {
    lines.push(
      `Capex outran committed capital: a funding gap of up to ${formatUSDCompact(capital.largestFundingGap)}.`,
    );
  }
  return lines;
}

function capitalSection(report: LedgerReport, end: string): string[] {
  const capital = report.capital;
  if (!capital) return ['Capital: no programme in the scenario.', ''];
  const out: string[] = [];
  const funders = capital.funders.map((f) => `${f.party} ${f.equityPercent}%`).join(', ');
  const paidTo =
    capital.contractor === report.external
      ? `suppliers and builders outside the model (${report.external})`
      : capital.contractor;
  out.push(
    `Capital: ${capital.company} calls its funders (${funders}) as its buildings' capex falls due; capex is paid to ${paidTo}`,
  );
  for (const line of capitalHeadline(report)) out.push(`  ${line}`);
  out.push('');
  out.push(
    renderTable(
      [
        report.by.toUpperCase(),
        'COMMITTED',
        'CAPEX DUE',
        'CALLED',
        'CALLED TO DATE',
        'OF TOTAL',
        'FUNDING GAP',
      ],
      capital.rows.map((row) => [
        row.bucket,
        formatUSDCompact(row.committed),
        usdCell(row.capexDue),
        usdCell(row.called),
        formatUSDCompact(row.calledToDate),
        percent(ratio(row.calledToDate, capital.total)),
        usdCell(row.fundingGap),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      '  ',
    ),
  );
  out.push('');
  out.push(
    renderTable(
      ['FUNDER', 'EQUITY', `CALLED BY ${end}`, 'OF CALLS'],
      capital.funders.map((f) => [
        f.party,
        `${f.equityPercent}%`,
        formatUSDCompact(f.called),
        percent(ratio(f.called, capital.called), 2),
      ]),
      ['left', 'right', 'right', 'right'],
      '  ',
    ),
  );
  out.push('');
  return out;
}

function flowSection(report: LedgerReport): string[] {
  if (report.flows.length === 0) return ['Flows between parties: none.', ''];
  const out = ['Flows between parties (who paid whom)'];
  const wide = report.buckets.length <= MAX_FLOW_COLUMNS;
  if (wide) {
    out.push(
      renderTable(
        ['FROM', 'TO', 'FOR', ...report.buckets.map((b) => b.label), 'TOTAL'],
        report.flows.map((f) => [
          f.from,
          f.to,
          KIND_WORDS[f.kind] ?? f.kind,
          ...f.byBucket.map(usdCell),
          formatUSDCompact(f.total),
        ]),
        ['left', 'left', 'left', ...report.buckets.map(() => 'right' as const), 'right'],
        '  ',
      ),
    );
  } else {
    out.push(
      renderTable(
        ['FROM', 'TO', 'FOR', 'TOTAL'],
        report.flows.map((f) => [
          f.from,
          f.to,
          KIND_WORDS[f.kind] ?? f.kind,
          formatUSDCompact(f.total),
        ]),
        ['left', 'left', 'left', 'right'],
        '  ',
      ),
    );
    out.push('');
    out.push(`  By ${report.by}`);
    const rows: string[][] = [];
    report.buckets.forEach((bucket, index) => {
      for (const f of report.flows) {
        const amount = f.byBucket[index] ?? 0n;
        if (amount !== 0n) {
          rows.push([
            bucket.label,
            f.from,
            f.to,
            KIND_WORDS[f.kind] ?? f.kind,
            formatUSDCompact(amount),
          ]);
        }
      }
    });
    out.push(
      renderTable(
        [report.by.toUpperCase(), 'FROM', 'TO', 'FOR', 'AMOUNT'],
        rows,
        ['left', 'left', 'left', 'left', 'right'],
        '  ',
      ),
    );
  }
  out.push('');
  out.push(
    renderTable(
      ['PARTY', 'RECEIVED', 'PAID', 'NET'],
      report.partyTotals
        .filter((p) => p.received !== 0n || p.paid !== 0n)
        .map((p) => [
          p.party,
          usdCell(p.received),
          usdCell(p.paid),
          formatUSDCompact(p.received - p.paid),
        ]),
      ['left', 'right', 'right', 'right'],
      '  ',
    ),
  );
  out.push('');
  return out;
}

function commitmentSection(report: LedgerReport): string[] {
  if (report.commitments.length === 0) return ['Take-or-pay commitments: none.', ''];
  const out = ['Take-or-pay commitments (burn-down)'];
  for (const c of report.commitments) {
    out.push(
      `  ${c.term} of ${c.contract}: at least ${formatUSDCompact(c.minSpend)} on ${c.provider} over ${formatRange(c.range)}; spent ${formatUSDCompact(c.spend)} (${percent(ratio(c.spend, c.minSpend))})`,
    );
    out.push(
      renderTable(
        [report.by.toUpperCase(), 'SPEND', 'SPENT TO DATE', 'OF MINIMUM', 'STILL TO SPEND'],
        c.rows.map((row) => [
          row.bucket,
          usdCell(row.spend),
          formatUSDCompact(row.spendToDate),
          percent(ratio(row.spendToDate, c.minSpend)),
          usdCell(row.remaining),
        ]),
        ['left', 'right', 'right', 'right', 'right'],
        '  ',
      ),
    );
    out.push(
      c.shortfall === 0n
        ? '  Met: no shortfall.'
        : `  Short: ${formatUSD(c.shortfall)} paid to ${c.party} in ${formatPeriod(c.range.to)} (take-or-pay).`,
    );
    out.push('');
  }
  return out;
}

function balanceSection(report: LedgerReport, end: string): string[] {
  const out = [`Balances at ${end} (debit +, credit −)`];
  out.push(
    renderTable(
      ['PARTY', 'ACCOUNT', 'KIND', 'BALANCE'],
      report.balances.map((b) => [b.party, b.account, b.kind, formatUSDCompact(b.balance)]),
      ['left', 'left', 'left', 'right'],
      '  ',
    ),
  );
  const t = report.totals;
  out.push(
    `  Every transaction balances: ${t.transactions} transactions, ${t.postings} postings; debits ${formatUSD(t.debits)} = credits ${formatUSD(t.credits)}.`,
  );
  out.push('');
  return out;
}

function ratio(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number(part) / Number(whole);
}
