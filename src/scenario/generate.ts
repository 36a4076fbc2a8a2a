import { formatPeriod, periodOf } from '../core/period.js';
import type { Period } from '../core/period.js';
import type { Random } from '../core/random.js';
import type { ScenarioInput } from './schema.js';

/** What `stargate gen` makes. */
export interface GenerateOptions {
  readonly workloads: number;
  readonly pools: number;
  readonly months: number;
  /** Share of workloads that are gang pre-training runs, 0–1. */
  readonly gangShare: number;
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
 * capacity so that the plan has real choices to make. Pure: the same options and seed give
 * the same document.
 */
export function generateScenario(options: GenerateOptions): ScenarioInput {
  const { random } = options;
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
  for (let p = 0; p < options.pools; p++) {
    const provider = pickProvider(random);
    const acceleratorIndex = random.int(0, ACCELERATORS.length - 1);
    const accelerator = ACCELERATORS[acceleratorIndex] ?? ACCELERATORS[0];
    if (!accelerator) throw new Error('generateScenario: no accelerators');
    const from = Math.min(options.months - 1, generationStart(acceleratorIndex) + random.int(0, 6));
    const price = money(accelerator.price[0], accelerator.price[1]);
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
        rofr: random.chance(0.6) ? 'cleared' : 'pending',
      });
      continue;
    }
    const isNew = provider.id !== 'azure' && random.chance(0.5);
    const gpus = random.int(4, 60) * 500;
    const to = Math.min(options.months - 1, from + random.int(12, options.months));
    capacity += gpus * (to - from + 1);
    pools.push({
      id: `pool-${p}`,
      provider: provider.id,
      ...(site === undefined ? {} : { site }),
      accelerator: accelerator.id,
      gpus,
      window: { from: month(from), to: month(to) },
      pricePerGpuHour: price,
      origin: isNew ? 'new' : 'existing',
      ...(isNew ? { rofr: random.chance(0.6) ? 'cleared' : 'pending' } : {}),
    });
  }

  // Size demand to about 1.1× capacity, in GPU-months.
  const averageMonths = Math.max(1, Math.min(12, options.months));
  const perWorkload = (1.1 * capacity) / Math.max(1, options.workloads) / averageMonths;
  const workloads: ScenarioInput['workloads'] = [];
  for (let w = 0; w < options.workloads; w++) {
    const gang = random.next() < options.gangShare;
    const kind = gang
      ? 'training'
      : random.pick(['research', 'api', 'consumer', 'research', 'api']);
    const first = random.int(0, ACCELERATORS.length - 1);
    const accelerators = [ACCELERATORS[first]?.id ?? 'h100'];
    const second = ACCELERATORS[first + 1];
    if (second && random.chance(0.5)) accelerators.push(second.id);
    const length = gang ? random.int(2, 6) : random.int(3, 12);
    const from = random.int(0, Math.max(0, options.months - length));
    const size = gang ? random.int(10, 30) / 10 : random.int(3, 17) / 10;
    const gpus = Math.max(8, Math.round((perWorkload * size) / 8) * 8);
    workloads.push({
      id: `${kind}-${w}`,
      class: kind,
      accelerators,
      gpus,
      window: { from: month(from), to: month(from + length - 1) },
      valuePerGpuHour: money(gang ? 4 : 2.5, gang ? 9 : 7),
      ...(gang ? { gang: true } : {}),
    });
  }

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
          {
            id: 'azure-commitment',
            type: 'commitment',
            provider: 'azure',
            minSpendUSD: (azureMonthly * options.months * 0.5).toFixed(2),
            window: { from: horizon.start, to: horizon.end },
          },
        ],
      },
    ],
  };
}

function pickProvider(random: Random): (typeof PROVIDERS)[number] {
  let roll = random.next();
  for (const provider of PROVIDERS) {
    roll -= provider.share;
    if (roll < 0) return provider;
  }
  return PROVIDERS[0];
}
