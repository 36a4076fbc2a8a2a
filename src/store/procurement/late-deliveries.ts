import { compareText } from '../../core/order.js';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Queryable } from '../db.js';
import { buildingGpus } from '../scenario-store.js';
import * as t from '../schema.js';
import { deliveredBy, monthOf } from './deliveries.js';

export interface LateDelivery {
  readonly pool: string;
  readonly provider: string;
  readonly site?: string;
  /** The procurement request the pool came from; absent for a scenario pool or building watched by agents. */
  readonly request?: number;
  /** `agent` where the delivered count is what the node agents observed. */
  readonly source: 'manual' | 'agent';
  readonly promisedGpus: number;
  readonly promisedBy: string;
  readonly deliveredGpus: number;
  readonly shortGpus: number;
  /** Months since the promise, counting the promised month: 1 in the month itself. */
  readonly monthsLate: number;
}

/**
 * Pools whose promise is due (the current month is at or past the delivery month) and not
 * delivered in full by the current month: procured pools, and any pool or building whose node
 * agents have reported (their observed GPUs are its delivery).
 */
export async function lateDeliveries(
  db: Queryable,
  now: Date,
  scope: { sites?: readonly string[] } = {},
): Promise<LateDelivery[]> {
  const month = monthOf(now);
  const watched = new Set(
    (
      await db
        .selectDistinct({ pool: t.deliveries.poolId })
        .from(t.deliveries)
        .where(and(eq(t.deliveries.source, 'agent'), lte(t.deliveries.month, month)))
    ).map((row) => row.pool),
  );
  const pools = await db.select().from(t.pools).orderBy(asc(t.pools.id));
  const buildings = watched.size === 0 ? [] : await db.select().from(t.buildings);
  const promised = await buildingGpus(db, buildings);
  const siteProvider = new Map(
    (await db.select({ id: t.sites.id, provider: t.sites.providerId }).from(t.sites)).map((row) => [
      row.id,
      row.provider,
    ]),
  );
  const candidates = [
    ...pools
      .filter((pool) => pool.requestId !== null || watched.has(pool.id))
      .map((pool) => {
        const doc = pool.doc as { gpus: number; window: { from: string } };
        return {
          id: pool.id,
          provider: pool.providerId,
          site: pool.siteId,
          request: pool.requestId,
          gpus: doc.gpus,
          from: doc.window.from,
        };
      }),
    ...buildings
      .filter((building) => watched.has(building.id))
      .map((building) => {
        const doc = building.doc as { online: string };
        return {
          id: building.id,
          provider: siteProvider.get(building.siteId) ?? '',
          site: building.siteId,
          request: null,
          gpus: promised.get(building.id) ?? 0,
          from: doc.online,
        };
      }),
  ].sort((a, b) => compareText(a.id, b.id));
  const late: LateDelivery[] = [];
  for (const pool of candidates) {
    if (scope.sites !== undefined && (pool.site === null || !scope.sites.includes(pool.site)))
      continue;
    if (pool.from > month) continue;
    const delivered = await deliveredBy(db, pool.id, month);
    if (delivered >= pool.gpus) continue;
    late.push({
      pool: pool.id,
      provider: pool.provider,
      ...(pool.site === null ? {} : { site: pool.site }),
      ...(pool.request === null ? {} : { request: pool.request }),
      source: watched.has(pool.id) ? 'agent' : 'manual',
      promisedGpus: pool.gpus,
      promisedBy: pool.from,
      deliveredGpus: delivered,
      shortGpus: pool.gpus - delivered,
      monthsLate: monthsBetween(pool.from, month) + 1,
    });
  }
  return late;
}

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return ((ty ?? 0) - (fy ?? 0)) * 12 + ((tm ?? 0) - (fm ?? 0));
}
