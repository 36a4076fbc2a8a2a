import { and, asc, eq, gt } from 'drizzle-orm';
import type { Queryable } from './db.js';
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

/** Appends to the audit log, inside the caller's transaction: the change and its record commit together. */
export async function appendEvent(db: Queryable, event: AuditEvent, at: Date): Promise<void> {
  await db.insert(events).values({
    at,
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before ?? null,
    after: event.after ?? null,
    requestId: event.requestId ?? null,
  });
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
