import { compareText } from '../../core/order.js';
import { grouped } from '../../core/format.js';
import { percent } from '../../charts/format.js';
import type { InventoryBody, InventoryGroup, WatchedCapacity } from '../api-types';

/**
 * The facts of the Inventory page and of the Buildout's delivered-vs-promised table, from
 * `GET /v1/inventory`: sums per site, the site filter, ages and the thresholds in words. Pure,
 * so they are tested without a browser.
 */

/** What a site's nodes report. Stale nodes' GPUs count nowhere but in `staleNodes`. */
export interface FleetCounts {
  /** Nodes whose heartbeats arrive (not stale). */
  readonly reporting: number;
  readonly staleNodes: number;
  /** GPUs on the reporting nodes. */
  readonly gpus: number;
  readonly healthy: number;
  readonly unhealthy: number;
}

export interface SiteSummary extends FleetCounts {
  readonly site: string;
  /** Its pools and accelerators, as the API groups them. */
  readonly groups: readonly InventoryGroup[];
}

/** A group's counts: its nodes less the stale ones report. */
export function groupCounts(group: InventoryGroup): FleetCounts {
  return {
    reporting: group.nodes - group.staleNodes,
    staleNodes: group.staleNodes,
    gpus: group.gpus,
    healthy: group.healthy,
    unhealthy: group.unhealthy,
  };
}

const ZERO: FleetCounts = { reporting: 0, staleNodes: 0, gpus: 0, healthy: 0, unhealthy: 0 };

function add(a: FleetCounts, b: FleetCounts): FleetCounts {
  return {
    reporting: a.reporting + b.reporting,
    staleNodes: a.staleNodes + b.staleNodes,
    gpus: a.gpus + b.gpus,
    healthy: a.healthy + b.healthy,
    unhealthy: a.unhealthy + b.unhealthy,
  };
}

/** One summary per site, by site id, each with its groups in the API's order. */
export function siteSummaries(groups: readonly InventoryGroup[]): SiteSummary[] {
  const sites = new Map<string, { counts: FleetCounts; groups: InventoryGroup[] }>();
  for (const group of groups) {
    const site = sites.get(group.site) ?? { counts: ZERO, groups: [] };
    site.counts = add(site.counts, groupCounts(group));
    site.groups.push(group);
    sites.set(group.site, site);
  }
  return [...sites.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([site, { counts, groups: own }]) => ({ site, ...counts, groups: own }));
}

/** The sum of some sites' counts. */
export function totalOf(summaries: readonly FleetCounts[]): FleetCounts {
  return summaries.reduce(add, ZERO);
}

/** Every site the answer mentions, by id: the choices of the site filter. */
export function sitesIn(body: InventoryBody): string[] {
  return [
    ...new Set([
      ...body.groups.map((g) => g.site),
      ...body.unhealthy.map((u) => u.site),
      ...body.stale.map((s) => s.site),
      ...body.capacity.map((c) => c.site),
    ]),
  ].sort(compareText);
}

/**
 * The rows of one site, or undefined for all: the shape the virtualised table filters with.
 */
export function siteFilter(
  site: string | undefined,
): ((row: { readonly site: string }) => boolean) | undefined {
  return site === undefined || site === '' ? undefined : (row) => row.site === site;
}

/**
 * How long ago an instant was, coarse enough to read at a glance: `just now`, `4 s ago`,
 * `5 min ago`, `3 h 20 min ago`, `2 d 4 h ago`.
 *
 * @example ageText('2026-12-05T16:00:00Z', Date.parse('2026-12-05T16:05:30Z')) // '5 min ago'
 */
export function ageText(iso: string, nowMs: number): string {
  const seconds = Math.floor((nowMs - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24)
    return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${grouped(days)} d ago` : `${grouped(days)} d ${hours % 24} h ago`;
}

/** A heartbeat interval: `30 s`, `5 min`, `1 h`, `90 s` (whole units only, else seconds). */
export function intervalText(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${grouped(seconds)} s`;
}

/** The share of reporting GPUs that are healthy, or a dash when none report. */
export function healthyShare(counts: Pick<FleetCounts, 'gpus' | 'healthy'>): string {
  return counts.gpus === 0 ? '—' : percent(counts.healthy / counts.gpus);
}

/**
 * The server's thresholds in words, for the page's footnote: what makes a GPU unhealthy and a
 * node stale.
 */
export function thresholdsText(thresholds: InventoryBody['thresholds']): string {
  const xids = thresholds.criticalXids.length > 0 ? thresholds.criticalXids.join(', ') : 'none';
  return (
    `A GPU is unhealthy with uncorrectable ECC errors, a failed or pending row remap or page ` +
    `retirement, a critical XID (${xids}; read through DCGM), a temperature of ${thresholds.maxTemperatureC} °C or ` +
    `more, a power limit below ${percent(thresholds.minPowerLimitFraction, 0)} of its default, ` +
    `or clocks held down by the hardware. A node is stale once ` +
    `${grouped(thresholds.staleAfterIntervals)} of its heartbeat intervals pass without one; ` +
    `its GPUs then count as neither healthy nor delivered.`
  );
}

/** GPUs a pool or building is short of its promise this month (0 unless `short`). */
export function shortfall(row: WatchedCapacity): number {
  return row.state === 'short' ? Math.max(0, row.promisedGpus - (row.deliveredThisMonth ?? 0)) : 0;
}

/** The state as words that stand without colour: `short by 49,998 GPUs`, `delivered`, `not due`. */
export function capacityStateText(row: WatchedCapacity): string {
  switch (row.state) {
    case 'short': {
      const missing = shortfall(row);
      return `short by ${grouped(missing)} GPU${missing === 1 ? '' : 's'}`;
    }
    case 'delivered':
      return 'delivered';
    case 'not-due':
      return `not due until ${row.from}`;
  }
}

/**
 * The height (CSS px) of a virtualised table's box: its rows up to `maxRows`, then it scrolls.
 * An empty table keeps room for its message.
 */
export function tableHeight(rows: number, options: { rowHeight: number; maxRows: number }): string {
  const header = 40;
  const border = 2;
  const body = rows === 0 ? 72 : Math.min(rows, options.maxRows) * options.rowHeight;
  return `${header + body + border}px`;
}
