import { formatPeriod, periodOf } from '../core/period.js';
import type { Period } from '../core/period.js';
import type { Random } from '../core/random.js';
import { familyProfile, isSpacedGang } from './generate-families.js';
import type { Family, FamilyProfile } from './generate-families.js';
import type { ScenarioInput } from './schema.js';

/** What `stargate gen` makes. */
export interface GenerateOptions {
  readonly workloads: number;
  readonly pools: number;
  readonly months: number;
  /** Share of workloads that are gang pre-training runs, 0–1. */
  readonly gangShare: number;
  /** The instance family (docs/planner.md, "Families"); default `standard`. */
  readonly family?: Family;
  readonly random: Random;
}

const ACCELERATORS = [
  { id: 'h100', kwPerGpu: 1.2, price: [1.9, 2.6] as const },
  { id: 'h200', kwPerGpu: 1.4, price: [2.3, 3.1] as const },
  { id: 'gb200', kwPerGpu: 1.8, price: [2.8, 3.8] as const },
  { id: 'gb300', kwPerGpu: 2.1, price: [3.4, 4.4] as const },
];

const PROVIDERS = [
  { id: 'azure', name: 'Microsoft Azure', kind: 'hyperscaler', share: 0.3 },
  { id: 'stargate', name: 'Stargate', kind: 'owned', share: 0.35 },
  { id: 'oracle', name: 'Oracle Cloud', kind: 'partner', share: 0.1 },
  { id: 'coreweave', name: 'CoreWeave', kind: 'neocloud', share: 0.15 },
  { id: 'lambda', name: 'Lambda', kind: 'neocloud', share: 0.05 },
  { id: 'crusoe', name: 'Crusoe', kind: 'neocloud', share: 0.05 },
] as const;

const REGIONS = ['us-tx', 'us-nm', 'us-oh', 'us-wi', 'us-va', 'us-az', 'us-ga', 'us-wa'];

/**
 * A realistic random scenario in format v1: a mix of providers (hyperscaler, owned buildout,
 * partner, neoclouds), sites and buildings coming online over the horizon, pools of existing
 * and new capacity with pending and cleared rights of first refusal, gang pre-training runs,
 * research, API and consumer workloads, and a contract with exclusivity, a use restriction,
 * a right of first refusal and take-or-pay commitments. Demand is sized to about 1.1× the
 * capacity as if every workload ran 12 months (about 0.7× of it in GPU-months, as windows are
 * shorter), so that the plan has real choices to make. Pure: the same options and seed give
 * the same document. A `family` other than `standard` varies the mix (`generate-families.ts`);
 * `standard` is the generator as it always was, byte for byte.
 */
export function generateScenario(options: GenerateOptions): ScenarioInput {
  const { random } = options;
  const family = options.family ?? 'standard';
  const profile = familyProfile(family, options.gangShare);
  const start = periodOf(2025, 1);
  const end = (start + options.months - 1) as Period;
  const month = (offset: number) => formatPeriod(Math.min(end, start + offset) as Period);
  const money = (low: number, high: number) => (low + random.next() * (high - low)).toFixed(2);

  // Accelerator generations arrive over time: newer ones only after a while.
  const generationStart = (index: number) => Math.floor((index * options.months) / 6);

  const sites: ScenarioInput['sites'] = [];
  const siteCount = Math.max(1, Math.round(options.pools / 12));
  for (let s = 0; s < siteCount; s++) {
    const provider = PROVIDERS[s % PROVIDERS.length]?.id ?? 'azure';
    sites.push({ id: `site-${s}`, provider, region: REGIONS[s % REGIONS.length] ?? 'us-tx' });
  }
  const sitesOf = (provider: string) => sites.filter((site) => site.provider === provider);

  const pools: NonNullable<ScenarioInput['pools']> = [];
  const buildings: NonNullable<ScenarioInput['buildings']> = [];
  let capacity = 0;
  // Where the pools are, by month index, for the family's commitments.
  const spans: { provider: string; gpus: number; price: string; from: number; to: number }[] = [];
  for (let p = 0; p < options.pools; p++) {
    const provider = pickProvider(random);
    const acceleratorIndex = random.int(0, ACCELERATORS.length - 1);
    const accelerator = ACCELERATORS[acceleratorIndex] ?? ACCELERATORS[0];
    if (!accelerator) throw new Error('generateScenario: no accelerators');
    const from = Math.min(options.months - 1, generationStart(acceleratorIndex) + random.int(0, 6));
    const price = premium(money(accelerator.price[0], accelerator.price[1]), provider.id, profile);
    const siteChoices = sitesOf(provider.id);
    const site =
      siteChoices.length > 0 && random.chance(0.8) ? random.pick(siteChoices).id : undefined;
    if (provider.id === 'stargate' && site !== undefined) {
      const itMW = random.int(2, 20) * 10;
      const gpus = Math.floor((itMW * 1000) / accelerator.kwPerGpu);
      capacity += gpus * (options.months - from);
      buildings.push({
        id: `bldg-${p}`,
        site,
        sqft: 500000,
        itMW,
        accelerator: accelerator.id,
        capexUSD: money(2e9, 8e9),
        constructionStart: month(Math.max(0, from - 12)),
        online: month(from),
        pricePerGpuHour: price,
        rofr: random.chance(profile.rofrCleared) ? 'cleared' : 'pending',
      });
      continue;
    }
    const isNew = provider.id !== 'azure' && random.chance(profile.newShare);
    const gpus = random.int(4, 60) * 500;
    const to = Math.min(options.months - 1, from + random.int(12, options.months));
    capacity += gpus * (to - from + 1);
    spans.push({ provider: provider.id, gpus, price, from, to });
    pools.push({
      id: `pool-${p}`,
      provider: provider.id,
      ...(site === undefined ? {} : { site }),
      accelerator: accelerator.id,
      gpus,
      window: { from: month(from), to: month(to) },
      pricePerGpuHour: price,
      origin: isNew ? 'new' : 'existing',
      ...(isNew ? { rofr: random.chance(profile.rofrCleared) ? 'cleared' : 'pending' } : {}),
    });
  }

  // Size demand to about 1.1× capacity, in GPU-months (or as the family says). The shapes are
  // drawn first and the GPUs set after, from no draws, so the stream is the standard's.
  const averageMonths = Math.max(1, Math.min(12, options.months));
  const shapes: WorkloadShape[] = [];
  for (let w = 0; w < options.workloads; w++) {
    const drawn = random.next() < profile.gangShare;
    const gang = profile.exactGangCount
      ? isSpacedGang(w, options.workloads, profile.gangShare)
      : drawn;
    const kind = gang
      ? 'training'
      : random.pick(['research', 'api', 'consumer', 'research', 'api']);
    const accelerators = acceleratorsOf(random, profile);
    const [shortest, longest] = gang ? profile.gangMonths : ([3, 12] as const);
    const length = Math.min(options.months, random.int(shortest, longest));
    const from = random.int(0, Math.max(0, options.months - length));
    const size = gang ? random.int(10, 30) / 10 : random.int(3, 17) / 10;
    const value = money(gang ? 4 : 2.5, gang ? 9 : 7);
    shapes.push({ gang, kind, accelerators, length, from, size, value });
  }
  const perWorkload =
    profile.demandToCapacity === undefined
      ? (1.1 * capacity) / Math.max(1, options.workloads) / averageMonths
      : (profile.demandToCapacity * capacity) /
        Math.max(
          1,
          shapes.reduce((sum, s) => sum + s.size * Math.min(s.length, options.months - s.from), 0),
        );
  const workloads: ScenarioInput['workloads'] = shapes.map((shape, w) => ({
    id: `${shape.kind}-${w}`,
    class: shape.kind,
    accelerators: shape.accelerators,
    gpus: Math.max(8, Math.round((perWorkload * shape.size) / 8) * 8),
    window: { from: month(shape.from), to: month(shape.from + shape.length - 1) },
    valuePerGpuHour: shape.value,
    ...(shape.gang ? { gang: true } : {}),
  }));

  const azureMonthly = pools
    .filter((pool) => pool.provider === 'azure')
    .reduce((sum, pool) => sum + pool.gpus * 730 * Number(pool.pricePerGpuHour), 0);
  const horizon = { start: month(0), end: month(options.months - 1) };
  return {
    apiVersion: 'stargate/v1',
    kind: 'Scenario',
    metadata: {
      name: `gen-w${options.workloads}-p${options.pools}-m${options.months}`,
      description: 'Generated by stargate gen',
    },
    horizon,
    accelerators: ACCELERATORS.map(({ id, kwPerGpu }) => ({ id, kwPerGpu })),
    providers: PROVIDERS.map(({ id, name, kind }) => ({ id, name, kind })),
    sites,
    pools,
    buildings,
    workloads,
    contracts: [
      {
        id: 'msft-openai',
        parties: ['openai', 'microsoft'],
        effective: { from: horizon.start, to: horizon.end },
        terms: [
          { id: 'api-on-azure', type: 'exclusivity', classes: ['api'], provider: 'azure' },
          { id: 'msft-rofr', type: 'rofr', holder: 'azure', responseDays: 30 },
          {
            id: 'new-capacity-use',
            type: 'use-restriction',
            pools: {
              origin: 'new',
              providers: ['stargate', 'oracle', 'coreweave', 'lambda', 'crusoe'],
            },
            classes: ['training', 'research'],
          },
          // Half of Azure's capacity as if every pool ran the whole horizon: more than its
          // pools can take, so in the standard mix Azure's spend is always short.
          ...(profile.extraCommitments.some((commitment) => commitment.provider === 'azure')
            ? []
            : [
                {
                  id: 'azure-commitment',
                  type: 'commitment' as const,
                  provider: 'azure',
                  minSpendUSD: (azureMonthly * options.months * 0.5).toFixed(2),
                  window: { from: horizon.start, to: horizon.end },
                },
              ]),
          ...profile.extraCommitments.map((commitment) => {
            const first = Math.floor(commitment.window[0] * options.months);
            const last = Math.max(first, Math.ceil(commitment.window[1] * options.months) - 1);
            const full = spans.reduce((sum, span) => {
              if (span.provider !== commitment.provider) return sum;
              const months = Math.min(last, span.to) - Math.max(first, span.from) + 1;
              return sum + span.gpus * 730 * Number(span.price) * Math.max(0, months);
            }, 0);
            return {
              id: `${commitment.provider}-commitment`,
              type: 'commitment' as const,
              provider: commitment.provider,
              minSpendUSD: (full * commitment.shareOfCapacity).toFixed(2),
              window: { from: month(first), to: month(last) },
            };
          }),
        ],
      },
    ],
  };
}

/** A workload as drawn, before its GPUs are sized against the capacity. */
interface WorkloadShape {
  readonly gang: boolean;
  readonly kind: string;
  readonly accelerators: string[];
  readonly length: number;
  readonly from: number;
  readonly size: number;
  readonly value: string;
}

/** The accelerators a workload accepts: the standard's one or two, or the family's many. */
function acceleratorsOf(random: Random, profile: FamilyProfile): string[] {
  const range = profile.acceleratorsPerWorkload;
  if (range === undefined) {
    const first = random.int(0, ACCELERATORS.length - 1);
    const accelerators = [ACCELERATORS[first]?.id ?? 'h100'];
    const second = ACCELERATORS[first + 1];
    if (second && random.chance(0.5)) accelerators.push(second.id);
    return accelerators;
  }
  const count = random.int(range[0], range[1]);
  const left = ACCELERATORS.map((accelerator) => accelerator.id);
  const chosen: string[] = [];
  while (chosen.length < count && left.length > 0) {
    chosen.push(left.splice(random.int(0, left.length - 1), 1)[0] ?? 'h100');
  }
  // In the catalogue's order, as a person would list them.
  return ACCELERATORS.map((a) => a.id).filter((id) => chosen.includes(id));
}

/** A drawn price, raised by the family's premium on the provider. */
function premium(price: string, provider: string, profile: FamilyProfile): string {
  const factor = profile.premium[provider];
  return factor === undefined ? price : (Number(price) * factor).toFixed(2);
}

function pickProvider(random: Random): (typeof PROVIDERS)[number] {
  let roll = random.next();
  for (const provider of PROVIDERS) {
    roll -= provider.share;
    if (roll < 0) return provider;
  }
  return PROVIDERS[0];
}
