import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db.js';
import { HttpError, conflict, notFound } from '../errors.js';
import * as t from '../schema.js';
import type { Audit } from './routing.js';
import { deliveryView } from './views.js';

export interface DeliveryInput {
  readonly pool: string;
  readonly month: string;
  readonly gpus: number;
}

/** Records GPUs delivered in a month against a procured pool. */
export async function recordDelivery(
  tx: Tx,
  input: DeliveryInput,
  scope: { sites?: readonly string[] },
  actor: string,
  now: Date,
  audit: Audit,
): Promise<typeof t.deliveries.$inferSelect> {
  const [pool] = await tx.select().from(t.pools).where(eq(t.pools.id, input.pool)).for('update');
  if (
    !pool ||
    (scope.sites !== undefined && (pool.siteId === null || !scope.sites.includes(pool.siteId)))
  ) {
    throw notFound(`pool ${input.pool}`);
  }
  if (pool.requestId === null) {
    throw conflict(
      `pool ${input.pool} did not come from procurement: it has no delivery promise to track`,
    );
  }
  const [observed] = await tx
    .select({ id: t.deliveries.id })
    .from(t.deliveries)
    .where(and(eq(t.deliveries.poolId, input.pool), eq(t.deliveries.source, 'agent')))
    .limit(1);
  if (observed) {
    throw conflict(
      `pool ${input.pool}'s deliveries come from its node agents (source: agent); GET /v1/inventory shows what they observe`,
    );
  }
  const doc = pool.doc as { gpus: number; window: { from: string; to: string } };
  const problems = [];
  if (input.month > monthOf(now)) {
    problems.push({
      path: ['body', 'month'],
      message: `expected a month no later than the current one, ${monthOf(now)}: deliveries are recorded when they arrive`,
    });
  } else if (input.month > doc.window.to) {
    problems.push({
      path: ['body', 'month'],
      message: `expected a month no later than the pool's window end ${doc.window.to}`,
    });
  }
  const delivered = await deliveredBy(tx, input.pool, '9999-12');
  if (delivered + input.gpus > doc.gpus) {
    problems.push({
      path: ['body', 'gpus'],
      message: `expected at most ${doc.gpus - delivered} GPUs: ${delivered} of the ${doc.gpus} promised are delivered already`,
    });
  }
  if (problems.length > 0)
    throw new HttpError(400, 'invalid_request', 'the delivery is not valid', problems);
  const [row] = await tx
    .insert(t.deliveries)
    .values({
      poolId: input.pool,
      month: input.month,
      gpus: input.gpus,
      createdAt: now,
      createdBy: actor,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit({
    action: 'delivery.create',
    entityType: 'pool',
    entityId: input.pool,
    after: deliveryView(row),
  });
  return row;
}

/**
 * GPUs delivered to a pool by a month. Where the pool's node agents have reported, it is the
 * level they observed in the latest month with a report (GPUs that failed since count no more);
 * otherwise the sum of the deliveries typed in.
 */
export async function deliveredBy(db: Queryable, poolId: string, month: string): Promise<number> {
  const [observed] = await db
    .select({ gpus: t.deliveries.gpus })
    .from(t.deliveries)
    .where(
      and(
        eq(t.deliveries.poolId, poolId),
        eq(t.deliveries.source, 'agent'),
        lte(t.deliveries.month, month),
      ),
    )
    .orderBy(desc(t.deliveries.month))
    .limit(1);
  if (observed) return observed.gpus;
  const [row] = await db
    .select({ gpus: sql<number>`coalesce(sum(${t.deliveries.gpus}), 0)::int` })
    .from(t.deliveries)
    .where(
      and(
        eq(t.deliveries.poolId, poolId),
        eq(t.deliveries.source, 'manual'),
        lte(t.deliveries.month, month),
      ),
    );
  return row?.gpus ?? 0;
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}
