import { describe, expect, it } from 'vitest';
import type { InventoryBody, InventoryGroup, WatchedCapacity } from '../api-types';
import {
  ageText,
  capacityStateText,
  groupCounts,
  healthyShare,
  intervalText,
  shortfall,
  siteFilter,
  siteSummaries,
  sitesIn,
  tableHeight,
  thresholdsText,
  totalOf,
} from './inventory-data';

const group = (over: Partial<InventoryGroup> & { site: string }): InventoryGroup => ({
  nodes: 1,
  staleNodes: 0,
  gpus: 8,
  healthy: 8,
  unhealthy: 0,
  ...over,
});

const THRESHOLDS: InventoryBody['thresholds'] = {
  maxTemperatureC: 87,
  minPowerLimitFraction: 0.9,
  criticalXids: [48, 79],
  staleAfterIntervals: 3,
};

const body = (over: Partial<InventoryBody> = {}): InventoryBody => ({
  at: '2026-12-05T12:00:00.000Z',
  thresholds: THRESHOLDS,
  totals: { nodes: 0, staleNodes: 0, gpus: 0, healthy: 0 },
  groups: [],
  unhealthy: [],
  stale: [],
  capacity: [],
  ...over,
});

const capacity = (over: Partial<WatchedCapacity>): WatchedCapacity => ({
  pool: 'abilene-b1',
  kind: 'building',
  site: 'abilene',
  accelerator: 'gb200',
  promisedGpus: 50_000,
  from: '2025-06',
  healthyNow: 1,
  state: 'short',
  ...over,
});

describe('siteSummaries', () => {
  it('sums each site over its pools, stale nodes reporting nothing', () => {
    const summaries = siteSummaries([
      group({ site: 'milam', pool: 'milam-b1', accelerator: 'gb300' }),
      group({ site: 'abilene', pool: 'abilene-b1', accelerator: 'gb200', nodes: 3, staleNodes: 1 }),
      group({
        site: 'abilene',
        pool: 'abilene-b2',
        accelerator: 'gb200',
        nodes: 2,
        gpus: 16,
        healthy: 14,
        unhealthy: 2,
      }),
    ]);
    expect(summaries.map((s) => s.site)).toEqual(['abilene', 'milam']);
    expect(summaries[0]).toMatchObject({
      reporting: 4,
      staleNodes: 1,
      gpus: 24,
      healthy: 22,
      unhealthy: 2,
    });
    expect(summaries[0]?.groups.map((g) => g.pool)).toEqual(['abilene-b1', 'abilene-b2']);
    expect(totalOf(summaries)).toEqual({
      reporting: 5,
      staleNodes: 1,
      gpus: 32,
      healthy: 30,
      unhealthy: 2,
    });
    expect(totalOf([])).toEqual({ reporting: 0, staleNodes: 0, gpus: 0, healthy: 0, unhealthy: 0 });
  });

  it('counts a group of only stale nodes as none reporting', () => {
    expect(groupCounts(group({ site: 'a', nodes: 2, staleNodes: 2, gpus: 0, healthy: 0 }))).toEqual(
      { reporting: 0, staleNodes: 2, gpus: 0, healthy: 0, unhealthy: 0 },
    );
  });
});

describe('the site filter', () => {
  it('offers every site the answer mentions, once, in order', () => {
    expect(
      sitesIn(
        body({
          groups: [group({ site: 'milam' }), group({ site: 'abilene' })],
          stale: [
            {
              node: 'n',
              site: 'shackelford',
              lastSeen: '',
              intervalSeconds: 30,
              gpus: 8,
            },
          ],
          unhealthy: [{ node: 'm', site: 'abilene', gpu: 1, reasons: ['x'] }],
        }),
      ),
    ).toEqual(['abilene', 'milam', 'shackelford']);
  });

  it('keeps one site’s rows, or all of them', () => {
    expect(siteFilter('')).toBeUndefined();
    expect(siteFilter(undefined)).toBeUndefined();
    const only = siteFilter('abilene');
    expect([{ site: 'abilene' }, { site: 'milam' }].filter(only ?? (() => true))).toEqual([
      { site: 'abilene' },
    ]);
  });
});

describe('ageText', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  const ago = (ms: number) => ageText(new Date(now - ms).toISOString(), now);
  it('reads coarsely, to the unit that matters', () => {
    expect(ago(500)).toBe('just now');
    expect(ago(4_000)).toBe('4 s ago');
    expect(ago(42_000)).toBe('42 s ago');
    expect(ago(5 * 60_000 + 30_000)).toBe('5 min ago');
    expect(ago(3 * 3_600_000)).toBe('3 h ago');
    expect(ago(3 * 3_600_000 + 20 * 60_000)).toBe('3 h 20 min ago');
    expect(ago(2 * 86_400_000)).toBe('2 d ago');
    expect(ago(2 * 86_400_000 + 4 * 3_600_000)).toBe('2 d 4 h ago');
  });

  it('gives back what it cannot read', () => {
    expect(ageText('not a date', now)).toBe('not a date');
  });
});

describe('formats', () => {
  it('writes intervals in whole units', () => {
    expect(intervalText(30)).toBe('30 s');
    expect(intervalText(90)).toBe('90 s');
    expect(intervalText(300)).toBe('5 min');
    expect(intervalText(3600)).toBe('1 h');
  });

  it('gives the healthy share, or a dash when nothing reports', () => {
    expect(healthyShare({ gpus: 8, healthy: 7 })).toBe('87.5%');
    expect(healthyShare({ gpus: 0, healthy: 0 })).toBe('—');
  });

  it('puts the thresholds in words', () => {
    const text = thresholdsText(THRESHOLDS);
    expect(text).toContain('critical XID (48, 79; read through DCGM)');
    expect(text).toContain('87 °C or more');
    expect(text).toContain('below 90% of its default');
    expect(text).toContain('stale once 3 of its heartbeat intervals pass');
  });

  it('sizes a table to its rows, up to a limit, with room for the empty message', () => {
    expect(tableHeight(2, { rowHeight: 34, maxRows: 12 })).toBe(`${40 + 68 + 2}px`);
    expect(tableHeight(5000, { rowHeight: 34, maxRows: 12 })).toBe(`${40 + 408 + 2}px`);
    expect(tableHeight(0, { rowHeight: 34, maxRows: 12 })).toBe(`${40 + 72 + 2}px`);
  });
});

describe('delivered vs promised', () => {
  it('says how short a due promise is, in words', () => {
    const short = capacity({ deliveredThisMonth: 2 });
    expect(shortfall(short)).toBe(49_998);
    expect(capacityStateText(short)).toBe('short by 49,998 GPUs');
    // Nothing recorded this month yet: short of all of it.
    expect(capacityStateText(capacity({ promisedGpus: 1 }))).toBe('short by 1 GPU');
  });

  it('names the other states, and no shortfall for them', () => {
    const delivered = capacity({ state: 'delivered', deliveredThisMonth: 50_000 });
    expect(capacityStateText(delivered)).toBe('delivered');
    expect(shortfall(delivered)).toBe(0);
    const later = capacity({ state: 'not-due', from: '2027-03' });
    expect(capacityStateText(later)).toBe('not due until 2027-03');
    expect(shortfall(later)).toBe(0);
  });
});
