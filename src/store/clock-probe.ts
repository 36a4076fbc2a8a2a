import { sql } from 'drizzle-orm';
import type { Queryable } from './db.js';
import { offers } from './schema.js';

/** What the clock probe read: the database's time and the first deadline still pending. */
export interface ClockProbe {
  readonly now: Date;
  /** The earliest deadline of a pending offer; undefined when none is pending. */
  readonly nextDeadline: Date | undefined;
  /** Whether a pending offer's deadline has passed (the condition of `offersDue`). */
  readonly offersDue: boolean;
}

/**
 * The database's clock and the earliest deadline of a pending offer, in one query (an index
 * holds pending offers by deadline): a procurement request learns its time, whether to sweep
 * first, and until when it need not ask again, in one round trip.
 */
export async function probeClock(db: Queryable): Promise<ClockProbe> {
  const result = await db.execute(
    sql`select now() as now, min(${offers.deadline}) as next
        from ${offers} where ${offers.state} = 'pending'`,
  );
  const [row] = (result as { rows: { now: Date | string; next: Date | string | null }[] }).rows;
  if (!row) throw new Error('the clock probe returned no row');
  const now = new Date(row.now);
  const nextDeadline = row.next === null ? undefined : new Date(row.next);
  return {
    now,
    nextDeadline,
    offersDue: nextDeadline !== undefined && nextDeadline.getTime() <= now.getTime(),
  };
}
