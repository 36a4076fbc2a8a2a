import { formatPeriod, periodOf } from '../core/period.js';
import type { Period } from '../core/period.js';
import type { Random } from '../core/random.js';
import type { ScenarioInput } from './schema.js';

type Building = NonNullable<ScenarioInput['buildings']>[number];

/** The capex schedule of the example: 15% at construction start, 60% three months before online, 25% online. */
const CAPEX_SCHEDULE: NonNullable<Building['capexSchedule']> = [
  { milestone: 'construction-start', percent: 15 },
  { milestone: 'online', offsetMonths: -3, percent: 60 },
  { milestone: 'online', percent: 25 },
];

/** A random delay distribution: discrete slips for some buildings, triangular for others. */
function randomDelay(random: Random): NonNullable<Building['delay']> {
  if (random.chance(0.4)) {
    const late = random.int(1, 3);
    return {
      type: 'discrete',
      outcomes: [
        { months: 0, probability: 0.5 },
        { months: late, probability: 0.3 },
        { months: late * 3, probability: 0.2 },
      ],
    };
  }
  const mode = random.int(0, 4);
  return { type: 'triangular', min: 0, mode, max: mode + random.int(2, 12) };
}

/**
 * Adds the money-and-time extensions to a generated scenario (`generateScenario`): parties
 * (the lab, four equity funders, a party per provider), a programme for the Stargate
 * buildings' capex, each building's capex schedule and delay distribution, and revenue
 * streams with revenue shares both ways. Pure: the same document and seed give the same
 * result.
 */
export function addFinance(document: ScenarioInput, random: Random): ScenarioInput {
  const horizonStart = document.horizon.start;
  const providers = document.providers.map((p) => p.id);
  const funders: Record<string, number> = { openai: 40, softbank: 40, oracle: 10, mgx: 10 };
  type PartyInput = NonNullable<ScenarioInput['parties']>[number];
  const parties: PartyInput[] = [
    { id: 'openai', name: 'OpenAI', roles: ['lab', 'funder'], equityPercent: 40 },
  ];
  for (const provider of document.providers) {
    const equity = funders[provider.id];
    parties.push({
      id: provider.id,
      name: provider.name,
      roles: equity === undefined ? ['provider'] : ['provider', 'funder'],
      providers: [provider.id],
      ...(equity === undefined ? {} : { equityPercent: equity }),
    });
  }
  for (const id of ['softbank', 'oracle', 'mgx']) {
    if (!providers.includes(id)) {
      parties.push({ id, name: id, roles: ['funder'], equityPercent: funders[id] ?? 0 });
    }
  }

  const buildings = (document.buildings ?? []).map((b) => ({
    ...b,
    capexSchedule: CAPEX_SCHEDULE,
    delay: randomDelay(random),
  }));
  const capex = buildings.reduce((sum, b) => sum + Number(b.capexUSD ?? 0), 0);
  const years = Math.max(1, Math.ceil(monthsOf(document) / 12));
  const tranche = Math.round((capex / years) * 100) / 100;
  const start = Number(horizonStart.slice(0, 4));
  const monthly = (base: number) =>
    Array.from({ length: years }, (_, y) => ({
      from: formatPeriod(Math.max(period(horizonStart), periodOf(start + y, 1)) as Period),
      to: formatPeriod(Math.min(period(document.horizon.end), periodOf(start + y, 12)) as Period),
      monthlyUSD: (base * 1.6 ** y).toFixed(2),
    }));
  const hasAzure = providers.includes('azure');

  return {
    ...document,
    parties,
    programme: {
      name: 'Generated buildout',
      company: 'stargate',
      initialUSD: (capex * 0.25).toFixed(2),
      totalUSD: (capex * 1.2 + tranche * years).toFixed(2),
      tranches: Array.from({ length: years - 1 }, (_, y) => ({
        id: `tranche-${y + 2}`,
        month: formatPeriod(periodOf(start + y + 1, 1)),
        amountUSD: tranche.toFixed(2),
      })),
      slipCorrelation: 0.5,
    },
    buildings,
    contracts: (document.contracts ?? []).map((contract) => ({
      ...contract,
      parties: ['openai', hasAzure ? 'azure' : (providers[0] ?? 'openai')],
      terms: [
        ...contract.terms,
        ...(hasAzure
          ? [
              {
                id: 'revenue-share-to-azure',
                type: 'revenue-share' as const,
                from: 'openai',
                to: 'azure',
                percent: 20,
                stream: 'openai-revenue',
              },
              {
                id: 'revenue-share-to-openai',
                type: 'revenue-share' as const,
                from: 'azure',
                to: 'openai',
                percent: 20,
                stream: 'azure-openai-service',
              },
            ]
          : []),
      ],
    })),
    revenueStreams: [
      { id: 'openai-revenue', name: 'OpenAI revenue', party: 'openai', amounts: monthly(1e9) },
      ...(hasAzure
        ? [{ id: 'azure-openai-service', party: 'azure', amounts: monthly(0.25e9) }]
        : []),
    ],
  };
}

/** What `buildoutScenario` makes. */
export interface BuildoutOptions {
  readonly buildings: number;
  readonly months: number;
  readonly random: Random;
}

/**
 * A scenario that is mostly buildout: `buildings` buildings over a few sites, coming online
 * across the horizon, each with a delay distribution, beside an existing hyperscaler pool;
 * for the forecast's benchmark and tests.
 */
export function buildoutScenario(options: BuildoutOptions): ScenarioInput {
  const { random } = options;
  const start = periodOf(2025, 1);
  const month = (offset: number) => formatPeriod((start + offset) as Period);
  const sites = Array.from({ length: Math.max(1, Math.ceil(options.buildings / 10)) }, (_, i) => ({
    id: `site-${i}`,
    provider: 'stargate',
  }));
  const buildings: Building[] = Array.from({ length: options.buildings }, (_, i) => {
    const online = random.int(2, options.months - 1);
    return {
      id: `bldg-${i}`,
      site: sites[i % sites.length]?.id ?? 'site-0',
      itMW: random.int(5, 20) * 10,
      accelerator: 'gb300',
      capexUSD: (random.int(30, 110) * 1e8).toFixed(2),
      constructionStart: month(Math.max(0, online - random.int(12, 24))),
      online: month(online),
      pricePerGpuHour: '2.00',
      rofr: 'cleared',
      capexSchedule: CAPEX_SCHEDULE,
      delay: randomDelay(random),
    };
  });
  return {
    apiVersion: 'stargate/v1',
    kind: 'Scenario',
    metadata: { name: `buildout-b${options.buildings}-m${options.months}` },
    horizon: { start: month(0), end: month(options.months - 1) },
    accelerators: [{ id: 'gb300', kwPerGpu: 2.4 }],
    providers: [
      { id: 'azure', name: 'Microsoft Azure', kind: 'hyperscaler' },
      { id: 'stargate', name: 'Stargate', kind: 'partner' },
    ],
    sites,
    pools: [
      {
        id: 'azure-gb300',
        provider: 'azure',
        accelerator: 'gb300',
        gpus: 500_000,
        window: { from: month(0), to: month(options.months - 1) },
        pricePerGpuHour: '3.40',
      },
    ],
    buildings,
    workloads: [],
    programme: {
      company: 'stargate',
      initialUSD: '100000000000',
      totalUSD: '900000000000',
      slipCorrelation: 0.5,
    },
    parties: [
      { id: 'openai', name: 'OpenAI', roles: ['lab', 'funder'], equityPercent: 50 },
      { id: 'softbank', name: 'SoftBank', roles: ['funder'], equityPercent: 50 },
    ],
  };
}

function monthsOf(document: ScenarioInput): number {
  return period(document.horizon.end) - period(document.horizon.start) + 1;
}

function period(text: string): Period {
  return periodOf(Number(text.slice(0, 4)), Number(text.slice(5, 7)));
}
