import type { Building, Programme } from '../model.js';
import type { Cents } from '../money.js';
import type { Period, PeriodRange } from '../period.js';
import { periodsOf } from '../period.js';
import { certainSlip } from '../forecast/delay.js';
import { percentUnits, splitCents, wholeCents } from './split.js';

/** One part of a building's capex, due in one month. */
export interface CapexDue {
  readonly building: string;
  readonly period: Period;
  readonly amount: Cents;
}

/**
 * When a building's capex falls due: its `capexSchedule` when it has one; otherwise equal
 * monthly parts from `constructionStart` to the month before `online`, or all of it in the
 * `online` month when construction has no start or starts that month. The parts add up to the
 * capex exactly. A building without capex has none.
 *
 * A building that is late for certain (its `delay` allows no slip below N months) comes online
 * N months late, and what is tied to its online month moves with it: the instalments of its
 * schedule set against `online`, or the equal monthly parts, which run N months longer.
 * Construction start, fixed months and the building's own milestones stay where they are.
 */
export function capexInstalments(building: Building): CapexDue[] {
  if (building.capex === undefined) return [];
  const capex = wholeCents(building.capex);
  const slip = certainSlip(building.delay);
  const online = (building.online + slip) as Period;
  if (building.capexSchedule) {
    return building.capexSchedule.map((i) => ({
      building: building.id,
      period: (i.milestone === 'online' ? i.period + slip : i.period) as Period,
      amount: wholeCents(i.amount),
    }));
  }
  const start = building.constructionStart;
  if (start === undefined || start >= online) {
    return [{ building: building.id, period: online, amount: capex }];
  }
  const months = periodsOf({ from: start, to: (online - 1) as Period });
  const parts = splitCents(
    capex,
    months.map(() => 1n),
  );
  return months.map((period, index) => ({
    building: building.id,
    period,
    amount: parts[index] ?? 0n,
  }));
}

/** Capex as the ledger posts it: inside the horizon, with what fell outside it. */
export interface ClippedCapex {
  readonly due: readonly CapexDue[];
  /** Due before the horizon: posted in its first month. */
  readonly before: Cents;
  /** Due after the horizon: not posted. */
  readonly after: Cents;
}

/**
 * Moves capex due before the horizon into its first month and leaves out what falls due after
 * its end, merging parts of one building in one month.
 */
export function clipCapex(instalments: readonly CapexDue[], horizon: PeriodRange): ClippedCapex {
  let before = 0n;
  let after = 0n;
  const merged = new Map<string, CapexDue>();
  for (const part of instalments) {
    if (part.amount === 0n) continue;
    if (part.period > horizon.to) {
      after += part.amount;
      continue;
    }
    if (part.period < horizon.from) before += part.amount;
    const period = part.period < horizon.from ? horizon.from : part.period;
    const key = `${part.building}\u0000${period}`;
    const entry = merged.get(key);
    merged.set(key, {
      building: part.building,
      period,
      amount: (entry?.amount ?? 0n) + part.amount,
    });
  }
  return { due: [...merged.values()], before, after };
}

/** The capital plan month by month: what is committed, due, called. */
export interface CapitalMonth {
  readonly period: Period;
  /** Committed by the funders up to and including this month. */
  readonly committed: Cents;
  /** Capex of the company's buildings due this month. */
  readonly capexDue: Cents;
  /** Called from the funders this month. */
  readonly called: Cents;
  /** Called up to and including this month. */
  readonly calledToDate: Cents;
  /** Capex due to date that committed capital did not cover. */
  readonly fundingGap: Cents;
  /** This month's call, per funder, in the order of `CapitalSchedule.funders`. */
  readonly byFunder: readonly Cents[];
}

export interface CapitalSchedule {
  readonly company: string;
  readonly contractor: string;
  readonly funders: readonly { readonly party: string; readonly equityPercent: number }[];
  readonly start: Period;
  readonly initial: Cents;
  readonly total: Cents;
  /** Committed by the end of the horizon: the initial commitment and the tranches so far. */
  readonly committed: Cents;
  readonly months: readonly CapitalMonth[];
}

/**
 * Calls capital as capex falls due, within what is committed: the called total to date is
 * the lesser of capex due to date and capital committed to date, so a call never exceeds the
 * commitment and a later tranche catches up with capex that had to wait (the wait shows as a
 * funding gap). Each call is split among the funders pro rata to their equity, to the cent.
 */
export function capitalSchedule(
  programme: Programme,
  funders: readonly { readonly party: string; readonly equityPercent: number }[],
  contractor: string,
  capexDue: readonly CapexDue[],
  horizon: PeriodRange,
): CapitalSchedule {
  const duePerMonth = new Map<Period, Cents>();
  for (const part of capexDue) {
    duePerMonth.set(part.period, (duePerMonth.get(part.period) ?? 0n) + part.amount);
  }
  const weights = funders.map((f) => percentUnits(f.equityPercent));
  const initial = wholeCents(programme.initial);
  let committed = 0n;
  let dueToDate = 0n;
  let calledToDate = 0n;
  let tranche = 0;
  const months: CapitalMonth[] = [];
  for (const period of periodsOf(horizon)) {
    if (period === programme.start || (period === horizon.from && programme.start < period)) {
      committed += initial;
    }
    while (tranche < programme.tranches.length) {
      const next = programme.tranches[tranche];
      if (!next || next.period > period) break;
      committed += wholeCents(next.amount);
      tranche++;
    }
    const capexDue = duePerMonth.get(period) ?? 0n;
    dueToDate += capexDue;
    const target = dueToDate < committed ? dueToDate : committed;
    const called = target - calledToDate;
    calledToDate = target;
    months.push({
      period,
      committed,
      capexDue,
      called,
      calledToDate,
      fundingGap: dueToDate - calledToDate,
      byFunder: splitCents(called, weights),
    });
  }
  return {
    company: programme.company,
    contractor,
    funders,
    start: programme.start,
    initial,
    total: wholeCents(programme.total),
    committed,
    months,
  };
}
