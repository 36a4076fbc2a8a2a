import { describe, expect, it } from 'vitest';
import type { LateDelivery, PlanRiskJson, PlanSummary, PlanValue } from '../api-types';
import type { BuildingDoc, PoolDoc, SiteDoc } from './buildout-data';
import {
  buildingGpus,
  buildingState,
  buildoutHorizon,
  buildoutRows,
  countStates,
  delayRange,
  delayText,
  deliveredByPool,
  latestPlanId,
  monthOfDate,
  moveText,
  scheduleWorthRows,
  slipCostText,
  slipText,
} from './buildout-data';

const building = (over: Partial<BuildingDoc> & { id: string }): BuildingDoc => ({
  site: 'abilene',
  itMW: 100,
  accelerator: 'gb200',
  online: '2026-06',
  pricePerGpuHour: '1.60',
  ...over,
});

const SITES: SiteDoc[] = [
  { id: 'milam', provider: 'stargate', name: 'Milam County' },
  { id: 'abilene', provider: 'stargate', name: 'Abilene' },
  { id: 'azure-east', provider: 'azure' },
];

describe('monthOfDate', () => {
  it('is the month of the browser clock', () => {
    expect(monthOfDate(new Date(2026, 11, 31, 23, 59))).toBe('2026-12');
    expect(monthOfDate(new Date(2027, 0, 1))).toBe('2027-01');
  });
});

describe('delays', () => {
  const mayslip = {
    type: 'discrete' as const,
    outcomes: [
      { months: 0, probability: 0.45 },
      { months: 2, probability: 0.3 },
      { months: 6, probability: 0.25 },
    ],
  };
  it('gives the least and most slip and the chance of any', () => {
    expect(delayRange(mayslip)).toEqual({ min: 0, max: 6, chance: 0.55 });
    expect(delayRange({ type: 'triangular', min: 1, mode: 6, max: 18 })).toEqual({
      min: 1,
      max: 18,
      chance: 1,
    });
  });
  it('says them shortly', () => {
    expect(delayText(undefined)).toBe('none');
    expect(delayText({ type: 'discrete', outcomes: [{ months: 0, probability: 1 }] })).toBe('none');
    expect(delayText(mayslip)).toBe('up to 6 mo (55%)');
    expect(delayText({ type: 'triangular', min: 0, mode: 3, max: 12 })).toBe(
      'up to 12 mo, likely 3',
    );
    expect(delayText({ type: 'triangular', min: 1, mode: 6, max: 18 })).toBe('1–18 mo, likely 6');
    expect(delayText({ type: 'discrete', outcomes: [{ months: 3, probability: 1 }] })).toBe('3 mo');
  });
});

describe('buildingState', () => {
  it('is online from its month, planned before, late when a slip is certain', () => {
    expect(buildingState(building({ id: 'a' }), '2026-06')).toBe('online');
    expect(buildingState(building({ id: 'a' }), '2026-05')).toBe('planned');
    expect(
      buildingState(
        building({ id: 'a', delay: { type: 'triangular', min: 1, mode: 2, max: 3 } }),
        '2026-01',
      ),
    ).toBe('late');
    // A slip that may not happen is the forecast's, not a recorded delay.
    expect(
      buildingState(
        building({ id: 'a', delay: { type: 'triangular', min: 0, mode: 2, max: 3 } }),
        '2026-07',
      ),
    ).toBe('online');
  });
});

describe('buildingGpus', () => {
  it('takes the stated count, else counts from MW and kW per GPU, else knows none', () => {
    expect(buildingGpus(building({ id: 'a', gpus: 12 }), undefined)).toBe(12);
    expect(buildingGpus(building({ id: 'a' }), [{ id: 'gb200', kwPerGpu: 2.4 }])).toBe(41_666);
    expect(buildingGpus(building({ id: 'a' }), undefined)).toBeUndefined();
  });
});

describe('buildoutRows', () => {
  const pools: PoolDoc[] = [
    {
      id: 'req-1-azure',
      provider: 'azure',
      site: 'azure-east',
      accelerator: 'gb200',
      gpus: 1000,
      window: { from: '2026-03', to: '2027-12' },
      pricePerGpuHour: '3.00',
    },
    {
      id: 'req-2-azure',
      provider: 'azure',
      accelerator: 'gb200',
      gpus: 500,
      window: { from: '2026-01', to: '2027-12' },
      pricePerGpuHour: '3.00',
    },
    {
      id: 'req-3-coreweave',
      provider: 'coreweave',
      accelerator: 'gb200',
      gpus: 800,
      window: { from: '2027-04', to: '2027-12' },
      pricePerGpuHour: '3.00',
    },
  ];

  it('puts buildings and procured pools by site, with their states', () => {
    const rows = buildoutRows({
      buildings: [
        building({ id: 'm1', site: 'milam', online: '2027-01', constructionStart: '2025-06' }),
        building({ id: 'a2', online: '2026-09' }),
        building({ id: 'a1', online: '2026-01', milestones: [{ id: 'shell', month: '2025-09' }] }),
      ],
      sites: SITES,
      accelerators: [{ id: 'gb200', kwPerGpu: 2 }],
      pools,
      late: [
        {
          pool: 'req-1-azure',
          provider: 'azure',
          site: 'azure-east',
          request: 1,
          source: 'manual',
          promisedGpus: 1000,
          promisedBy: '2026-03',
          deliveredGpus: 400,
          shortGpus: 600,
          monthsLate: 4,
        },
      ],
      deliveries: [
        {
          id: 1,
          pool: 'req-1-azure',
          month: '2026-04',
          gpus: 400,
          source: 'manual',
          createdAt: '',
        },
        {
          id: 2,
          pool: 'req-2-azure',
          month: '2026-01',
          gpus: 300,
          source: 'manual',
          createdAt: '',
        },
        {
          id: 3,
          pool: 'req-2-azure',
          month: '2026-02',
          gpus: 200,
          source: 'manual',
          createdAt: '',
        },
      ],
      awards: [
        { id: 1, request: 3, quote: 1, pool: 'req-3-coreweave', createdAt: '', createdBy: '' },
      ],
      today: '2026-06',
    });
    expect(rows.map((r) => [r.id, r.site, r.state])).toEqual([
      ['a1', 'abilene', 'online'],
      ['a2', 'abilene', 'planned'],
      ['req-2-azure', 'azure', 'delivered'],
      ['req-1-azure', 'azure-east', 'late'],
      ['req-3-coreweave', 'coreweave', 'planned'],
      ['m1', 'milam', 'planned'],
    ]);
    const late = rows.find((r) => r.id === 'req-1-azure');
    expect(late).toMatchObject({
      kind: 'procured',
      gpus: 1000,
      deliveredGpus: 400,
      delayMonths: 4,
    });
    expect(rows.find((r) => r.id === 'a1')).toMatchObject({
      gpus: 50_000,
      siteName: 'Abilene',
      provider: 'stargate',
      milestones: [{ id: 'shell', period: '2025-09' }],
    });
    expect(countStates(rows)).toEqual({ planned: 3, online: 1, late: 1, delivered: 1 });
  });

  it('shows a funder the late pools it can read, without the pools list', () => {
    const rows = buildoutRows({
      buildings: [],
      sites: SITES,
      late: [
        {
          pool: 'req-9-azure',
          provider: 'azure',
          request: 9,
          source: 'manual',
          promisedGpus: 10,
          promisedBy: '2026-02',
          deliveredGpus: 0,
          shortGpus: 10,
          monthsLate: 5,
        },
      ],
      today: '2026-06',
    });
    expect(rows).toEqual([
      {
        id: 'req-9-azure',
        kind: 'procured',
        site: 'azure',
        atSite: false,
        provider: 'azure',
        gpus: 10,
        online: '2026-02',
        delayMonths: 5,
        deliveredGpus: 0,
        state: 'late',
      },
    ]);
  });

  it('leaves out what node agents watch without a request behind it, and counts their level', () => {
    const agentLate = (pool: string, site: string): LateDelivery => ({
      pool,
      provider: 'stargate',
      site,
      source: 'agent',
      promisedGpus: 50_000,
      promisedBy: '2025-06',
      deliveredGpus: 2,
      shortGpus: 49_998,
      monthsLate: 19,
    });
    const rows = buildoutRows({
      buildings: [building({ id: 'abilene-b1', online: '2025-06' })],
      sites: SITES,
      pools,
      late: [agentLate('abilene-b1', 'abilene'), agentLate('azure-gb200', 'azure-east')],
      deliveries: [
        { id: 1, pool: 'abilene-b1', month: '2026-06', gpus: 2, source: 'agent', createdAt: '' },
        { id: 2, pool: 'azure-gb200', month: '2026-06', gpus: 9, source: 'agent', createdAt: '' },
        // A procured pool whose agents reported 700 in May and 650 in June: 650, not 1,350.
        { id: 3, pool: 'req-2-azure', month: '2026-05', gpus: 700, source: 'agent', createdAt: '' },
        { id: 4, pool: 'req-2-azure', month: '2026-06', gpus: 650, source: 'agent', createdAt: '' },
      ],
      awards: [{ id: 1, request: 2, quote: 1, pool: 'req-2-azure', createdAt: '', createdBy: '' }],
      today: '2026-06',
    });
    expect(rows.map((r) => [r.id, r.kind])).toEqual([
      ['abilene-b1', 'building'],
      ['req-2-azure', 'procured'],
    ]);
    expect(rows[1]).toMatchObject({ deliveredGpus: 650, gpus: 500, state: 'delivered' });
  });
});

describe('deliveredByPool', () => {
  it('sums deliveries typed in, and takes the latest level where agents report', () => {
    const delivered = deliveredByPool([
      { id: 1, pool: 'p', month: '2026-01', gpus: 300, source: 'manual', createdAt: '' },
      { id: 2, pool: 'p', month: '2026-02', gpus: 200, source: 'manual', createdAt: '' },
      { id: 3, pool: 'q', month: '2026-03', gpus: 80, source: 'agent', createdAt: '' },
      { id: 4, pool: 'q', month: '2026-01', gpus: 95, source: 'agent', createdAt: '' },
    ]);
    expect(Object.fromEntries(delivered)).toEqual({ p: 500, q: 80 });
  });
});

describe('buildoutHorizon', () => {
  it('runs from the January of the first month to the December of the last, certain slips included', () => {
    const rows = buildoutRows({
      buildings: [
        building({ id: 'a', constructionStart: '2024-06', online: '2025-06' }),
        building({
          id: 'b',
          online: '2028-10',
          delay: { type: 'triangular', min: 3, mode: 4, max: 40 },
        }),
        building({
          id: 'c',
          online: '2028-01',
          delay: { type: 'triangular', min: 0, mode: 2, max: 40 },
        }),
      ],
      sites: SITES,
      today: '2026-12',
    });
    expect(buildoutHorizon(rows, '2026-12')).toEqual({ from: '2024-01', to: '2029-12' });
    expect(buildoutHorizon(rows.slice(0, 1), '2026-12')).toEqual({
      from: '2024-01',
      to: '2027-12',
    });
    expect(buildoutHorizon([], '2026-06')).toEqual({ from: '2026-01', to: '2026-12' });
  });
});

describe('latestPlanId', () => {
  const summary = (id: number): PlanSummary => ({
    id,
    createdAt: '2026-01-10T00:00:00.000Z',
    createdBy: 'planner/1',
    solver: 'exact',
    status: 'optimal',
    totalUSD: 1,
    gap: 0,
  });
  it('takes the newest of the list, or the plan the books are of for a role without it', () => {
    expect(latestPlanId([summary(7), summary(3)], undefined)).toBe(7);
    expect(latestPlanId([], undefined)).toBeNull();
    expect(latestPlanId(undefined, { plan: { source: 'stored', plan: '12' } })).toBe(12);
    expect(latestPlanId(undefined, { plan: { source: 'file', plan: 'plan.json' } })).toBe(
      undefined,
    );
    expect(latestPlanId(undefined, undefined)).toBeUndefined();
  });
});

describe('scheduleWorthRows', () => {
  const move = (usd: number, lowUSD = usd, highUSD = usd) => ({
    online: '2026-05',
    usd,
    lowUSD,
    highUSD,
  });
  const VALUE: PlanValue = {
    plan: 4,
    scenario: 's',
    units: { capacity: '', buildings: '' },
    base: { method: 'exact', status: 'optimal', totalUSD: 100, lowerBoundUSD: 100 },
    capacity: [],
    buildings: [
      {
        building: 'b2',
        site: 'abilene',
        gpus: 100,
        online: '2026-06',
        monthEarlier: move(5_000, 4_000, 6_000),
        monthLate: move(1_000),
        quarterLate: move(9_000),
      },
      {
        building: 'b1',
        site: 'abilene',
        gpus: 100,
        online: '2026-01',
        monthEarlier: null,
        monthLate: move(2_000),
        quarterLate: null,
      },
      {
        building: 'gone',
        site: 'milam',
        gpus: 10,
        online: '2027-01',
        monthEarlier: move(100),
        monthLate: null,
        quarterLate: null,
      },
    ],
    replans: 'in sequence',
  };
  const RISK: PlanRiskJson = {
    plan: 4,
    scenario: 's',
    runs: 200,
    seed: 1,
    correlation: 0.5,
    slippingBuildings: 2,
    buildings: 3,
    nominal: { totalUSD: 100, unmetGpuMonths: 0 },
    totalUSD: { mean: 110, p10: 100, p50: 105, p90: 130 },
    unmetGpuMonths: { p10: 0, p50: 0, p90: 5, mean: 1 },
    runsCostlier: 90,
    workloads: [],
    byBuilding: [
      { building: 'b3', runsSlipped: 150, meanSlipMonths: 2.25, expectedExtraCostUSD: 70_000 },
      { building: 'b2', runsSlipped: 50, meanSlipMonths: 0.5, expectedExtraCostUSD: 0 },
    ],
  };
  const PAGE = [
    { id: 'b1', online: '2026-01' },
    { id: 'b2', online: '2026-06' },
    { id: 'b3', online: '2026-09' },
  ];

  it('lists the page’s buildings in their order while nothing is in', () => {
    expect(scheduleWorthRows(PAGE, undefined, undefined)).toEqual([
      { building: 'b1', online: '2026-01' },
      { building: 'b2', online: '2026-06' },
      { building: 'b3', online: '2026-09' },
    ]);
  });

  it('puts the costliest slip first when only the risk is in; a building it omits never slips', () => {
    const rows = scheduleWorthRows(PAGE, undefined, RISK);
    expect(rows.map((r) => [r.building, r.slip])).toEqual([
      ['b3', { share: 0.75, meanMonths: 2.25, expectedCostUSD: 70_000 }],
      ['b2', { share: 0.25, meanMonths: 0.5, expectedCostUSD: 0 }],
      ['b1', null],
    ]);
    expect(rows[0]?.monthEarlier).toBeUndefined();
  });

  it('puts the most a month earlier saves first once the values are in, with the plan’s own buildings', () => {
    const rows = scheduleWorthRows(PAGE, VALUE, RISK);
    expect(rows.map((r) => r.building)).toEqual(['b2', 'gone', 'b3', 'b1']);
    expect(rows[0]).toEqual({
      building: 'b2',
      online: '2026-06',
      monthEarlier: { usd: 5_000, lowUSD: 4_000, highUSD: 6_000 },
      quarterLate: { usd: 9_000, lowUSD: 9_000, highUSD: 9_000 },
      slip: { share: 0.25, meanMonths: 0.5, expectedCostUSD: 0 },
    });
    // Not on the page (since deleted), but in the plan's scenario: its date comes from /value.
    expect(rows[1]).toMatchObject({ building: 'gone', online: '2027-01', slip: null });
    // In the page but not in /value's answer: nothing to say yet.
    expect(rows[2]?.monthEarlier).toBeUndefined();
    // The horizon leaves no room to move b1 earlier.
    expect(rows[3]).toMatchObject({ building: 'b1', monthEarlier: null, quarterLate: null });
  });
});

describe('schedule worth in words', () => {
  it('gives an amount and its interval, the interval only where the bounds differ', () => {
    expect(moveText({ usd: 201_600, lowUSD: 198_000, highUSD: 205_100 })).toEqual({
      amount: '$201.6K',
      interval: '$198.0K – $205.1K',
    });
    expect(moveText({ usd: 799_400_000, lowUSD: 799_400_000, highUSD: 799_400_000 })).toEqual({
      amount: '$799.4M',
    });
    expect(moveText({ usd: 360_100_000, lowUSD: 360_099_990, highUSD: 360_100_004 })).toEqual({
      amount: '$360.1M',
    });
  });
  it('says how often a building slips and what it costs, signed', () => {
    const slip = { share: 0.531, meanMonths: 1.24, expectedCostUSD: 799_400_000 };
    expect(slipText(slip)).toBe('53% of runs, 1.2 mo on average');
    expect(slipCostText(slip)).toBe('+$799.4M');
    expect(slipCostText({ ...slip, expectedCostUSD: 0 })).toBe('$0.00');
  });
});
