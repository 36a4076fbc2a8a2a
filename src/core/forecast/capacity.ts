import type { Scenario } from '../model.js';
import type { Period, PeriodRange } from '../period.js';
import { formatQuarter, monthOf } from '../period.js';

/** A quarter of the horizon, measured at its last month (clipped to the horizon's end). */
export interface Quarter {
  /** `2026-Q3`. */
  readonly label: string;
  /** The month capacity is measured in: the quarter's last, or the horizon's last. */
  readonly end: Period;
}

/**
 * The quarters of a horizon. Capacity is measured at each quarter's end: what is online in
 * its last month.
 */
export function quartersOf(horizon: PeriodRange): Quarter[] {
  const quarters: Quarter[] = [];
  let start = (horizon.from - ((monthOf(horizon.from) - 1) % 3)) as Period;
  while (start <= horizon.to) {
    const end = Math.min(start + 2, horizon.to) as Period;
    quarters.push({ label: formatQuarter(start), end });
    start = (start + 3) as Period;
  }
  return quarters;
}

/**
 * The index of the first quarter whose end is at or after `period`: the quarter from which
 * capacity that comes online in `period` counts. `quarters.length` when it comes after the
 * horizon.
 */
export function firstQuarterFrom(quarters: readonly Quarter[], period: Period): number {
  const first = quarters[0];
  const last = quarters[quarters.length - 1];
  if (!first || !last) return 0;
  if (period <= first.end) return 0;
  if (period > last.end) return quarters.length;
  const firstStart = first.end - ((monthOf(first.end) - 1) % 3);
  return Math.floor((period - firstStart) / 3);
}

/** A source of capacity: a pool bought for a window, or a building online from a month. */
export interface CapacitySource {
  readonly id: string;
  readonly provider: string;
  readonly gpus: number;
  /** All-in facility MW: a building's IT MW, a pool's GPUs × kW per GPU. */
  readonly mw: number;
  readonly from: Period;
  readonly to: Period;
  /** The building it comes from, when it does (only buildings slip). */
  readonly building?: string;
}

/** Every pool and building of a scenario as a capacity source. */
export function capacitySources(scenario: Scenario): CapacitySource[] {
  const kw = new Map(scenario.accelerators.map((a) => [a.id, a.kwPerGpu]));
  const itMW = new Map(scenario.buildings.map((b) => [b.id, b.itMW]));
  return scenario.pools.map((pool) => ({
    id: pool.id,
    provider: pool.provider,
    gpus: pool.gpus,
    mw:
      pool.building !== undefined
        ? (itMW.get(pool.building) ?? 0)
        : (pool.gpus * (kw.get(pool.accelerator) ?? 0)) / 1000,
    from: pool.window.from,
    to: pool.window.to,
    ...(pool.building === undefined ? {} : { building: pool.building }),
  }));
}
