import { and, eq, like, lt, sql } from 'drizzle-orm';
import { monthDelivered } from '../core/fleet/deliveries.js';
import { compareText } from '../core/order.js';
import type { Tx } from './db.js';
import { appendEvent } from './events.js';
import type { FleetSettings } from './fleet.js';
import { liveNodeSql } from './fleet.js';
import * as t from './schema.js';

/**
 * From heartbeats to deliveries. Each sweep notes, per pool (or building), the healthy GPUs its
 * live nodes report now — 0 when all its nodes have gone silent: a building that lost power
 * stops reporting, and that must not read as "no news" — keeping the day's maximum; then sets the month's delivery to the
 * median of the days' maxima so far (core/fleet/deliveries.ts), one `source: agent` row per
 * pool and month, audited when it changes. `serve` sweeps on its housekeeping timer; any
 * process may, and an advisory lock lets one at a time through.
 */

/** Arbitrary, fixed: the advisory lock that serialises fleet sweeps across processes. */
const SWEEP_LOCK = 724_011;

export interface FleetSweep {
  /** Pools whose month's delivery was recorded or changed. */
  readonly deliveries: number;
  /** History rows pruned. */
  readonly pruned: number;
}

export async function sweepFleet(tx: Tx, now: Date, settings: FleetSettings): Promise<FleetSweep> {
  const locked = await tx.execute(sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as ok`);
  if (!(locked as { rows: { ok: boolean }[] }).rows[0]?.ok) return { deliveries: 0, pruned: 0 };
  const day = now.toISOString().slice(0, 10);
  const month = day.slice(0, 7);
  await tx.execute(sql`
    insert into fleet_pool_days (pool_id, day, healthy_max)
    select pool_id, ${day},
      coalesce(sum(healthy_count) filter (
        where ${liveNodeSql(now, settings)}
      ), 0)::int
    from fleet_nodes
    where pool_id is not null
    group by pool_id
    on conflict (pool_id, day)
    do update set healthy_max = greatest(fleet_pool_days.healthy_max, excluded.healthy_max)`);
  const days = await tx
    .select()
    .from(t.fleetPoolDays)
    .where(like(t.fleetPoolDays.day, `${month}-%`));
  const byPool = new Map<string, number[]>();
  for (const row of days)
    byPool.set(row.poolId, [...(byPool.get(row.poolId) ?? []), row.healthyMax]);
  let changed = 0;
  for (const [pool, maxima] of [...byPool.entries()].sort(([a], [b]) => compareText(a, b))) {
    if (settings.agentDeliveries !== 'all' && !settings.agentDeliveries.includes(pool)) continue;
    const gpus = monthDelivered(maxima);
    if (gpus === undefined) continue;
    const [existing] = await tx
      .select()
      .from(t.deliveries)
      .where(
        and(
          eq(t.deliveries.poolId, pool),
          eq(t.deliveries.month, month),
          eq(t.deliveries.source, 'agent'),
        ),
      )
      .for('update');
    if (existing?.gpus === gpus) continue;
    const [row] = existing
      ? await tx
          .update(t.deliveries)
          .set({ gpus, createdAt: now })
          .where(eq(t.deliveries.id, existing.id))
          .returning()
      : await tx
          .insert(t.deliveries)
          .values({
            poolId: pool,
            month,
            gpus,
            createdAt: now,
            createdBy: 'system:agents',
            source: 'agent',
          })
          .returning();
    if (!row) continue;
    changed += 1;
    await appendEvent(
      tx,
      {
        actor: 'system:agents',
        action: 'delivery.agent',
        entityType: 'pool',
        entityId: pool,
        before: existing ? { month, gpus: existing.gpus, source: 'agent' } : null,
        after: { month, gpus, source: 'agent', days: maxima.length },
      },
      now,
    );
  }
  const cutoff = new Date(now.getTime() - settings.historyRetentionDays * 86_400_000);
  const pruned = await tx
    .delete(t.fleetHistory)
    .where(lt(t.fleetHistory.receivedAt, cutoff))
    .returning({ id: t.fleetHistory.id });
  return { deliveries: changed, pruned: pruned.length };
}
