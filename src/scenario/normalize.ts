import type { Building, Contract, Pool, PoolSelector, Scenario, Term } from '../core/model.js';
import type { Micros } from '../core/money.js';
import { parseUSD } from '../core/money.js';
import type { Period, PeriodRange } from '../core/period.js';
import { compareText } from '../core/order.js';
import { parsePeriod } from '../core/period.js';
import { normalizeBuildingExtensions, normalizeFinance } from './normalize-finance.js';
import type { ScenarioInput } from './schema.js';

/**
 * Turns a validated scenario document into the core's model: periods as integers, money as
 * micro-dollars, defaults filled in, buildings turned into pools. Call it only on input that
 * passed the schema and the reference checks.
 */
export function normalizeScenario(input: ScenarioInput): Scenario {
  const horizon = { from: period(input.horizon.start), to: period(input.horizon.end) };
  const accelerators = input.accelerators.map((a) => ({
    id: a.id,
    kwPerGpu: a.kwPerGpu,
    ...(a.name === undefined ? {} : { name: a.name }),
  }));
  const kwPerGpu = new Map(input.accelerators.map((a) => [a.id, a.kwPerGpu]));
  const sites = (input.sites ?? []).map((s) => compact(s));
  const siteProvider = new Map(sites.map((s) => [s.id, s.provider]));

  const buildings: Building[] = (input.buildings ?? []).map((b) => ({
    id: b.id,
    site: b.site,
    itMW: b.itMW,
    accelerator: b.accelerator,
    gpus: b.gpus ?? gpusFromPower(b.itMW, kwPerGpu.get(b.accelerator) ?? 1),
    online: period(b.online),
    pricePerGpuHour: usd(b.pricePerGpuHour, 6),
    origin: b.origin ?? 'new',
    rofr: b.rofr ?? 'pending',
    ...(b.sqft === undefined ? {} : { sqft: b.sqft }),
    ...(b.capexUSD === undefined ? {} : { capex: usd(b.capexUSD, 2) }),
    ...(b.constructionStart === undefined
      ? {}
      : { constructionStart: period(b.constructionStart) }),
    ...normalizeBuildingExtensions(
      b,
      period(b.online),
      b.capexUSD === undefined ? undefined : usd(b.capexUSD, 2),
    ),
  }));

  const pools: Pool[] = [
    ...(input.pools ?? []).map((p): Pool => ({
      id: p.id,
      provider: p.provider,
      accelerator: p.accelerator,
      gpus: p.gpus,
      window: range(p.window),
      pricePerGpuHour: usd(p.pricePerGpuHour, 6),
      origin: p.origin ?? 'existing',
      rofr: p.rofr ?? 'pending',
      ...(p.site === undefined ? {} : { site: p.site }),
    })),
    ...buildings.map((b): Pool => ({
      id: b.id,
      provider: siteProvider.get(b.site) ?? '',
      site: b.site,
      accelerator: b.accelerator,
      gpus: b.gpus,
      window: { from: b.online, to: horizon.to },
      pricePerGpuHour: b.pricePerGpuHour,
      origin: b.origin,
      rofr: b.rofr,
      building: b.id,
    })),
  ].sort((a, b) => compareText(a.id, b.id));

  const workloads = input.workloads.map((w) => ({
    id: w.id,
    class: w.class,
    accelerators: [...w.accelerators],
    gpus: w.gpus,
    window: range(w.window),
    valuePerGpuHour: usd(w.valuePerGpuHour, 6),
    gang: w.gang ?? false,
    ...(w.team === undefined ? {} : { team: w.team }),
    ...(w.description === undefined ? {} : { description: w.description }),
  }));
  // Sorted like pools, so that the order of a file's lists never changes the plan.
  workloads.sort((a, b) => compareText(a.id, b.id));

  const contracts: Contract[] = (input.contracts ?? []).map((c) => ({
    id: c.id,
    parties: [...c.parties],
    effective: range(c.effective),
    terms: c.terms.map(normalizeTerm),
    ...(c.name === undefined ? {} : { name: c.name }),
  }));

  return {
    name: input.metadata.name,
    horizon,
    accelerators,
    providers: input.providers.map((p) => ({ ...p })),
    sites,
    pools,
    buildings,
    workloads,
    contracts,
    ...normalizeFinance(input, horizon.from),
    ...(input.metadata.description === undefined
      ? {}
      : { description: input.metadata.description }),
  };
}

function normalizeTerm(
  term: ScenarioInput['contracts'] extends (infer C)[] | undefined
    ? C extends { terms: (infer T)[] }
      ? T
      : never
    : never,
): Term {
  switch (term.type) {
    case 'exclusivity':
      return {
        type: 'exclusivity',
        id: term.id,
        classes: [...term.classes],
        provider: term.provider,
      };
    case 'use-restriction':
      return {
        type: 'use-restriction',
        id: term.id,
        pools: selector(term.pools),
        classes: [...term.classes],
      };
    case 'commitment':
      return {
        type: 'commitment',
        id: term.id,
        provider: term.provider,
        minSpend: usd(term.minSpendUSD, 2),
        window: range(term.window),
      };
    case 'rofr':
      return {
        type: 'rofr',
        id: term.id,
        holder: term.holder,
        responseDays: term.responseDays,
        pools: term.pools ? selector(term.pools) : { origin: 'new' },
      };
    case 'revenue-share':
      return { ...term };
    case 'note':
      return { ...term };
  }
}

function selector(input: {
  providers?: string[] | undefined;
  origin?: 'existing' | 'new' | undefined;
  sites?: string[] | undefined;
  accelerators?: string[] | undefined;
}): PoolSelector {
  return {
    ...(input.providers ? { providers: [...input.providers] } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
    ...(input.sites ? { sites: [...input.sites] } : {}),
    ...(input.accelerators ? { accelerators: [...input.accelerators] } : {}),
  };
}

function period(text: string): Period {
  const parsed = parsePeriod(text);
  if (parsed === undefined) throw new Error(`normalizeScenario: unchecked period ${text}`);
  return parsed;
}

function range(input: { from: string; to: string }): PeriodRange {
  return { from: period(input.from), to: period(input.to) };
}

function usd(value: string | number, decimals: number): Micros {
  const parsed = parseUSD(value, decimals);
  if (!parsed.ok) throw new Error(`normalizeScenario: unchecked amount ${String(value)}`);
  return parsed.micros;
}

/**
 * floor(itMW × 1000 / kwPerGpu), computed on the decimal values as written so that
 * 1.2 MW at 1.2 kW per GPU is exactly 1,000 GPUs, not 999.
 */
export function gpusFromPower(itMW: number, kwPerGpu: number): number {
  const mw = rational(itMW);
  const kw = rational(kwPerGpu);
  // (mw.n / mw.d) × 1000 / (kw.n / kw.d) = mw.n × 1000 × kw.d / (mw.d × kw.n)
  return Number((mw.n * 1000n * kw.d) / (mw.d * kw.n));
}

function rational(value: number): { n: bigint; d: bigint } {
  const parsed = parseUSD(value, 12);
  // parseUSD keeps six decimals; power figures beyond that are not meaningful.
  if (parsed.ok) return { n: parsed.micros, d: 1_000_000n };
  return { n: BigInt(Math.round(value * 1e6)), d: 1_000_000n };
}

type Compact<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops keys whose value is undefined: zod's optional fields meet exact optional types. */
function compact<T extends object>(value: T): Compact<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== undefined),
  ) as Compact<T>;
}
