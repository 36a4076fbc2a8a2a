import { describe, expect, it } from 'vitest';
import type { PlanWorkloadRow } from '../api-types';
import {
  classesOf,
  filterWorkloads,
  gapText,
  groupReasons,
  headlineReason,
  mergeSpans,
  parseCompare,
  placementText,
  reasonKey,
  shortCount,
  spansText,
  utcMinute,
} from './plan-data';

function row(id: string, fields: Partial<PlanWorkloadRow> = {}): PlanWorkloadRow {
  return {
    workload: id,
    class: 'training',
    team: null,
    gpus: 10,
    window: { from: '2026-01', to: '2026-12' },
    gang: false,
    demandGpuMonths: 120,
    placedGpuMonths: 120,
    unmetGpuMonths: 0,
    computeUSD: 1000,
    unmetUSD: 0,
    placed: { from: '2026-01', to: '2026-12' },
    providers: ['azure'],
    pools: [{ pool: 'azure-h100', provider: 'azure', gpuMonths: 120, computeUSD: 1000 }],
    unmetRange: null,
    reasons: [],
    ...fields,
  };
}

const REASONS = [
  'exclusivity term api-on-azure of msft-openai-2025 allows only azure for class api',
  'pool abilene-b1 is full: research-2029 (1,000)',
];

const rows = [
  row('pretrain-2029', {
    unmetGpuMonths: 500,
    placedGpuMonths: 0,
    placed: null,
    pools: [],
    providers: [],
    reasons: [1],
  }),
  row('api-2026', { class: 'api', team: 'platform', unmetGpuMonths: 20, reasons: [0, 1] }),
  row('research-2029', {
    class: 'research',
    pools: [
      { pool: 'abilene-b1', provider: 'stargate', gpuMonths: 90_000, computeUSD: 1 },
      { pool: 'azure-h100', provider: 'azure', gpuMonths: 300, computeUSD: 1 },
      { pool: 'cw-1', provider: 'coreweave', gpuMonths: 20, computeUSD: 1 },
    ],
    providers: ['azure', 'coreweave', 'stargate'],
  }),
];

const ids = (list: readonly PlanWorkloadRow[]) => list.map((entry) => entry.workload);
const all = { query: '', unmetOnly: false, workloadClass: '' };

describe('filterWorkloads', () => {
  it('keeps every row, as given, when nothing is asked', () => {
    expect(filterWorkloads(rows, REASONS, all)).toBe(rows);
  });

  it('finds rows by id, class, team, pool and provider, every word counting', () => {
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: '2026' }))).toEqual(['api-2026']);
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: 'training' }))).toEqual([
      'pretrain-2029',
    ]);
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: 'PLATFORM' }))).toEqual([
      'api-2026',
    ]);
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: 'cw-1' }))).toEqual([
      'research-2029',
    ]);
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: 'research coreweave' }))).toEqual([
      'research-2029',
    ]);
  });

  it('finds rows by the words of their reasons, naming the clause', () => {
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: 'api-on-azure' }))).toEqual([
      'api-2026',
    ]);
    // abilene-b1 is a pool of research-2029 and in the reasons of the other two.
    expect(ids(filterWorkloads(rows, REASONS, { ...all, query: 'abilene-b1' }))).toEqual([
      'pretrain-2029',
      'api-2026',
      'research-2029',
    ]);
  });

  it('keeps only unmet work, or one class', () => {
    expect(ids(filterWorkloads(rows, REASONS, { ...all, unmetOnly: true }))).toEqual([
      'pretrain-2029',
      'api-2026',
    ]);
    expect(ids(filterWorkloads(rows, REASONS, { ...all, workloadClass: 'research' }))).toEqual([
      'research-2029',
    ]);
    expect(classesOf(rows)).toEqual(['api', 'research', 'training']);
  });
});

describe('words of the plan page', () => {
  it('writes a placement with its months and largest pools', () => {
    expect(placementText(rows[2] ?? row('x'))).toBe(
      'abilene-b1 90.0k, azure-h100 300 +1 more · 2026-01–2026-12',
    );
    expect(placementText(rows[0] ?? row('x'))).toBe('not placed');
  });

  it('writes month ranges, times and gaps the same everywhere', () => {
    expect(
      spansText([
        { from: '2029-10', to: '2029-10' },
        { from: '2029-12', to: '2030-02' },
      ]),
    ).toBe('2029-10, 2029-12–2030-02');
    expect(utcMinute('2026-12-05T14:08:42.051Z')).toBe('2026-12-05 14:08 UTC');
    expect(gapText(0)).toBe('0 %');
    expect(gapText(0.000025)).toBe('< 0.01 %');
    expect(gapText(0.0123)).toBe('1.2 %');
  });

  it('reads a comparison from the URL only when both are plan ids', () => {
    expect(parseCompare('3..7')).toEqual({ a: 3, b: 7 });
    expect(parseCompare('3..')).toBeUndefined();
    expect(parseCompare('0..2')).toBeUndefined();
    expect(parseCompare(null)).toBeUndefined();
  });
});

describe('reasons by subject', () => {
  const exclusivity = (pools: string) =>
    `exclusivity term api-on-azure of msft-openai-2025 allows only azure for class api (excludes ${pools})`;

  it('drops the detail that changes month to month, keeping the clause', () => {
    expect(reasonKey(exclusivity('abilene-b1 and 11 more'))).toBe(
      'exclusivity term api-on-azure of msft-openai-2025 allows only azure for class api',
    );
    expect(
      reasonKey(
        'rofr term msft-rofr of msft-openai-2025: new capacity must first be offered to azure (excludes coreweave-gb300)',
      ),
    ).toBe('rofr term msft-rofr of msft-openai-2025');
    expect(reasonKey('pool azure-h100 is full: chatgpt-2028 (50,000)')).toBe(
      'pool azure-h100 is full',
    );
    const gang = 'gang workload needs 380,000 GPUs of one accelerator at one site';
    expect(reasonKey(gang)).toBe(gang);
  });

  it('groups variants of one subject with all their months, in the planner order', () => {
    const groups = groupReasons([
      { text: exclusivity('a'), periods: [{ from: '2028-01', to: '2028-02' }] },
      { text: 'pool p is full: x (1)', periods: [{ from: '2028-01', to: '2028-01' }] },
      {
        text: exclusivity('a, b'),
        periods: [
          { from: '2028-03', to: '2028-03' },
          { from: '2028-12', to: '2029-01' },
        ],
      },
    ]);
    expect(
      groups.map((group) => [group.key, spansText(group.periods), group.variants.length]),
    ).toEqual([
      [
        'exclusivity term api-on-azure of msft-openai-2025 allows only azure for class api',
        '2028-01–2028-03, 2028-12–2029-01',
        2,
      ],
      ['pool p is full', '2028-01', 1],
    ]);
  });

  it('merges overlapping and touching month ranges across a year end', () => {
    expect(
      mergeSpans([
        { from: '2029-11', to: '2029-12' },
        { from: '2029-01', to: '2029-03' },
        { from: '2030-01', to: '2030-01' },
        { from: '2029-02', to: '2029-05' },
      ]),
    ).toEqual([
      { from: '2029-01', to: '2029-05' },
      { from: '2029-11', to: '2030-01' },
    ]);
  });

  it('heads a row with the first clause it names, counting the other subjects', () => {
    const keys = [
      'gang workload needs more',
      'rofr term r of c',
      'rofr term r of c',
      'pool p is full',
    ];
    expect(headlineReason([0, 1, 2, 3], keys)).toEqual({ text: 'rofr term r of c', more: 2 });
    expect(headlineReason([0, 3], keys)).toEqual({ text: 'gang workload needs more', more: 1 });
    expect(headlineReason([], keys)).toBeUndefined();
  });

  it('writes counts in three figures where space is short', () => {
    expect([9184, 42_512, 420_000, 1_440_000, 12_000_000].map(shortCount)).toEqual([
      '9,184',
      '42.5k',
      '420k',
      '1.44M',
      '12.0M',
    ]);
  });
});
