import type {
  Building,
  CapexInstalment,
  DelayDistribution,
  Milestone,
  Party,
  Programme,
  RevenueStream,
} from '../core/model.js';
import type { Micros } from '../core/money.js';
import { parseUSD } from '../core/money.js';
import { compareText } from '../core/order.js';
import type { Period } from '../core/period.js';
import { parsePeriod } from '../core/period.js';
import type { ScenarioInput } from './schema.js';

type BuildingInput = NonNullable<ScenarioInput['buildings']>[number];

/**
 * The money-and-time extensions of a building, in the core's terms: milestones as periods,
 * capex instalments with their months and exact amounts (the parts add up to the capex to
 * the micro-dollar), the delay distribution. Only keys the file gives are set.
 */
export function normalizeBuildingExtensions(
  input: BuildingInput,
  online: Period,
  capex: Micros | undefined,
): Pick<Building, 'milestones' | 'capexSchedule' | 'delay'> {
  const milestones: Milestone[] | undefined = input.milestones?.map((m) => ({
    id: m.id,
    period: period(m.month),
  }));
  const start = input.constructionStart === undefined ? undefined : period(input.constructionStart);
  const monthOf = (milestone: string): Period => {
    if (milestone === 'online') return online;
    if (milestone === 'construction-start' && start !== undefined) return start;
    const found = milestones?.find((m) => m.id === milestone);
    if (!found) throw new Error(`normalizeScenario: unchecked milestone ${milestone}`);
    return found.period;
  };

  let capexSchedule: CapexInstalment[] | undefined;
  if (input.capexSchedule && capex !== undefined) {
    const amounts = splitByPercent(
      capex,
      input.capexSchedule.map((i) => i.percent),
    );
    capexSchedule = input.capexSchedule.map((instalment, index): CapexInstalment => {
      const offsetMonths = instalment.offsetMonths ?? 0;
      const base =
        instalment.milestone === undefined
          ? period(instalment.month ?? '')
          : monthOf(instalment.milestone);
      return {
        ...(instalment.milestone === undefined ? {} : { milestone: instalment.milestone }),
        offsetMonths,
        period: (base + offsetMonths) as Period,
        percent: instalment.percent,
        amount: amounts[index] ?? 0n,
      };
    });
  }

  const delay: DelayDistribution | undefined =
    input.delay === undefined
      ? undefined
      : input.delay.type === 'discrete'
        ? {
            type: 'discrete',
            outcomes: [...input.delay.outcomes]
              .sort((a, b) => a.months - b.months)
              .map((o) => ({ months: o.months, probability: o.probability })),
          }
        : {
            type: 'triangular',
            min: input.delay.min,
            mode: input.delay.mode,
            max: input.delay.max,
          };

  return {
    ...(milestones === undefined ? {} : { milestones }),
    ...(capexSchedule === undefined ? {} : { capexSchedule }),
    ...(delay === undefined ? {} : { delay }),
  };
}

/** Parties, programme and revenue streams; empty lists when the file has none. */
export function normalizeFinance(
  input: ScenarioInput,
  horizonStart: Period,
): { parties: Party[]; programme?: Programme; revenueStreams: RevenueStream[] } {
  const parties = (input.parties ?? []).map((p): Party => ({
    id: p.id,
    name: p.name,
    roles: [...new Set(p.roles)],
    providers: [...(p.providers ?? [])],
    ...(p.equityPercent === undefined ? {} : { equityPercent: p.equityPercent }),
  }));

  let programme: Programme | undefined;
  if (input.programme) {
    const p = input.programme;
    programme = {
      company: p.company,
      start: p.start === undefined ? horizonStart : period(p.start),
      initial: usd(p.initialUSD),
      total: usd(p.totalUSD),
      tranches: (p.tranches ?? [])
        .map((t) => ({
          period: period(t.month),
          amount: usd(t.amountUSD),
          ...(t.id === undefined ? {} : { id: t.id }),
        }))
        .sort((a, b) => a.period - b.period),
      slipCorrelation: p.slipCorrelation ?? 0,
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(p.contractor === undefined ? {} : { contractor: p.contractor }),
    };
  }

  const revenueStreams = (input.revenueStreams ?? [])
    .map((s): RevenueStream => ({
      id: s.id,
      party: s.party,
      amounts: s.amounts
        .map((a) => ({
          range: { from: period(a.from), to: period(a.to) },
          monthly: usd(a.monthlyUSD),
        }))
        .sort((a, b) => a.range.from - b.range.from),
      ...(s.name === undefined ? {} : { name: s.name }),
    }))
    .sort((a, b) => compareText(a.id, b.id));

  return { parties, ...(programme === undefined ? {} : { programme }), revenueStreams };
}

/**
 * Splits an amount by percentages that add up to 100, exactly: each part is rounded down to
 * the cent and the cents left over go, one each, to the parts with the largest remainders
 * (the earlier part on a tie).
 */
export function splitByPercent(amount: Micros, percents: readonly number[]): Micros[] {
  const CENT = 10_000n;
  const cents = amount / CENT;
  const leftover = amount - cents * CENT;
  const weights = percents.map(percentUnits);
  const total = weights.reduce((sum, w) => sum + w, 0n);
  if (total === 0n) return percents.map(() => 0n);
  const exact = weights.map((w) => cents * w);
  const parts = exact.map((e) => e / total);
  let remaining = cents - parts.reduce((sum, p) => sum + p, 0n);
  const order = exact
    .map((e, index) => ({ index, remainder: e % total }))
    .sort((a, b) =>
      a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
    );
  for (const { index } of order) {
    if (remaining <= 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    remaining--;
  }
  // Sub-cent micro-dollars (never in a valid file: capex has two decimals) go to the first part.
  return parts.map((p, index) => p * CENT + (index === 0 ? leftover : 0n));
}

function percentUnits(value: number): bigint {
  const parsed = parseUSD(value, 6);
  return parsed.ok ? parsed.micros : BigInt(Math.round(value * 1e6));
}

function period(text: string): Period {
  const parsed = parsePeriod(text);
  if (parsed === undefined) throw new Error(`normalizeScenario: unchecked period ${text}`);
  return parsed;
}

function usd(value: string | number): Micros {
  const parsed = parseUSD(value, 2);
  if (!parsed.ok) throw new Error(`normalizeScenario: unchecked amount ${String(value)}`);
  return parsed.micros;
}
