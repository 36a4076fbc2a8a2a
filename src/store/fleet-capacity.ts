import { compareText } from '../core/order.js';
import { and, eq, inArray } from 'drizzle-orm';
import { buildingGpus } from './scenario-store.js';
import type { Queryable } from './db.js';
import { monthOf } from './procurement.js';
import * as t from './schema.js';

/**
 * Delivered against promised, for every pool and building whose nodes run the agent: the GPUs
 * promised and from when, the healthy GPUs its live nodes report now, and the month's delivery
 * as recorded from them (`source: agent`, the median of the days' maxima).
 */
export async function watchedCapacity(
  db: Queryable,
  groups: readonly { pool?: string; healthy: number }[],
  now: Date,
) {
  const healthyNow = new Map<string, number>();
  for (const group of groups) {
    if (group.pool === undefined) continue;
    healthyNow.set(group.pool, (healthyNow.get(group.pool) ?? 0) + group.healthy);
  }
  const ids = [...healthyNow.keys()].sort();
  if (ids.length === 0) return [];
  const month = monthOf(now);
  const pools = await db.select().from(t.pools).where(inArray(t.pools.id, ids));
  const buildings = await db.select().from(t.buildings).where(inArray(t.buildings.id, ids));
  const promised = await buildingGpus(db, buildings);
  const delivered = new Map(
    (
      await db
        .select({ pool: t.deliveries.poolId, gpus: t.deliveries.gpus })
        .from(t.deliveries)
        .where(
          and(
            eq(t.deliveries.source, 'agent'),
            eq(t.deliveries.month, month),
            inArray(t.deliveries.poolId, ids),
          ),
        )
    ).map((row) => [row.pool, row.gpus]),
  );
  const promises = [
    ...pools.map((pool) => {
      const doc = pool.doc as { gpus: number; window: { from: string } };
      return {
        pool: pool.id,
        kind: 'pool' as const,
        site: pool.siteId ?? '',
        accelerator: pool.acceleratorId,
        promisedGpus: doc.gpus,
        from: doc.window.from,
      };
    }),
    ...buildings.map((building) => {
      const doc = building.doc as { online: string };
      return {
        pool: building.id,
        kind: 'building' as const,
        site: building.siteId,
        accelerator: building.acceleratorId,
        promisedGpus: promised.get(building.id) ?? 0,
        from: doc.online,
      };
    }),
  ].sort((a, b) => compareText(a.pool, b.pool));
  return promises.map((promise) => {
    const observed = delivered.get(promise.pool);
    return {
      ...promise,
      healthyNow: healthyNow.get(promise.pool) ?? 0,
      ...(observed === undefined ? {} : { deliveredThisMonth: observed }),
      state:
        promise.from > month
          ? ('not-due' as const)
          : (observed ?? 0) >= promise.promisedGpus
            ? ('delivered' as const)
            : ('short' as const),
    };
  });
}
