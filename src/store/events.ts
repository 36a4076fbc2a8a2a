import type { SQL } from 'drizzle-orm';
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

export type EventInsert = typeof events.$inferInsert;

/** The events each open audited transaction has appended, written when its work is done. */
const pending = new WeakMap<Tx, EventInsert[]>();

/** Writes each open audited transaction has left for its last statement (`deferWrite`). */
const deferred = new WeakMap<Tx, SQL[]>();

/**
 * Leaves a write whose result nobody reads (an Idempotency-Key's answer) to the transaction's
 * last statement: it runs with the events' insert, as a data-modifying `WITH` (which runs once
 * and to completion, read or not), or alone where there are no events. One round trip less.
 * False when `tx` is not an `auditedTransaction`: the caller writes it itself.
 */
export function deferWrite(tx: Tx, write: SQL): boolean {
  const writes = deferred.get(tx);
  if (!writes) return false;
  writes.push(write);
  return true;
}

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
    const writes: SQL[] = [];
    pending.set(tx, queue);
    deferred.set(tx, writes);
    const result = await work(tx);
    pending.delete(tx);
    deferred.delete(tx);
    if (queue.length > 0) await insertLocked(tx, queue, writes);
    else for (const write of writes) await tx.execute(write);
    return result;
  });
}

/**
 * Takes the events lock and inserts the transaction's events, numbered in the order they were
 * appended, in one statement: the lock is held for the insert and the commit only, one round
 * trip less than a lock and an insert. The lock is a subquery the insert's rows are joined with,
 * so it is taken before the first row (and its id) exists.
 */
async function insertLocked(
  tx: Tx,
  queue: readonly EventInsert[],
  writes: readonly SQL[],
): Promise<void> {
  const before =
    writes.length === 0
      ? sql``
      : sql`with ${sql.join(
          writes.map((write, index) => sql`${sql.raw(`deferred_${index}`)} as (${write})`),
          sql`, `,
        )} `;
  await tx.execute(sql`${before}${lockedEventsInsert(sql`${eventRowsJson(queue)}`)}`);
}

/** Events as the JSON array `lockedEventsInsert` reads: each as a history shows it, in order. */
export function eventRowsJson(queue: readonly EventInsert[]): string {
  return JSON.stringify(queue.map(historyEvent));
}

/**
 * The statement that takes the events lock and inserts events (`rows`, text of
 * `eventRowsJson`'s shape) numbered in their order. The lock is a subquery the rows are joined
 * with, so it is taken before the first row (and its id) exists. `gate`, where given, is a
 * relation of one row or none that the lock is taken for (none: neither lock nor events), so
 * that it is taken only once that relation is known; `rows` may read its columns as `lock.…`.
 */
export function lockedEventsInsert(rows: SQL, gate?: SQL): SQL {
  return sql`insert into ${events} (at, actor, action, entity_type, entity_id, before, after, request_id)
        select e.at, e.actor, e.action, e.entity_type, e.entity_id, e.before, e.after, e.request_id
        from (select pg_advisory_xact_lock(${EVENTS_LOCK})${gate ? sql`, gate.* from ${gate} as gate` : sql``}) as lock,
          rows from (json_to_recordset((${rows})::json) as (
            at timestamptz, actor text, action text, "entityType" text, "entityId" text,
            before json, after json, "requestId" text)) with ordinality as e(
            at, actor, action, entity_type, entity_id, before, after, request_id, ord)
        order by e.ord`;
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

/** An event as a transaction sees it: committed, or appended by the transaction itself (no id yet). */
export type HistoryEvent = Omit<EventRow, 'id'>;

/**
 * One entity's events in order as the caller's transaction sees them: those committed, then
 * those it has appended itself, which `auditedTransaction` writes only at its end. So an answer
 * made inside the transaction that changed the entity shows the history the change made, as a
 * read after commit would.
 */
export async function entityHistory(
  tx: Tx,
  entity: { readonly entityType: string; readonly entityId: string },
  limit: number,
): Promise<HistoryEvent[]> {
  const committed: HistoryEvent[] = await listEvents(tx, { ...entity, limit });
  return [...committed, ...pendingHistory(tx, entity)].slice(0, limit);
}

/**
 * The events of an entity that `tx` has appended and not yet written: the whole history of an
 * entity the transaction has just made, with no query.
 */
export function pendingHistory(
  tx: Tx,
  entity: { readonly entityType: string; readonly entityId: string },
): HistoryEvent[] {
  return (pending.get(tx) ?? [])
    .filter((event) => event.entityType === entity.entityType && event.entityId === entity.entityId)
    .map(historyEvent);
}

/** An event not yet written, as a history shows it. */
export function historyEvent(event: EventInsert): HistoryEvent {
  return {
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before ?? null,
    after: event.after ?? null,
    requestId: event.requestId ?? null,
  };
}
