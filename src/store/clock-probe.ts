import { sql } from 'drizzle-orm';
import type { Queryable } from './db.js';
import { offers } from './schema.js';

/**
 * The database's clock, and whether an offer's deadline has passed while it is still pending
 * (the same condition as `offersDue`), in one query: a procurement request learns both its time
 * and whether to sweep first in one round trip.
 */
export async function probeClock(db: Queryable): Promise<{ now: Date; offersDue: boolean }> {
  const result = await db.execute(
    sql`select now() as now, exists (
          select 1 from ${offers} where ${offers.state} = 'pending' and ${offers.deadline} <= now()
        ) as due`,
  );
  const [row] = (result as { rows: { now: Date | string; due: boolean }[] }).rows;
  if (!row) throw new Error('the clock probe returned no row');
  return { now: new Date(row.now), offersDue: row.due };
}
