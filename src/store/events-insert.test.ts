import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testBackends } from '../test-support/stores.js';
import { appendEvent, auditedTransaction, listEvents } from './events.js';

const AT = new Date('2026-01-01T00:00:00.123Z');

for (const backend of testBackends()) {
  describe(`the events' insert on ${backend.name}`, () => {
    it('keeps each document as written, key order and nulls included, ids in append order', async () => {
      const store = await backend.open();
      try {
        const written = [
          { before: undefined, after: { z: 1, a: [2, { y: null, b: 'é"\\' }] } },
          { before: { state: 'offered' }, after: null },
          { before: 'text', after: 0 },
          { before: [], after: { nested: { deeper: { deepest: true } } } },
        ];
        await auditedTransaction(store.db, async (tx) => {
          for (const [n, event] of written.entries()) {
            await appendEvent(
              tx,
              {
                actor: `actor ${n}`,
                action: 'x.change',
                entityType: 'x',
                entityId: String(n),
                ...event,
                ...(n === 1 ? { requestId: 'req-1' } : {}),
              },
              AT,
            );
          }
        });
        const rows = await listEvents(store.db, { limit: 10 });
        expect(rows.map((row) => row.entityId)).toEqual(['0', '1', '2', '3']);
        expect(rows.map((row) => row.actor)).toEqual(['actor 0', 'actor 1', 'actor 2', 'actor 3']);
        expect(rows.every((row) => row.at === AT.toISOString())).toBe(true);
        expect(rows.map((row) => row.requestId)).toEqual([null, 'req-1', null, null]);
        // The stored text, byte for byte: what JSON.stringify wrote; an absent document is null.
        const text = await store.db.execute(
          sql`select before::text as before, after::text as after from events order by id`,
        );
        expect((text as { rows: unknown[] }).rows).toEqual(
          written.map(({ before, after }) => ({
            before: before === undefined ? null : JSON.stringify(before),
            after: after === null ? null : JSON.stringify(after),
          })),
        );
      } finally {
        await store.dispose();
      }
    });
  });
}
