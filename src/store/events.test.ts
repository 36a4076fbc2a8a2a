import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testBackends } from '../test-support/stores.js';
import { appendEvent, auditedTransaction, listEvents } from './events.js';
import { events } from './schema.js';

const AT = new Date('2026-01-01T00:00:00Z');
const event = (entityId: string) => ({
  actor: 'test',
  action: 'x.create',
  entityType: 'x',
  entityId,
});

for (const backend of testBackends()) {
  describe(`audit events on ${backend.name}`, () => {
    it('are written in the order they were appended, when the work is done', async () => {
      const store = await backend.open();
      try {
        await auditedTransaction(store.db, async (tx) => {
          await appendEvent(tx, event('a'), AT);
          await appendEvent(tx, event('b'), AT);
          // Nothing is written before the transaction's work is done.
          const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(events);
          expect(row?.n).toBe(0);
        });
        const rows = await listEvents(store.db, { limit: 10 });
        // listEvents orders by id: the first appended got the smaller one.
        expect(rows.map((r) => r.entityId)).toEqual(['a', 'b']);
      } finally {
        await store.dispose();
      }
    });

    it('are lost with their transaction when it fails', async () => {
      const store = await backend.open();
      try {
        await expect(
          auditedTransaction(store.db, async (tx) => {
            await appendEvent(tx, event('a'), AT);
            throw new Error('the change failed');
          }),
        ).rejects.toThrow('the change failed');
        expect(await listEvents(store.db, { limit: 10 })).toEqual([]);
      } finally {
        await store.dispose();
      }
    });

    it('cannot be appended outside an audited transaction', async () => {
      const store = await backend.open();
      try {
        await expect(store.db.transaction((tx) => appendEvent(tx, event('a'), AT))).rejects.toThrow(
          'appendEvent: the transaction is not an auditedTransaction',
        );
        expect(await listEvents(store.db, { limit: 10 })).toEqual([]);
      } finally {
        await store.dispose();
      }
    });

    // Several connections at once: only a server has them.
    if (backend.name === 'postgres') {
      it('get their ids in commit order: a writer waits for the one committing before it', async () => {
        const store = await backend.open();
        const other = new pg.Client({ connectionString: store.url });
        await other.connect();
        try {
          // Stand in for a transaction that has written its events and not yet committed.
          await other.query('begin');
          await other.query('select pg_advisory_xact_lock(7277003)');
          let written = false;
          const writing = auditedTransaction(store.db, (tx) =>
            appendEvent(tx, event('late'), AT),
          ).then(() => {
            written = true;
          });
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(written).toBe(false);
          await other.query(
            `insert into events (at, actor, action, entity_type, entity_id) values (now(), 'test', 'x.create', 'x', 'early')`,
          );
          await other.query('commit');
          await writing;
          const rows = await listEvents(store.db, { limit: 10 });
          expect(rows.map((r) => r.entityId)).toEqual(['early', 'late']);
        } finally {
          await other.end();
          await store.dispose();
        }
      });
    }
  });
}
