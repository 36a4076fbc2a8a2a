import type { ClausePrice, ClausePrices } from '../../core/decisions/clause-prices.js';
import { termKey } from '../../core/decisions/clause-prices.js';
import { csvLine, grouped } from '../../core/format.js';
import type { Micros } from '../../core/money.js';
import { formatCentsPlain, formatUSDCompact, toCents } from '../../core/money.js';
import { renderTable } from '../table.js';

const money = (micros: Micros) => formatUSDCompact(toCents(micros));
const signed = (micros: Micros) => {
  const cents = toCents(micros);
  return cents === 0n ? '-' : `${cents > 0n ? '+' : ''}${formatUSDCompact(cents)}`;
};
const months = (n: number) => (n === 0 ? '-' : grouped(n));
const interval = (p: ClausePrice) => `${money(p.interval.low)} – ${money(p.interval.high)}`;
const VERDICT: Record<ClausePrice['verdict'], string> = {
  costs: 'real',
  nothing: 'none',
  'within-gap': 'within gap',
};
const names = (p: ClausePrice) => p.terms.map((t) => t.term).join(' + ');

/**
 * The price of each clause for people: one row per term and per pair (price, interval,
 * components, what moves), then where the money goes and which workloads move.
 */
export function formatClausesText(prices: ClausePrices): string {
  const out: string[] = [];
  const { base } = prices;
  out.push(
    `Price of each clause: ${prices.scenario} (base plan ${base.solver}: total ${money(base.objective.total)}, proven lower bound ${money(base.lowerBound)}; ${prices.solves} re-solves)`,
  );
  out.push(
    'PRICE = base plan less the plan with the term relaxed (a rofr: its pending pools cleared); the interval holds the true difference of the optima.',
  );
  out.push('');
  const row = (p: ClausePrice, type: string) => [
    names(p),
    type,
    money(p.price.total),
    interval(p),
    VERDICT[p.verdict],
    signed(p.price.compute),
    signed(p.price.shortfall),
    signed(p.price.unmet),
    months(p.movedGpuMonths),
    months(p.servedGpuMonths),
  ];
  const header = [
    'PRICE',
    'INTERVAL',
    'VERDICT',
    'COMPUTE',
    'SHORTFALL',
    'UNMET',
    'GPU-MONTHS MOVED',
    'SERVED',
  ];
  const align = ['left', 'left', ...header.map(() => 'right' as const)] as const;
  const types = new Map(prices.terms.map((t) => [termKey(t), t]));
  out.push(
    renderTable(
      ['TERM', 'TYPE', ...header],
      prices.singles.map((p) => {
        const term = types.get(termKey(p.terms[0] ?? { contract: '', term: '' }));
        return row(p, `${term?.type ?? ''}${term?.binds === false ? ' (binds nowhere)' : ''}`);
      }),
      [...align],
    ),
  );
  if (prices.pairs.length > 0) {
    out.push('');
    out.push('Pairs (INTERACTION = the pair less both singles: + the terms reinforce each other)');
    out.push(
      renderTable(
        ['TERMS', 'INTERACTION', ...header],
        prices.pairs.map((p) => row(p, signed(p.interaction ?? 0n))),
        ['left', 'right', ...header.map(() => 'right' as const)],
      ),
    );
  }
  const all = [...prices.singles, ...prices.pairs];
  const moneyRows = all.flatMap((p) =>
    p.providers.map((m) => [
      names(p),
      m.provider,
      signed(m.compute),
      signed(m.shortfall),
      signed(m.total),
    ]),
  );
  out.push('');
  if (moneyRows.length === 0) out.push('Money by provider: no term moves any.');
  else {
    out.push('Where the money goes with the term relaxed (relaxed plan less base, by provider)');
    out.push(
      renderTable(['TERMS', 'PROVIDER', 'COMPUTE', 'SHORTFALL', 'TOTAL'], moneyRows, [
        'left',
        'left',
        'right',
        'right',
        'right',
      ]),
    );
  }
  const workloadRows = prices.singles.flatMap((p) =>
    p.workloads.map((w) => [
      names(p),
      w.workload,
      months(w.movedGpuMonths),
      months(w.servedGpuMonths),
    ]),
  );
  out.push('');
  if (workloadRows.length === 0) out.push('Workloads that move: none, for any single term.');
  else {
    out.push('Workloads that move, single terms (GPU-months placed elsewhere; more served)');
    out.push(
      renderTable(['TERM', 'WORKLOAD', 'MOVED', 'SERVED'], workloadRows, [
        'left',
        'left',
        'right',
        'right',
      ]),
    );
  }
  out.push('');
  out.push(
    prices.ledgerTerms.length === 0
      ? 'Every term shapes placement.'
      : `Priced in the ledger, not here (no effect on placement): ${prices.ledgerTerms
          .map((t) => `${t.term} (${t.type})`)
          .join(', ')}.`,
  );
  return `${out.join('\n')}\n`;
}

/** One CSV row per single and pair, exact cents. */
export function formatClausesCsv(prices: ClausePrices): string {
  const cents = (micros: Micros) => formatCentsPlain(toCents(micros));
  const lines = [
    csvLine([
      'kind',
      'terms',
      'verdict',
      'price_usd',
      'low_usd',
      'high_usd',
      'compute_usd',
      'shortfall_usd',
      'unmet_usd',
      'interaction_usd',
      'moved_gpu_months',
      'served_gpu_months',
      'workloads',
      'providers',
    ]),
  ];
  const push = (kind: string, p: ClausePrice) =>
    lines.push(
      csvLine([
        kind,
        p.terms.map(termKey).join(' + '),
        p.verdict,
        cents(p.price.total),
        cents(p.interval.low),
        cents(p.interval.high),
        cents(p.price.compute),
        cents(p.price.shortfall),
        cents(p.price.unmet),
        p.interaction === undefined ? '' : cents(p.interaction),
        p.movedGpuMonths,
        p.servedGpuMonths,
        p.workloads.map((w) => w.workload).join(' '),
        p.providers.map((m) => `${m.provider}=${cents(m.total)}`).join(' '),
      ]),
    );
  for (const p of prices.singles) push('single', p);
  for (const p of prices.pairs) push('pair', p);
  return `${lines.join('\n')}\n`;
}
