import { formatUSD } from '../money.js';
import type { Cents } from '../money.js';
import type { Contract, RevenueShareTerm, RevenueStream, Scenario } from '../model.js';
import { compareText } from '../order.js';
import type { Period, PeriodRange } from '../period.js';
import { contains, formatPeriod, formatRange, intersect, periodsOf } from '../period.js';
import type { CapexDue, CapitalSchedule } from './capital.js';
import { capexInstalments, capitalSchedule, clipCapex } from './capital.js';
import { certainSlip } from '../forecast/delay.js';
import type { Posting, Transaction } from './journal.js';
import { payment, sortTransactions, transaction } from './journal.js';
import type { LedgerParty, PartyDirectory } from './parties.js';
import { resolveParties } from './parties.js';
import type { ComputeSpend, PlanMoney } from './plan-money.js';
import { percentOf, wholeCents } from './split.js';

/** A take-or-pay commitment, month by month: the burn-down towards its minimum. */
export interface CommitmentBurn {
  readonly contract: string;
  readonly term: string;
  readonly provider: string;
  /** The party paid: the provider's party. */
  readonly party: string;
  readonly minSpend: Cents;
  /** The term's window within the contract's effective range and the horizon. */
  readonly range: PeriodRange;
  /** Compute spend on the provider in each month of the range. */
  readonly spend: readonly { readonly period: Period; readonly amount: Cents }[];
  /** Paid at the end of the range when spend fell short of the minimum. */
  readonly shortfall: Cents;
  /** The plan's own figure, when the plan reported one (it may differ by rounding). */
  readonly planShortfall?: Cents;
}

/** The books of a scenario and its plan. */
export interface Ledger {
  readonly scenario: string;
  readonly horizon: PeriodRange;
  readonly parties: readonly LedgerParty[];
  readonly lab: string;
  readonly external: string;
  /** Sorted by month, then kind, then id. */
  readonly transactions: readonly Transaction[];
  /** The capital plan, when the scenario has a programme. */
  readonly capital?: CapitalSchedule;
  readonly commitments: readonly CommitmentBurn[];
  /** What was assumed or left out, in words. */
  readonly notes: readonly string[];
}

/**
 * Builds the double-entry books of a scenario and the money of its plan, in cents:
 *
 * - compute: the lab pays each provider's party its spend, month by month;
 * - take-or-pay: at the end of a commitment's range, the lab pays any shortfall;
 * - revenue: outside customers pay each revenue stream's party its monthly amount;
 * - revenue share: each `revenue-share` term moves its percentage of the stream, every month
 *   the stream, the contract and the horizon have in common — in both directions when the
 *   contract has terms both ways;
 * - capex: a building's owner (the party of its site's provider) pays the contractor (or
 *   outside suppliers) as the capex falls due;
 * - capital calls: the programme's funders pay the company, pro rata to equity, as its
 *   buildings' capex falls due, within the capital committed so far.
 *
 * Every transaction balances, overall and per party (see `transaction`). Pure.
 */
export function buildLedger(scenario: Scenario, money: PlanMoney): Ledger {
  const directory = resolveParties(scenario);
  const notes: string[] = [];
  const transactions: Transaction[] = [];
  const horizon = scenario.horizon;

  // One invoice per provider and month, however the plan's rows were cut.
  const invoices = new Map<string, ComputeSpend>();
  for (const row of money.compute) {
    if (!contains(horizon, row.period)) continue;
    const key = `${row.provider}\u0000${row.period}`;
    const amount = (invoices.get(key)?.amount ?? 0n) + row.amount;
    invoices.set(key, { provider: row.provider, period: row.period, amount });
  }
  for (const row of invoices.values()) {
    if (row.amount === 0n) continue;
    const payee = directory.partyOf(row.provider);
    transactions.push(
      transaction({
        period: row.period,
        kind: 'compute',
        key: row.provider,
        memo: `compute on ${row.provider}`,
        subject: { provider: row.provider },
        ...payment(directory.lab, 'compute-expense', payee, 'compute-revenue', row.amount),
      }),
    );
  }

  const commitments = takeOrPay(scenario, money, directory, transactions, notes);
  revenue(scenario, directory, transactions, notes);
  const capital = capex(scenario, directory, transactions, notes);

  return {
    scenario: scenario.name,
    horizon,
    parties: directory.parties,
    lab: directory.lab,
    external: directory.external,
    transactions: sortTransactions(transactions),
    ...(capital === undefined ? {} : { capital }),
    commitments,
    notes,
  };
}

function takeOrPay(
  scenario: Scenario,
  money: PlanMoney,
  directory: PartyDirectory,
  transactions: Transaction[],
  notes: string[],
): CommitmentBurn[] {
  const burns: CommitmentBurn[] = [];
  for (const contract of scenario.contracts) {
    for (const term of contract.terms) {
      if (term.type !== 'commitment') continue;
      const inContract = intersect(term.window, contract.effective);
      const range = inContract && intersect(inContract, scenario.horizon);
      if (!range) {
        notes.push(
          `commitment term ${term.id} of ${contract.id} lies outside the horizon; nothing posted`,
        );
        continue;
      }
      const perMonth = new Map<Period, Cents>();
      for (const row of money.compute) {
        if (row.provider !== term.provider || !contains(range, row.period)) continue;
        perMonth.set(row.period, (perMonth.get(row.period) ?? 0n) + row.amount);
      }
      const spend = periodsOf(range).map((period) => ({
        period,
        amount: perMonth.get(period) ?? 0n,
      }));
      const total = spend.reduce((sum, s) => sum + s.amount, 0n);
      const minSpend = wholeCents(term.minSpend);
      const shortfall = total >= minSpend ? 0n : minSpend - total;
      const party = directory.partyOf(term.provider);
      const reported = money.shortfalls.find(
        (s) => s.contract === contract.id && s.term === term.id,
      );
      burns.push({
        contract: contract.id,
        term: term.id,
        provider: term.provider,
        party,
        minSpend,
        range,
        spend,
        shortfall,
        ...(reported ? { planShortfall: reported.shortfall } : {}),
      });
      if (shortfall === 0n) continue;
      transactions.push(
        transaction({
          period: range.to,
          kind: 'take-or-pay',
          key: `${contract.id}/${term.id}`,
          memo: `take-or-pay shortfall of ${term.id} (${contract.id}): minimum ${formatUSD(minSpend)} over ${formatRange(range)}, spent ${formatUSD(total)}`,
          subject: { provider: term.provider, contract: contract.id, term: term.id },
          ...payment(directory.lab, 'take-or-pay-expense', party, 'take-or-pay-revenue', shortfall),
        }),
      );
    }
  }
  return burns.sort((a, b) => compareText(a.contract, b.contract) || compareText(a.term, b.term));
}

function revenue(
  scenario: Scenario,
  directory: PartyDirectory,
  transactions: Transaction[],
  notes: string[],
): void {
  const horizon = scenario.horizon;
  for (const stream of scenario.revenueStreams) {
    for (const { range, monthly } of stream.amounts) {
      const inside = intersect(range, horizon);
      if (!inside || monthly === 0n) continue;
      for (const period of periodsOf(inside)) {
        transactions.push(
          transaction({
            period,
            kind: 'revenue',
            key: stream.id,
            memo: `revenue ${stream.name ?? stream.id}`,
            subject: { stream: stream.id },
            ...payment(directory.external, 'purchases', stream.party, 'sales', wholeCents(monthly)),
          }),
        );
      }
    }
  }

  for (const contract of scenario.contracts) {
    for (const term of contract.terms) {
      if (term.type !== 'revenue-share') continue;
      const stream = streamOf(scenario.revenueStreams, term);
      if (!stream) {
        notes.push(
          `revenue-share term ${term.id} of ${contract.id}: no revenue stream "${term.stream}" gives amounts; nothing posted`,
        );
        continue;
      }
      shareStream(contract, term, stream, horizon, transactions);
    }
  }
}

function shareStream(
  contract: Contract,
  term: RevenueShareTerm,
  stream: RevenueStream,
  horizon: PeriodRange,
  transactions: Transaction[],
): void {
  const during = intersect(contract.effective, horizon);
  if (!during) return;
  for (const { range, monthly } of stream.amounts) {
    const inside = intersect(range, during);
    if (!inside) continue;
    const amount = percentOf(wholeCents(monthly), term.percent);
    if (amount === 0n) continue;
    for (const period of periodsOf(inside)) {
      transactions.push(
        transaction({
          period,
          kind: 'revenue-share',
          key: `${contract.id}/${term.id}`,
          memo: `${term.percent}% of ${stream.name ?? stream.id} (${term.id} of ${contract.id})`,
          subject: { contract: contract.id, term: term.id, stream: stream.id },
          ...payment(term.from, 'revenue-share-expense', term.to, 'revenue-share-income', amount),
        }),
      );
    }
  }
}

/** The stream a term names, by id first, then by name. */
export function streamOf(
  streams: readonly RevenueStream[],
  term: RevenueShareTerm,
): RevenueStream | undefined {
  return streams.find((s) => s.id === term.stream) ?? streams.find((s) => s.name === term.stream);
}

function capex(
  scenario: Scenario,
  directory: PartyDirectory,
  transactions: Transaction[],
  notes: string[],
): CapitalSchedule | undefined {
  const programme = scenario.programme;
  const contractor = programme?.contractor ?? directory.external;
  const siteProvider = new Map(scenario.sites.map((s) => [s.id, s.provider]));
  const owners = new Map(
    scenario.buildings.map((b) => [b.id, directory.partyOf(siteProvider.get(b.site) ?? '')]),
  );
  const ownerOf = (building: string) => owners.get(building) ?? directory.external;
  for (const building of scenario.buildings) {
    const slip = certainSlip(building.delay);
    if (slip > 0 && building.capex !== undefined) {
      notes.push(
        `building ${building.id} is late for certain (its delay allows no less than ${slip} month${slip === 1 ? '' : 's'}): online from ${formatPeriod((building.online + slip) as Period)}, and the capex tied to its online month is called ${slip} month${slip === 1 ? '' : 's'} later`,
      );
    }
  }
  const clipped = clipCapex(scenario.buildings.flatMap(capexInstalments), scenario.horizon);
  if (clipped.before > 0n) {
    notes.push(
      `capex of ${formatUSD(clipped.before)} due before ${formatPeriod(scenario.horizon.from)} is posted in ${formatPeriod(scenario.horizon.from)}`,
    );
  }
  if (clipped.after > 0n) {
    notes.push(
      `capex of ${formatUSD(clipped.after)} due after ${formatPeriod(scenario.horizon.to)} is not posted`,
    );
  }
  const companyDue: CapexDue[] = [];
  for (const part of clipped.due) {
    const owner = ownerOf(part.building);
    if (programme && owner === programme.company) companyDue.push(part);
    transactions.push(
      transaction({
        period: part.period,
        kind: 'capex',
        key: part.building,
        memo: `capex of building ${part.building}`,
        subject: { building: part.building },
        ...payment(owner, 'construction', contractor, 'construction-revenue', part.amount),
      }),
    );
  }
  if (!programme) return undefined;

  const funders = directory.funders.map((f) => ({
    party: f.id,
    equityPercent: f.equityPercent ?? 0,
  }));
  const schedule = capitalSchedule(programme, funders, contractor, companyDue, scenario.horizon);
  if (companyDue.length === 0) {
    notes.push(
      `programme company ${programme.company} sells as no provider with buildings that have capex; nothing is called`,
    );
  }
  for (const month of schedule.months) {
    if (month.called === 0n) continue;
    const postings: Posting[] = [];
    const flows = funders.flatMap((funder, index) => {
      const amount = month.byFunder[index] ?? 0n;
      if (amount === 0n) return [];
      postings.push(
        { party: funder.party, account: 'investment', amount },
        { party: funder.party, account: 'cash', amount: -amount },
      );
      return [{ from: funder.party, to: programme.company, amount }];
    });
    postings.push(
      { party: programme.company, account: 'cash', amount: month.called },
      { party: programme.company, account: 'paid-in-capital', amount: -month.called },
    );
    transactions.push(
      transaction({
        period: month.period,
        kind: 'capital-call',
        key: programme.company,
        memo: `capital call of ${programme.company}, pro rata to equity`,
        subject: {},
        postings,
        flows,
      }),
    );
  }
  const gap = schedule.months.find((m) => m.fundingGap > 0n);
  if (gap) {
    const worst = schedule.months.reduce((max, m) => (m.fundingGap > max ? m.fundingGap : max), 0n);
    notes.push(
      `capex due outran committed capital from ${formatPeriod(gap.period)} (funding gap up to ${formatUSD(worst)}); calls catch up as tranches are committed`,
    );
  }
  return schedule;
}
