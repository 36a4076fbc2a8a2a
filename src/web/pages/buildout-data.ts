import type { BuildingState } from '../../charts/buildout.js';
import type { Period } from '../../core/period.js';
import { formatPeriod, parsePeriod, periodOf } from '../../core/period.js';
import { formatUSDNumber as money } from '../../core/money.js';
import type {
  AwardView,
  BuildingValueJson,
  DeliveryView,
  LateDelivery,
  LedgerReportJson,
  OfferWithRequest,
  PlanRiskJson,
  PlanSummary,
  PlanValue,
  ScenarioDocument,
} from '../api-types';

/**
 * The facts of the Buildout page, from what the API answers: one row per building, and one per
 * procured pool (an accepted offer or an award) whose delivery is tracked. Pure, so the states
 * are tested without a browser.
 */

export type BuildingDoc = NonNullable<ScenarioDocument['buildings']>[number];
export type SiteDoc = NonNullable<ScenarioDocument['sites']>[number];
export type PoolDoc = NonNullable<ScenarioDocument['pools']>[number];
export type AcceleratorDoc = NonNullable<ScenarioDocument['accelerators']>[number];
export type Delay = NonNullable<BuildingDoc['delay']>;

/**
 * `planned`: not yet due; `online`: due and on time; `late`: behind its promise; `delivered`:
 * procured and delivered in full. The Gantt's own states.
 */
export type BuildState = BuildingState;

export interface BuildoutRow {
  readonly id: string;
  readonly kind: 'building' | 'procured';
  /** The site; for a procured pool without one, its provider (the Gantt groups rows by it). */
  readonly site: string;
  /** Whether `site` is a site (not a provider standing in for one). */
  readonly atSite: boolean;
  readonly siteName?: string;
  readonly provider?: string;
  readonly itMW?: number;
  /** Stated, or from the accelerator's kW per GPU when the caller may read it. */
  readonly gpus?: number;
  readonly constructionStart?: string;
  /** Planned online month (a procured pool: its promised delivery month). */
  readonly online: string;
  /** Months the building comes online late for certain (the least slip its delay allows). */
  readonly delayMonths: number;
  readonly delay?: Delay;
  /** Named dates besides construction start and online (the building's `milestones`). */
  readonly milestones?: readonly { readonly id: string; readonly period: string }[];
  /** A procured pool's GPUs delivered so far. */
  readonly deliveredGpus?: number;
  readonly state: BuildState;
}

/** The month of a date on the browser's clock, `YYYY-MM`. */
export function monthOfDate(date: Date): string {
  return formatPeriod(periodOf(date.getFullYear(), date.getMonth() + 1));
}

/** The least and most months a delay allows, and the chance of any slip at all. */
export function delayRange(delay: Delay): { min: number; max: number; chance: number } {
  if (delay.type === 'discrete') {
    const months = delay.outcomes.map((o) => o.months);
    const chance = delay.outcomes
      .filter((o) => o.months > 0)
      .reduce((sum, o) => sum + o.probability, 0);
    return { min: Math.min(...months), max: Math.max(...months), chance };
  }
  // A triangular slip is continuous and rounded up: any width above 0 means a slip.
  return { min: delay.min, max: delay.max, chance: delay.max > 0 ? 1 : 0 };
}

/**
 * A delay in words, short enough for a table cell: "none", "1–18 mo, likely 6" (certain), or
 * "up to 6 mo (55%)" (may slip, with the chance that it does).
 */
export function delayText(delay: Delay | undefined): string {
  if (!delay) return 'none';
  const { min, max, chance } = delayRange(delay);
  if (max === 0) return 'none';
  const likely = delay.type === 'triangular' ? `, likely ${delay.mode}` : '';
  if (min > 0) return `${min === max ? `${max}` : `${min}–${max}`} mo${likely}`;
  const odds = delay.type === 'discrete' ? ` (${Math.round(chance * 100)}%)` : '';
  return `up to ${max} mo${odds}${likely}`;
}

/** GPUs of a building: as stated, or floor(itMW × 1000 / kW per GPU) as the planner counts. */
export function buildingGpus(
  building: BuildingDoc,
  accelerators: readonly AcceleratorDoc[] | undefined,
): number | undefined {
  if (building.gpus !== undefined) return building.gpus;
  const accelerator = accelerators?.find((a) => a.id === building.accelerator);
  return accelerator ? Math.floor((building.itMW * 1000) / accelerator.kwPerGpu) : undefined;
}

/**
 * A building is late when its delay is certain (the least slip it allows is above 0); online
 * when its month has come; planned before. Possible slips are the forecast's business, not a
 * recorded delay.
 */
export function buildingState(building: BuildingDoc, today: string): BuildState {
  const certain = building.delay ? delayRange(building.delay).min : 0;
  if (certain > 0) return 'late';
  return building.online <= today ? 'online' : 'planned';
}

export interface BuildoutInputs {
  readonly buildings: readonly BuildingDoc[];
  readonly sites: readonly SiteDoc[];
  readonly accelerators?: readonly AcceleratorDoc[] | undefined;
  readonly late?: readonly LateDelivery[] | undefined;
  readonly pools?: readonly PoolDoc[] | undefined;
  readonly deliveries?: readonly DeliveryView[] | undefined;
  readonly offers?: readonly OfferWithRequest[] | undefined;
  readonly awards?: readonly AwardView[] | undefined;
  readonly today: string;
}

/** Every building and every procured pool, by site (as the Gantt orders them), then online month. */
export function buildoutRows(input: BuildoutInputs): BuildoutRow[] {
  const sites = new Map(input.sites.map((s) => [s.id, { site: s }]));
  const rows: BuildoutRow[] = input.buildings.map((b) => {
    const site = sites.get(b.site)?.site;
    const gpus = buildingGpus(b, input.accelerators);
    return {
      id: b.id,
      kind: 'building',
      site: b.site,
      atSite: true,
      ...(site?.name === undefined ? {} : { siteName: site.name }),
      ...(site ? { provider: site.provider } : {}),
      itMW: b.itMW,
      ...(gpus === undefined ? {} : { gpus }),
      ...(b.constructionStart === undefined ? {} : { constructionStart: b.constructionStart }),
      online: b.online,
      delayMonths: b.delay ? Math.max(0, delayRange(b.delay).min) : 0,
      ...(b.delay === undefined ? {} : { delay: b.delay }),
      ...(b.milestones === undefined || b.milestones.length === 0
        ? {}
        : { milestones: b.milestones.map((m) => ({ id: m.id, period: m.month })) }),
      state: buildingState(b, input.today),
    };
  });
  rows.push(...procuredRows(input, sites));
  return rows.sort(
    (a, b) =>
      a.site.localeCompare(b.site) || a.online.localeCompare(b.online) || a.id.localeCompare(b.id),
  );
}

/**
 * Pools that procurement made (an accepted offer's or an award's): late when the API says so,
 * delivered when deliveries cover their GPUs, planned before their delivery month.
 */
function procuredRows(
  input: BuildoutInputs,
  sites: ReadonlyMap<string, { site: SiteDoc }>,
): BuildoutRow[] {
  // A pool or building watched by node agents with no request behind it is late too, but it
  // is not procured capacity: the delivered-vs-promised panel shows it.
  const late = new Map(
    (input.late ?? []).filter((l) => l.request !== undefined).map((l) => [l.pool, l]),
  );
  const pools = new Map((input.pools ?? []).map((p) => [p.id, p]));
  const delivered = deliveredByPool(input.deliveries ?? []);
  const buildings = new Set(input.buildings.map((b) => b.id));
  const ids = new Set<string>([
    ...late.keys(),
    // Deliveries typed in are only ever against procured pools; the agents' may be anyone's.
    ...(input.deliveries ?? []).flatMap((d) => (d.source === 'agent' ? [] : [d.pool])),
    ...(input.offers ?? []).flatMap((o) => (o.state === 'accepted' && o.pool ? [o.pool] : [])),
    ...(input.awards ?? []).map((a) => a.pool),
  ]);
  const rows: BuildoutRow[] = [];
  for (const id of ids) {
    if (buildings.has(id)) continue;
    const pool = pools.get(id);
    const overdue = late.get(id);
    const promised = pool?.gpus ?? overdue?.promisedGpus;
    const online = pool?.window.from ?? overdue?.promisedBy;
    if (online === undefined) continue;
    const site = pool?.site ?? overdue?.site;
    const provider = pool?.provider ?? overdue?.provider;
    const got = delivered.get(id) ?? overdue?.deliveredGpus ?? 0;
    const state: BuildState = overdue
      ? 'late'
      : promised !== undefined && got >= promised
        ? 'delivered'
        : online <= input.today
          ? 'online'
          : 'planned';
    const name = site === undefined ? undefined : sites.get(site)?.site.name;
    rows.push({
      id,
      kind: 'procured',
      // A procured pool without a site stands under its provider.
      site: site ?? provider ?? id,
      atSite: site !== undefined,
      ...(name === undefined ? {} : { siteName: name }),
      ...(provider === undefined ? {} : { provider }),
      ...(promised === undefined ? {} : { gpus: promised }),
      online,
      delayMonths: overdue ? overdue.monthsLate : 0,
      deliveredGpus: got,
      state,
    });
  }
  return rows;
}

/**
 * GPUs delivered to each pool so far, as the server counts them: where its node agents have
 * reported, the level they observed in the latest month with a report (GPUs that failed since
 * count no more); otherwise the sum of the deliveries typed in.
 */
export function deliveredByPool(deliveries: readonly DeliveryView[]): Map<string, number> {
  const typed = new Map<string, number>();
  const observed = new Map<string, { month: string; gpus: number }>();
  for (const d of deliveries) {
    if (d.source === 'agent') {
      const latest = observed.get(d.pool);
      if (!latest || d.month > latest.month) observed.set(d.pool, { month: d.month, gpus: d.gpus });
    } else typed.set(d.pool, (typed.get(d.pool) ?? 0) + d.gpus);
  }
  for (const [pool, { gpus }] of observed) typed.set(pool, gpus);
  return typed;
}

/**
 * From January of the first year that any bar or today touches to December of the year half a
 * year after the last, so the state written after each bar stays inside the chart.
 */
export function buildoutHorizon(
  rows: readonly BuildoutRow[],
  today: string,
): { from: string; to: string } {
  const months: Period[] = [];
  const add = (text: string | undefined, plus = 0) => {
    const period = text === undefined ? undefined : parsePeriod(text);
    if (period !== undefined) months.push((period + plus) as Period);
  };
  add(today);
  // What the Gantt draws: construction, the online month and the months late.
  for (const row of rows) {
    add(row.constructionStart);
    add(row.online, row.delayMonths);
  }
  const first = Math.min(...months);
  // Room after the last bar for the state written beside it.
  const last = Math.max(...months) + 6;
  return {
    from: formatPeriod(periodOf(Math.floor(first / 12), 1)),
    to: formatPeriod(periodOf(Math.floor(last / 12), 12)),
  };
}

/** How many rows are in each state, for the headline. */
export function countStates(rows: readonly BuildoutRow[]): Record<BuildState, number> {
  const counts: Record<BuildState, number> = { planned: 0, online: 0, late: 0, delivered: 0 };
  for (const row of rows) counts[row.state] += 1;
  return counts;
}

/**
 * The plan the schedule's worth is read for: the newest stored plan. A role that lists plans
 * takes the list's first; a funder, who does not, takes the plan its books are of (the ledger
 * reads the newest). Undefined while unknown; null when there is none.
 */
export function latestPlanId(
  plans: readonly PlanSummary[] | undefined,
  ledger: Pick<LedgerReportJson, 'plan'> | undefined,
): number | null | undefined {
  if (plans) return plans[0]?.id ?? null;
  const id = ledger ? Number(ledger.plan['plan']) : NaN;
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

/** A building moved in the plan: what it saves (a month earlier) or costs (late), in USD. */
export interface MoveWorth {
  readonly usd: number;
  /** Where the true amount lies, from both plans' proven bounds. */
  readonly lowUSD: number;
  readonly highUSD: number;
}

/** A building's slip in the plan, over the risk report's draws. */
export interface SlipWorth {
  /** Share of runs in which it slipped at least a month. */
  readonly share: number;
  readonly meanMonths: number;
  /** The plan's expected extra cost had this building alone slipped, after recourse. */
  readonly expectedCostUSD: number;
}

/**
 * One building's schedule in money. Each field is undefined while its answer is not in (or
 * does not name the building); null where the answer says there is nothing: no room in the
 * horizon for the move, no delay distribution to slip by.
 */
export interface ScheduleWorthRow {
  readonly building: string;
  readonly online?: string;
  readonly monthEarlier?: MoveWorth | null;
  readonly quarterLate?: MoveWorth | null;
  readonly slip?: SlipWorth | null;
}

const moveWorth = (move: BuildingValueJson['monthEarlier']): MoveWorth | null =>
  move === null ? null : { usd: move.usd, lowUSD: move.lowUSD, highUSD: move.highUSD };

/**
 * Every building with what a month earlier saves and a quarter late costs (`/value`) and what
 * its slip costs (`/risk`), from whichever answers are in. The buildings are the page's, and
 * any the plan's scenario has besides. Most a month earlier saves first, then costliest slip,
 * then by id, so the order is the same whichever answer comes first.
 */
export function scheduleWorthRows(
  buildings: readonly { readonly id: string; readonly online: string }[],
  value: PlanValue | undefined,
  risk: PlanRiskJson | undefined,
): ScheduleWorthRow[] {
  const values = new Map((value?.buildings ?? []).map((b) => [b.building, b]));
  const slips = new Map((risk?.byBuilding ?? []).map((b) => [b.building, b]));
  const online = new Map(buildings.map((b) => [b.id, b.online]));
  for (const b of value?.buildings ?? [])
    if (!online.has(b.building)) online.set(b.building, b.online);
  for (const b of risk?.byBuilding ?? []) if (!online.has(b.building)) online.set(b.building, '');
  const rows = [...online].map(([building, month]): ScheduleWorthRow => {
    const valued = values.get(building);
    const slip = slips.get(building);
    return {
      building,
      ...(month === '' ? {} : { online: month }),
      ...(valued === undefined
        ? {}
        : {
            monthEarlier: moveWorth(valued.monthEarlier),
            quarterLate: moveWorth(valued.quarterLate),
          }),
      // A building the risk report leaves out has no delay distribution: it never slips.
      ...(risk === undefined
        ? {}
        : {
            slip: slip
              ? {
                  share: slip.runsSlipped / risk.runs,
                  meanMonths: slip.meanSlipMonths,
                  expectedCostUSD: slip.expectedExtraCostUSD,
                }
              : null,
          }),
    };
  });
  const saving = (row: ScheduleWorthRow) => row.monthEarlier?.usd ?? -Infinity;
  const slipCost = (row: ScheduleWorthRow) => row.slip?.expectedCostUSD ?? -Infinity;
  return rows.sort(
    (a, b) =>
      compareDescending(saving(a), saving(b)) ||
      compareDescending(slipCost(a), slipCost(b)) ||
      a.building.localeCompare(b.building),
  );
}

/** For sort: the larger first; equal (both -Infinity too) is 0. */
function compareDescending(a: number, b: number): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

/**
 * A move's amount and its interval for a table cell: `$201.6K` and `$198.0K – $205.1K`, or no
 * interval where both bounds read as the amount (a gap of a few dollars on $360.1M says nothing).
 */
export function moveText(move: MoveWorth): { amount: string; interval?: string } {
  const amount = money(move.usd);
  const low = money(move.lowUSD);
  const high = money(move.highUSD);
  if (low === amount && high === amount) return { amount };
  return { amount, interval: `${low} – ${high}` };
}

/** A building's slip for a table cell: `53% of runs, 1.2 mo on average`. */
export function slipText(slip: SlipWorth): string {
  return `${Math.round(slip.share * 100)}% of runs, ${slip.meanMonths.toFixed(1)} mo on average`;
}

/** The expected cost of a building's slip: `+$799.4M`, or `$0` where it costs nothing. */
export function slipCostText(slip: SlipWorth): string {
  return slip.expectedCostUSD > 0 ? `+${money(slip.expectedCostUSD)}` : money(slip.expectedCostUSD);
}
