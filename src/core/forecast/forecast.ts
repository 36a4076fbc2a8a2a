import type { DelayDistribution, Scenario } from '../model.js';
import type { Random } from '../random.js';
import type { CapacitySource, Quarter } from './capacity.js';
import { capacitySources, firstQuarterFrom, quartersOf } from './capacity.js';
import type { Percentiles } from './percentile.js';
import { percentilesByColumn } from './percentile.js';
import type { SlipSampler } from './slips.js';
import { slipSampler } from './slips.js';

export interface ForecastOptions {
  /** Monte Carlo runs; 0 gives the schedule only. */
  readonly runs: number;
  /** The random source of the slips; the same seed gives the same forecast. */
  readonly random: Random;
  /** The provider whose share is tracked; default `defaultFocus`. */
  readonly focus?: string;
  /** Correlation of slips, 0–1; default the programme's `slipCorrelation`, else 0. */
  readonly correlation?: number;
}

/** Capacity of one provider per quarter. */
export interface ProviderSeries {
  readonly provider: string;
  readonly gpus: readonly number[];
  readonly mw: readonly number[];
  /** Share of all GPUs online, 0–1 (0 when nothing is online). */
  readonly share: readonly number[];
}

export interface Simulation {
  readonly runs: number;
  readonly correlation: number;
  /** Buildings with a delay distribution, out of all buildings. */
  readonly slipping: number;
  readonly buildings: number;
  /** Per quarter. */
  readonly totalGpus: readonly Percentiles[];
  readonly totalMw: readonly Percentiles[];
  readonly focusGpus: readonly Percentiles[];
  readonly focusShare: readonly Percentiles[];
  /** Per calendar year of the horizon, in order. */
  readonly byYear: readonly {
    readonly year: number;
    /** Mean GPUs online over the year's quarters. */
    readonly totalGpus: Percentiles;
    /** The focus provider's share of the year's GPU-quarters. */
    readonly focusShare: Percentiles;
  }[];
  /** GPUs and share of GPUs per quarter, for every provider of the schedule. */
  readonly byProvider: readonly {
    readonly provider: string;
    readonly gpus: readonly Percentiles[];
    readonly share: readonly Percentiles[];
  }[];
}

export interface Forecast {
  readonly scenario: string;
  readonly quarters: readonly Quarter[];
  /** The tracked provider, if any. */
  readonly focus?: string;
  /** Capacity as scheduled (no slips), for every provider with capacity in the horizon. */
  readonly scheduled: {
    readonly byProvider: readonly ProviderSeries[];
    readonly totalGpus: readonly number[];
    readonly totalMw: readonly number[];
    /** Per calendar year: mean GPUs online, and the focus provider's share of GPU-quarters. */
    readonly byYear: readonly {
      readonly year: number;
      readonly totalGpus: number;
      readonly focusShare: number;
    }[];
  };
  readonly simulation?: Simulation;
}

/**
 * The provider whose share a forecast tracks by default: the programme company's first
 * provider with buildings (Stargate, in the example); otherwise the provider with the most
 * building GPUs; otherwise none.
 */
export function defaultFocus(scenario: Scenario): string | undefined {
  const siteProvider = new Map(scenario.sites.map((s) => [s.id, s.provider]));
  const buildingGpus = new Map<string, number>();
  for (const b of scenario.buildings) {
    const provider = siteProvider.get(b.site);
    if (provider !== undefined)
      buildingGpus.set(provider, (buildingGpus.get(provider) ?? 0) + b.gpus);
  }
  const company = scenario.programme?.company;
  if (company !== undefined) {
    const party = scenario.parties.find((p) => p.id === company);
    const providers = party ? party.providers : [company];
    const withBuildings = providers.find((p) => buildingGpus.has(p));
    if (withBuildings !== undefined) return withBuildings;
  }
  let best: string | undefined;
  for (const provider of scenario.providers) {
    const gpus = buildingGpus.get(provider.id) ?? 0;
    if (gpus > 0 && (best === undefined || gpus > (buildingGpus.get(best) ?? 0)))
      best = provider.id;
  }
  return best;
}

/**
 * GPUs and MW online by provider at the end of every quarter of the horizon, as scheduled,
 * and — with `runs` > 0 — a Monte Carlo of construction slips: each run draws every
 * building's slip from its delay distribution (buildings without one keep their date) and
 * moves its `online` month; the percentiles of GPUs online, of MW, and of the focus
 * provider's GPUs and share are taken per quarter across runs.
 *
 * Slips are correlated through a one-factor Gaussian copula: building i's uniform draw is
 * Φ(√ρ·Z + √(1−ρ)·εᵢ) with Z shared by the run, so ρ = 0 gives independent slips and ρ = 1
 * moves every building to the same quantile of its own distribution. Pure: the same scenario,
 * options and seed give the same forecast.
 */
export function forecastCapacity(scenario: Scenario, options: ForecastOptions): Forecast {
  const quarters = quartersOf(scenario.horizon);
  const Q = quarters.length;
  const sources = capacitySources(scenario);
  const focus = options.focus ?? defaultFocus(scenario);
  const delays = new Map<string, DelayDistribution>();
  for (const b of scenario.buildings) if (b.delay) delays.set(b.id, b.delay);

  const providerIds = scenario.providers
    .map((p) => p.id)
    .filter((id) => sources.some((s) => s.provider === id && s.gpus > 0));
  if (focus !== undefined && !providerIds.includes(focus)) providerIds.push(focus);
  const P = providerIds.length;
  const providerIndex = new Map(providerIds.map((id, index) => [id, index]));

  // Scheduled capacity per provider and quarter; the base excludes buildings that slip.
  const gpus = new Float64Array(P * Q);
  const mw = new Float64Array(P * Q);
  const baseGpus = new Float64Array(P * Q);
  const baseMw = new Float64Array(P * Q);
  // Slipping sources by pool index (sources are the pools, in order).
  const slipping = new Map<number, SlippingSource>();
  sources.forEach((source, index) => {
    const p = providerIndex.get(source.provider);
    if (p === undefined) return;
    const delay = source.building === undefined ? undefined : delays.get(source.building);
    if (delay) slipping.set(index, { source, provider: p });
    quarters.forEach((quarter, q) => {
      if (quarter.end < source.from || quarter.end > source.to) return;
      gpus[p * Q + q] = (gpus[p * Q + q] ?? 0) + source.gpus;
      mw[p * Q + q] = (mw[p * Q + q] ?? 0) + source.mw;
      if (!delay) {
        baseGpus[p * Q + q] = (baseGpus[p * Q + q] ?? 0) + source.gpus;
        baseMw[p * Q + q] = (baseMw[p * Q + q] ?? 0) + source.mw;
      }
    });
  });
  const totalGpus = sumColumns(gpus, P, Q);
  const totalMw = sumColumns(mw, P, Q);
  const byProvider = providerIds.map((provider, p) => {
    const series = Array.from(gpus.subarray(p * Q, (p + 1) * Q));
    return {
      provider,
      gpus: series,
      mw: Array.from(mw.subarray(p * Q, (p + 1) * Q)),
      share: series.map((g, q) => ((totalGpus[q] ?? 0) > 0 ? g / (totalGpus[q] ?? 1) : 0)),
    };
  });

  const forecast: Forecast = {
    scenario: scenario.name,
    quarters,
    ...(focus === undefined ? {} : { focus }),
    scheduled: {
      byProvider,
      totalGpus,
      totalMw,
      byYear: yearsOf(quarters).map(({ year, indices }) => {
        const focusGpus = byProvider.find((p) => p.provider === focus)?.gpus ?? [];
        const total = indices.reduce((sum, q) => sum + (totalGpus[q] ?? 0), 0);
        const mine = indices.reduce((sum, q) => sum + (focusGpus[q] ?? 0), 0);
        return {
          year,
          totalGpus: total / indices.length,
          focusShare: total > 0 ? mine / total : 0,
        };
      }),
    },
  };
  if (options.runs <= 0) return forecast;

  const correlation = options.correlation ?? scenario.programme?.slipCorrelation ?? 0;
  // The slips come from the one sampler the plan-risk report uses too: same seed, same slips.
  const sampler = slipSampler(scenario, options.random, correlation);
  const simulation = simulate({
    quarters,
    P,
    baseGpus,
    baseMw,
    sampler,
    slipping: sampler.pools.map((pool) => slipping.get(pool)),
    focus: focus === undefined ? -1 : (providerIndex.get(focus) ?? -1),
    runs: options.runs,
  });
  return {
    ...forecast,
    simulation: {
      runs: options.runs,
      correlation,
      slipping: slipping.size,
      buildings: scenario.buildings.length,
      totalGpus: simulation.totalGpus,
      totalMw: simulation.totalMw,
      focusGpus: simulation.focusGpus,
      focusShare: simulation.focusShare,
      byYear: simulation.byYear,
      byProvider: providerIds.map((provider, p) => ({
        provider,
        ...simulation.provider(p),
      })),
    },
  };
}

const EMPTY: Percentiles = { p10: 0, p50: 0, p90: 0, mean: 0 };

/** The quarters of each calendar year, by index. */
function yearsOf(quarters: readonly Quarter[]): { year: number; indices: number[] }[] {
  const years: { year: number; indices: number[] }[] = [];
  quarters.forEach((quarter, index) => {
    const year = Number(quarter.label.slice(0, 4));
    const last = years[years.length - 1];
    if (last && last.year === year) last.indices.push(index);
    else years.push({ year, indices: [index] });
  });
  return years;
}

function sumColumns(values: Float64Array, rows: number, columns: number): number[] {
  const sums: number[] = [];
  for (let c = 0; c < columns; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += values[r * columns + c] ?? 0;
    sums.push(sum);
  }
  return sums;
}

interface SimulationInput {
  readonly quarters: readonly Quarter[];
  readonly P: number;
  readonly baseGpus: Float64Array;
  readonly baseMw: Float64Array;
  readonly sampler: SlipSampler;
  /** Aligned with `sampler.pools`; undefined for a pool the forecast does not count. */
  readonly slipping: readonly (SlippingSource | undefined)[];
  readonly focus: number;
  readonly runs: number;
}

interface SlippingSource {
  readonly source: CapacitySource;
  readonly provider: number;
}

/**
 * The Monte Carlo proper, on flat typed arrays: per run, each slipping building adds its GPUs
 * from the first quarter at or after its slipped online month (a difference array, summed
 * once per provider), so a run costs O(buildings + providers × quarters).
 */
function simulate(input: SimulationInput) {
  const { quarters, P, runs, sampler, slipping } = input;
  const Q = quarters.length;
  const slips = new Int32Array(slipping.length);

  const totalGpus = new Float64Array(runs * Q);
  const totalMw = new Float64Array(runs * Q);
  const focusGpus = new Float64Array(runs * Q);
  const focusShare = new Float64Array(runs * Q);
  const providerGpus = new Float64Array(runs * P * Q);
  const addGpus = new Float64Array(P * (Q + 1));
  const addMw = new Float64Array(P * (Q + 1));

  for (let run = 0; run < runs; run++) {
    addGpus.fill(0);
    addMw.fill(0);
    sampler.draw(slips);
    for (let k = 0; k < slipping.length; k++) {
      const building = slipping[k];
      if (!building) continue;
      const online = building.source.from + (slips[k] ?? 0);
      const q = firstQuarterFrom(quarters, online as typeof building.source.from);
      const at = building.provider * (Q + 1) + q;
      addGpus[at] = (addGpus[at] ?? 0) + building.source.gpus;
      addMw[at] = (addMw[at] ?? 0) + building.source.mw;
    }
    for (let p = 0; p < P; p++) {
      let g = 0;
      let m = 0;
      for (let q = 0; q < Q; q++) {
        g += addGpus[p * (Q + 1) + q] ?? 0;
        m += addMw[p * (Q + 1) + q] ?? 0;
        const gpus = (input.baseGpus[p * Q + q] ?? 0) + g;
        providerGpus[(run * P + p) * Q + q] = gpus;
        totalGpus[run * Q + q] = (totalGpus[run * Q + q] ?? 0) + gpus;
        totalMw[run * Q + q] = (totalMw[run * Q + q] ?? 0) + (input.baseMw[p * Q + q] ?? 0) + m;
        if (p === input.focus) focusGpus[run * Q + q] = gpus;
      }
    }
    for (let q = 0; q < Q; q++) {
      const total = totalGpus[run * Q + q] ?? 0;
      focusShare[run * Q + q] = total > 0 ? (focusGpus[run * Q + q] ?? 0) / total : 0;
    }
  }

  return {
    totalGpus: percentilesByColumn(totalGpus, runs, Q),
    totalMw: percentilesByColumn(totalMw, runs, Q),
    focusGpus: percentilesByColumn(focusGpus, runs, Q),
    focusShare: percentilesByColumn(focusShare, runs, Q),
    byYear: yearsOf(quarters).map(({ year, indices }) => {
      const mean = new Float64Array(runs);
      const share = new Float64Array(runs);
      for (let run = 0; run < runs; run++) {
        let total = 0;
        let mine = 0;
        for (const q of indices) {
          total += totalGpus[run * Q + q] ?? 0;
          mine += focusGpus[run * Q + q] ?? 0;
        }
        mean[run] = total / indices.length;
        share[run] = total > 0 ? mine / total : 0;
      }
      const [totalPercentiles] = percentilesByColumn(mean, runs, 1);
      const [sharePercentiles] = percentilesByColumn(share, runs, 1);
      return {
        year,
        totalGpus: totalPercentiles ?? EMPTY,
        focusShare: sharePercentiles ?? EMPTY,
      };
    }),
    provider: (p: number) => {
      const gpus = new Float64Array(runs * Q);
      const share = new Float64Array(runs * Q);
      for (let run = 0; run < runs; run++) {
        for (let q = 0; q < Q; q++) {
          const value = providerGpus[(run * P + p) * Q + q] ?? 0;
          const total = totalGpus[run * Q + q] ?? 0;
          gpus[run * Q + q] = value;
          share[run * Q + q] = total > 0 ? value / total : 0;
        }
      }
      return {
        gpus: percentilesByColumn(gpus, runs, Q),
        share: percentilesByColumn(share, runs, Q),
      };
    },
  };
}
