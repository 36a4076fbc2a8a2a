import type { Cents } from '../money.js';
import { centsToNumber, toCents } from '../money.js';
import type { Period } from '../period.js';
import { formatPeriod } from '../period.js';
import type { BuildingValue, CostChange } from './building-moves.js';
import type { CapacityValues } from './capacity-value.js';
import { perGpuHour } from './capacity-value.js';

/** What `stargate value` found, with how it was found. */
export interface ValueReport {
  readonly scenario: string;
  /** The base plan: planner and status, cost and proven bound. */
  readonly plan: {
    readonly method: string;
    readonly status: string;
    readonly total: Cents;
    readonly lowerBound: Cents;
  };
  readonly capacity: CapacityValues;
  readonly buildings: readonly BuildingValue[];
  /** How the building re-plans ran, e.g. `in sequence` or `on 2 worker threads`. */
  readonly replans: string;
}

/** A building move in JSON. */
export interface MoveJson {
  readonly online: string;
  readonly months?: number;
  readonly usd: number;
  readonly lowUSD: number;
  readonly highUSD: number;
}

/** `valueToJson`'s document. */
export interface ValueJson {
  readonly scenario: string;
  readonly units: { readonly capacity: string; readonly buildings: string };
  readonly plan: {
    readonly method: string;
    readonly status: string;
    readonly totalUSD: number;
    readonly lowerBoundUSD: number;
  };
  readonly capacity: readonly {
    readonly pool: string;
    readonly provider: string;
    readonly building?: string;
    readonly month: string;
    readonly gpus: number;
    readonly used: number;
    readonly perGpuMonthUSD: number;
    readonly perGpuHourUSD: number;
  }[];
  readonly buildings: readonly {
    readonly building: string;
    readonly site: string;
    readonly gpus: number;
    readonly online: string;
    readonly monthEarlier: MoveJson | null;
    readonly monthLate: MoveJson | null;
    readonly quarterLate: MoveJson | null;
  }[];
  readonly replans: string;
}

/**
 * The report as JSON, for `stargate value --format json` and `GET /v1/plans/{id}/value`:
 * amounts as USD numbers, months as `YYYY-MM`.
 */
export function valueToJson(report: ValueReport): ValueJson {
  const change = (
    c: (CostChange & { online: Period; months?: number }) | undefined,
  ): MoveJson | null =>
    c === undefined
      ? null
      : {
          online: formatPeriod(c.online),
          ...(c.months === undefined ? {} : { months: c.months }),
          usd: centsToNumber(c.change),
          lowUSD: centsToNumber(c.low),
          highUSD: centsToNumber(c.high),
        };
  return {
    scenario: report.scenario,
    units: {
      capacity:
        "USD per GPU for the whole month (the dual of the capacity row, LP with the plan's gang choices fixed); perGpuHourUSD divides it by the month's hours",
      buildings:
        "USD over the horizon, re-planned; [lowUSD, highUSD] from both plans' proven bounds",
    },
    plan: {
      method: report.plan.method,
      status: report.plan.status,
      totalUSD: centsToNumber(report.plan.total),
      lowerBoundUSD: centsToNumber(report.plan.lowerBound),
    },
    capacity: report.capacity.rows.map((r) => ({
      pool: r.pool,
      provider: r.provider,
      ...(r.building === undefined ? {} : { building: r.building }),
      month: formatPeriod(r.period),
      gpus: r.gpus,
      used: r.used,
      perGpuMonthUSD: centsToNumber(toCents(r.valuePerGpuMonth)),
      perGpuHourUSD: Number(perGpuHour(r)) / 1e6,
    })),
    buildings: report.buildings.map((b) => ({
      building: b.building,
      site: b.site,
      gpus: b.gpus,
      online: formatPeriod(b.online),
      monthEarlier: change(b.monthEarlier),
      monthLate: change(b.monthLate),
      quarterLate: change(b.quarterLate),
    })),
    replans: report.replans,
  };
}
