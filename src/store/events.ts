import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from './db.js';
import { events } from './schema.js';

/** One entry of the audit log. */
export interface AuditEvent {
  readonly actor: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly requestId?: string | undefined;
}

/** Serialises the writing of events across processes; see `auditedTransaction`. */
const EVENTS_LOCK = 7_277_003;

type EventInsert = typeof events.$inferInsert;

/** The events each open audited transaction has appended, written when its work is done. */
const pending = new WeakMap<Tx, EventInsert[]>();

/**
 * Runs `work` in a transaction whose audit events (`appendEvent`) are written at its end,
 * under a lock held until commit. So events get their ids in the order their transactions
 * commit, and a reader paging with `after` (an id) never skips an event that commits late:
 * whoever sees an id has seen every smaller one. The lock is the transaction's last, and its
 * holder only inserts and commits, so it cannot take part in a deadlock.
 */
export function auditedTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const queue: EventInsert[] = [];
    pending.set(tx, queue);
    const result = await work(tx);
    pending.delete(tx);
    if (queue.length > 0) {
      await tx.execute(sql`select pg_advisory_xact_lock(${EVENTS_LOCK})`);
      await tx.insert(events).values(queue);
    }
    return result;
  });
}

/**
 * Appends to the audit log of the caller's transaction, which must be an
 * `auditedTransaction`: the change and its record commit together, the record written last.
 */
export function appendEvent(tx: Tx, event: AuditEvent, at: Date): Promise<void> {
  const queue = pending.get(tx);
  if (!queue) {
    return Promise.reject(new Error('appendEvent: the transaction is not an auditedTransaction'));
  }
  queue.push({
    at,
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before ?? null,
    after: event.after ?? null,
    requestId: event.requestId ?? null,
  });
  return Promise.resolve();
}

export interface EventRow {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
}

/** Events in the order they were written, optionally for one entity, after a cursor. */
export async function listEvents(
  db: Queryable,
  filter: { entityType?: string; entityId?: string; after?: number; limit: number },
): Promise<EventRow[]> {
  const conditions = [
    filter.entityType === undefined ? undefined : eq(events.entityType, filter.entityType),
    filter.entityId === undefined ? undefined : eq(events.entityId, filter.entityId),
    filter.after === undefined ? undefined : gt(events.id, filter.after),
  ].filter((c) => c !== undefined);
  const rows = await db
    .select()
    .from(events)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(events.id))
    .limit(filter.limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
