import fc from 'fast-check';
import type { Scenario } from '../core/model.js';
import { validateScenario } from '../scenario/parse.js';
import { monthIndex, monthText } from './reference.js';

/**
 * fast-check arbitraries for scenario documents in format v1, written the way a user writes
 * them: plain objects, ids and periods as text, prices as decimal strings, optional keys left
 * out. Every document they produce is valid; `toScenario` checks that through the real
 * boundary (`validateScenario`), so a generator bug shows up as a thrown error, not as a
 * silently different scenario.
 */

export interface RawRange {
  from: string;
  to: string;
}

export interface RawSelector {
  providers?: string[];
  origin?: 'existing' | 'new';
  sites?: string[];
  accelerators?: string[];
}

export type RawTerm =
  | { id: string; type: 'exclusivity'; classes: string[]; provider: string }
  | { id: string; type: 'use-restriction'; pools: RawSelector; classes: string[] }
  | {
      id: string;
      type: 'commitment';
      provider: string;
      minSpendUSD: string | number;
      window: RawRange;
    }
  | { id: string; type: 'rofr'; holder: string; responseDays: number; pools?: RawSelector }
  | { id: string; type: 'revenue-share'; from: string; to: string; percent: number; stream: string }
  | { id: string; type: 'note'; text: string };

export interface RawPool {
  id: string;
  provider: string;
  site?: string;
  accelerator: string;
  gpus: number;
  window: RawRange;
  pricePerGpuHour: string;
  origin?: 'existing' | 'new';
  rofr?: 'pending' | 'cleared';
}

export interface RawBuilding {
  id: string;
  site: string;
  itMW: number;
  accelerator: string;
  gpus?: number;
  constructionStart?: string;
  online: string;
  pricePerGpuHour: string;
  origin?: 'existing' | 'new';
  rofr?: 'pending' | 'cleared';
}

export interface RawWorkload {
  id: string;
  team?: string;
  class: string;
  accelerators: string[];
  gpus: number;
  window: RawRange;
  valuePerGpuHour: string;
  gang?: boolean;
}

export interface RawContract {
  id: string;
  parties: string[];
  effective: RawRange;
  terms: RawTerm[];
}

export interface RawScenario {
  apiVersion: 'stargate/v1';
  kind: 'Scenario';
  metadata: { name: string; description?: string };
  horizon: { start: string; end: string };
  accelerators: { id: string; kwPerGpu: number }[];
  providers: { id: string; name: string; kind: 'hyperscaler' | 'owned' | 'neocloud' | 'partner' }[];
  sites?: { id: string; provider: string; region?: string }[];
  pools?: RawPool[];
  buildings?: RawBuilding[];
  workloads: RawWorkload[];
  contracts?: RawContract[];
}

/** A generated document and the core scenario the boundary makes of it. */
export interface GeneratedScenario {
  readonly document: RawScenario;
  readonly scenario: Scenario;
}

/** Bounds of one size of generated scenario. */
interface Size {
  readonly periods: number;
  readonly accelerators: number;
  readonly pools: number;
  readonly buildings: number;
  /** Pools and buildings together (buildings become pools). */
  readonly capacity: number;
  readonly workloads: number;
  readonly gpus: number;
  readonly contracts: number;
  readonly terms: number;
  /** Commitment terms over all contracts. */
  readonly commitments: number;
  readonly minSpendUSD: number;
}

const TINY: Size = {
  periods: 2,
  accelerators: 2,
  pools: 2,
  buildings: 1,
  capacity: 2,
  workloads: 2,
  gpus: 3,
  contracts: 2,
  terms: 3,
  commitments: 1,
  minSpendUSD: 10_000,
};

const SMALL: Size = {
  periods: 4,
  accelerators: 3,
  pools: 5,
  buildings: 2,
  capacity: 7,
  workloads: 5,
  gpus: 40,
  contracts: 2,
  terms: 4,
  commitments: 4,
  minSpendUSD: 150_000,
};

export const CLASSES = ['api', 'training', 'research'] as const;
const ACCELERATOR_IDS = ['gb200', 'h100', 'mi300x'];
const KW_PER_GPU = [0.7, 1, 1.2, 1.5, 1.8, 2];
const PROVIDERS = [
  { id: 'azure', name: 'Microsoft Azure' },
  { id: 'coreweave', name: 'CoreWeave' },
  { id: 'stargate', name: 'Stargate LLC' },
];
const PROVIDER_KINDS = ['hyperscaler', 'owned', 'neocloud', 'partner'] as const;
const SITE_IDS = ['abilene', 'va-east'];
// Ids with digits, dots and underscores, so that code-point order differs from input order.
const POOL_IDS = ['az-va', 'cw.nj', 'oci_1', 'p-2', 'pool9', 'sg-a', 'z0'];
const BUILDING_IDS = ['abilene-b1', 'abilene-b2', 'b.0'];
const WORKLOAD_IDS = ['api-serve', 'eval', 'pretrain', 'rl.2', 'w_9', 'zz'];
const PARTIES = [
  ['openai', 'microsoft'],
  ['openai', 'oracle', 'softbank'],
];

interface Catalog {
  readonly start: number;
  readonly length: number;
  readonly accelerators: readonly { id: string; kwPerGpu: number }[];
  readonly providers: readonly RawScenario['providers'][number][];
  readonly sites: readonly { id: string; provider: string }[];
}

/** n distinct ids from a list, in random order. */
function ids(list: readonly string[], n: number): fc.Arbitrary<string[]> {
  return fc.shuffledSubarray([...list], { minLength: n, maxLength: n });
}

/** One value per item, generated from the item. */
function each<T, U>(items: readonly T[], make: (item: T) => fc.Arbitrary<U>): fc.Arbitrary<U[]> {
  return fc.tuple(...items.map(make));
}

/** A decimal string with at most `decimals` digits after the point, from 0 to `max`. */
function decimal(max: number, decimals: number): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: decimals }).chain((d) =>
    fc.integer({ min: 0, max: max * 10 ** d }).map((units) => {
      if (d === 0) return String(units);
      const scale = 10 ** d;
      return `${Math.floor(units / scale)}.${String(units % scale).padStart(d, '0')}`;
    }),
  );
}

/** A price per GPU-hour; a few fixed values make ties between pools likely. */
function price(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('0', '1.5', '2', '2.000000', '2.35') },
    { weight: 3, arbitrary: decimal(max, 6) },
  );
}

/** A GPU count from 0 to `max`, rarely 0 so that most workloads and pools matter. */
function gpuCount(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 5, arbitrary: fc.integer({ min: 1, max }) },
  );
}

/**
 * A range in the horizon's neighbourhood: often the whole horizon, mostly inside it,
 * sometimes reaching a month past either end, so that clipping to the horizon is exercised.
 */
function range(catalog: Catalog): fc.Arbitrary<RawRange> {
  const { start, length } = catalog;
  const offsets = (min: number, max: number) =>
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => ({
      from: monthText(start + Math.min(a, b)),
      to: monthText(start + Math.max(a, b)),
    }));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(horizonRange(catalog)) },
    { weight: 3, arbitrary: offsets(0, length - 1) },
    { weight: 1, arbitrary: offsets(-1, length) },
  );
}

function horizonRange(catalog: Catalog): RawRange {
  return { from: monthText(catalog.start), to: monthText(catalog.start + catalog.length - 1) };
}

function selector(catalog: Catalog): fc.Arbitrary<RawSelector> {
  const providerIds = catalog.providers.map((p) => p.id);
  const siteIds = catalog.sites.map((s) => s.id);
  const acceleratorIds = catalog.accelerators.map((a) => a.id);
  const maybe = <T>(arbitrary: fc.Arbitrary<T>) =>
    fc.option(arbitrary, { nil: undefined, freq: 2 });
  return fc
    .record({
      providers: maybe(fc.subarray(providerIds, { minLength: 1 })),
      origin: maybe(fc.constantFrom('existing' as const, 'new' as const)),
      sites:
        siteIds.length > 0 ? maybe(fc.subarray(siteIds, { minLength: 1 })) : fc.constant(undefined),
      accelerators: maybe(fc.subarray(acceleratorIds, { minLength: 1 })),
    })
    .map((s) => ({
      ...(s.providers ? { providers: s.providers } : {}),
      ...(s.origin ? { origin: s.origin } : {}),
      ...(s.sites ? { sites: s.sites } : {}),
      ...(s.accelerators ? { accelerators: s.accelerators } : {}),
    }));
}

type TermBody = RawTerm extends infer T ? (T extends RawTerm ? Omit<T, 'id'> : never) : never;

function term(catalog: Catalog, size: Size): fc.Arbitrary<TermBody> {
  const providerIds = catalog.providers.map((p) => p.id);
  const classes = fc.subarray([...CLASSES], { minLength: 1 });
  const provider = fc.constantFrom(...providerIds);
  return fc.oneof(
    fc.record({ type: fc.constant('exclusivity' as const), classes, provider }),
    fc.record({
      type: fc.constant('use-restriction' as const),
      pools: selector(catalog),
      classes,
    }),
    fc.record({
      type: fc.constant('commitment' as const),
      provider,
      minSpendUSD: fc.oneof(decimal(size.minSpendUSD, 2), decimal(size.minSpendUSD, 2).map(Number)),
      window: range(catalog),
    }),
    fc
      .record({
        holder: provider,
        responseDays: fc.integer({ min: 1, max: 90 }),
        pools: fc.option(selector(catalog), { nil: undefined }),
      })
      .map(({ holder, responseDays, pools }) => ({
        type: 'rofr' as const,
        holder,
        responseDays,
        ...(pools ? { pools } : {}),
      })),
    fc.record({
      type: fc.constant('revenue-share' as const),
      from: fc.constant('microsoft'),
      to: fc.constant('openai'),
      percent: fc.integer({ min: 0, max: 100 }),
      stream: fc.constantFrom('azure-openai', 'bing'),
    }),
    fc.record({
      type: fc.constant('note' as const),
      text: fc.constantFrom('IP rights until AGI is declared', 'termination on change of control'),
    }),
  );
}

function contract(catalog: Catalog, size: Size): fc.Arbitrary<Omit<RawContract, 'id'>> {
  return fc.record({
    parties: fc.constantFrom(...PARTIES).map((parties) => [...parties]),
    // Often the whole horizon, sometimes only part of it, so terms bind in some months only.
    effective: fc.oneof(fc.constant(horizonRange(catalog)), range(catalog)),
    terms: fc
      .array(term(catalog, size), { maxLength: size.terms })
      .map((terms) => terms.map((body, i): RawTerm => ({ id: `t${i}`, ...body }))),
  });
}

function origin(): fc.Arbitrary<Pick<RawPool, 'origin' | 'rofr'>> {
  return fc.oneof(
    fc.constant({}),
    fc.constant({ origin: 'existing' as const }),
    fc
      .constantFrom(undefined, 'pending' as const, 'cleared' as const)
      .map((rofr) => ({ origin: 'new' as const, ...(rofr ? { rofr } : {}) })),
  );
}

function pool(catalog: Catalog, size: Size): fc.Arbitrary<Omit<RawPool, 'id'>> {
  const where = fc.oneof(
    fc.constantFrom(...catalog.providers.map((p) => ({ provider: p.id }))),
    ...(catalog.sites.length > 0
      ? [fc.constantFrom(...catalog.sites.map((s) => ({ provider: s.provider, site: s.id })))]
      : []),
  );
  return fc
    .record({
      where,
      accelerator: fc.constantFrom(...catalog.accelerators.map((a) => a.id)),
      gpus: gpuCount(size.gpus),
      window: range(catalog),
      pricePerGpuHour: price(6),
      origin: origin(),
    })
    .map(({ where: at, origin: o, ...rest }) => ({ ...at, ...rest, ...o }));
}

function building(catalog: Catalog, size: Size): fc.Arbitrary<Omit<RawBuilding, 'id'>> {
  // Tiny scenarios name the GPUs; small ones sometimes derive them from power, with figures
  // (0.006 MW at 1.2 kW per GPU) where binary floating point would round the wrong way.
  const gpus =
    size.gpus <= 3
      ? gpuCount(size.gpus).map((n) => ({ gpus: n }))
      : fc.oneof(
          gpuCount(size.gpus).map((n) => ({ gpus: n })),
          fc.constant({}),
        );
  return fc
    .record({
      site: fc.constantFrom(...catalog.sites.map((s) => s.id)),
      itMW: fc.constantFrom(0.006, 0.012, 0.03, 0.036),
      accelerator: fc.constantFrom(...catalog.accelerators.map((a) => a.id)),
      gpus,
      online: fc.integer({ min: -1, max: catalog.length - 1 }),
      lead: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
      pricePerGpuHour: price(6),
      origin: fc.oneof(
        fc.constant({}),
        fc.constant({ origin: 'existing' as const }),
        fc
          .constantFrom(undefined, 'pending' as const, 'cleared' as const)
          .map((rofr) => ({ ...(rofr ? { rofr } : {}) })),
      ),
    })
    .map(({ gpus: n, online, lead, origin: o, ...rest }) => ({
      ...rest,
      ...n,
      online: monthText(catalog.start + online),
      ...(lead === undefined
        ? {}
        : { constructionStart: monthText(catalog.start + online - lead) }),
      ...o,
    }));
}

function workload(catalog: Catalog, size: Size): fc.Arbitrary<Omit<RawWorkload, 'id'>> {
  const acceleratorIds = catalog.accelerators.map((a) => a.id);
  return fc
    .record({
      team: fc.option(fc.constantFrom('research', 'applied'), { nil: undefined }),
      class: fc.constantFrom(...CLASSES),
      accelerators: fc.shuffledSubarray(acceleratorIds, { minLength: 1 }),
      gpus: gpuCount(size.gpus),
      window: range(catalog),
      valuePerGpuHour: price(12),
      gang: fc.constantFrom(undefined, true, false),
    })
    .map(({ team, gang, ...rest }) => ({
      ...rest,
      ...(team === undefined ? {} : { team }),
      ...(gang === undefined ? {} : { gang }),
    }));
}

function catalog(size: Size): fc.Arbitrary<Catalog> {
  const start = fc.oneof(
    // Around a leap February and across a year end.
    fc.constant(monthIndex('2028-01')),
    fc.constant(monthIndex('2027-12')),
    fc.integer({ min: monthIndex('2025-01'), max: monthIndex('2029-12') }),
  );
  return fc
    .record({
      start,
      length: fc.integer({ min: 1, max: size.periods }),
      accelerators: fc
        .shuffledSubarray(ACCELERATOR_IDS, { minLength: 1, maxLength: size.accelerators })
        .chain((list) =>
          each(list, (id) => fc.constantFrom(...KW_PER_GPU).map((kwPerGpu) => ({ id, kwPerGpu }))),
        ),
      providers: fc
        .shuffledSubarray(PROVIDERS, { minLength: 1 })
        .chain((list) =>
          each(list, (p) => fc.constantFrom(...PROVIDER_KINDS).map((kind) => ({ ...p, kind }))),
        ),
      siteCount: fc.integer({ min: 0, max: 2 }),
    })
    .chain(({ siteCount, ...rest }) =>
      each(SITE_IDS.slice(0, siteCount), (id) =>
        fc.constantFrom(...rest.providers.map((p) => p.id)).map((provider) => ({ id, provider })),
      ).map((sites) => ({ ...rest, sites })),
    );
}

function document(size: Size): fc.Arbitrary<RawScenario> {
  return catalog(size).chain((cat) => {
    const pools = fc
      .array(pool(cat, size), { minLength: 1, maxLength: size.pools })
      .chain((list) =>
        ids(POOL_IDS, list.length).map((names) =>
          list.map((p, i) => ({ id: names[i] ?? '', ...p })),
        ),
      );
    return pools.chain((poolList) => {
      const room = Math.min(size.buildings, size.capacity - poolList.length);
      const buildings =
        cat.sites.length > 0 && room > 0
          ? fc
              .array(building(cat, size), { maxLength: room })
              .chain((list) =>
                ids(BUILDING_IDS, list.length).map((names) =>
                  list.map((b, i) => ({ id: names[i] ?? '', ...b })),
                ),
              )
          : fc.constant<RawBuilding[]>([]);
      const workloads = fc
        .array(workload(cat, size), { minLength: 1, maxLength: size.workloads })
        .chain((list) =>
          ids(WORKLOAD_IDS, list.length).map((names) =>
            list.map((w, i) => ({ id: names[i] ?? '', ...w })),
          ),
        );
      const contracts = fc.array(contract(cat, size), { maxLength: size.contracts }).map((list) =>
        limitCommitments(
          list.map((c, i) => ({ id: `c${i}`, ...c })),
          size,
        ),
      );
      return fc
        .record({ buildings, workloads, contracts, name: fc.constantFrom('prop', 'stargate-2025') })
        .map(
          ({ buildings: buildingList, workloads: workloadList, contracts: contractList, name }) => {
            const raw: RawScenario = {
              apiVersion: 'stargate/v1',
              kind: 'Scenario',
              metadata: { name },
              horizon: { start: monthText(cat.start), end: monthText(cat.start + cat.length - 1) },
              accelerators: cat.accelerators.map((a) => ({ ...a })),
              providers: cat.providers.map((p) => ({ ...p })),
              pools: poolList,
              workloads: workloadList,
            };
            if (cat.sites.length > 0) raw.sites = cat.sites.map((s) => ({ ...s }));
            if (buildingList.length > 0) raw.buildings = buildingList;
            if (contractList.length > 0) raw.contracts = contractList;
            return raw;
          },
        );
    });
  });
}

/** Keeps the first `size.commitments` commitment terms, dropping later ones. */
function limitCommitments(contracts: RawContract[], size: Size): RawContract[] {
  let left = size.commitments;
  return contracts.map((c) => ({
    ...c,
    terms: c.terms.filter((t) => t.type !== 'commitment' || left-- > 0),
  }));
}

/** Runs a generated document through the real boundary; throws when it is not valid. */
export function toScenario(raw: RawScenario): Scenario {
  const result = validateScenario(raw);
  if (!result.ok) {
    throw new Error(
      `generated scenario is not valid: ${result.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`,
    );
  }
  return result.scenario;
}

const generated = (raw: fc.Arbitrary<RawScenario>): fc.Arbitrary<GeneratedScenario> =>
  raw.map((doc) => ({ document: doc, scenario: toScenario(doc) }));

/**
 * Documents small enough to enumerate every plan: at most 2 pools (buildings included),
 * 2 workloads, 2 periods, 3 GPUs per pool or workload and 1 commitment.
 */
export const tinyDocument: fc.Arbitrary<RawScenario> = document(TINY);

/** Documents with 1–5 pools, 0–2 buildings, 1–5 workloads, 0–40 GPUs, 1–4 periods. */
export const smallDocument: fc.Arbitrary<RawScenario> = document(SMALL);

/** `tinyDocument` with its core scenario. */
export const tinyScenario: fc.Arbitrary<GeneratedScenario> = generated(tinyDocument);

/** `smallDocument` with its core scenario. */
export const smallScenario: fc.Arbitrary<GeneratedScenario> = generated(smallDocument);
