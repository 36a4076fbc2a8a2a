import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../store/db.js';
import type { Harness } from '../test-support/api-harness.js';
import {
  closeHarness,
  DAY,
  HOOK_TIMEOUT,
  later,
  openHarness,
  request,
} from '../test-support/api-harness.js';
import { testBackends } from '../test-support/stores.js';
import type { OfferReads } from './offer-reads.js';
import { offerReads } from './offer-reads.js';

/** The database, refusing any query: what an answer kept by the reader never needs. */
function refusing(db: Db): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'select') throw new Error('queried');
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

for (const backend of testBackends()) {
  describe(`GET /v1/offers reads on ${backend.name}`, () => {
    let h: Harness;
    let reads: OfferReads;
    beforeEach(async () => {
      h = await openHarness(backend);
      reads = offerReads(h.store);
      await reads.start();
    }, HOOK_TIMEOUT);
    afterEach(async () => {
      await reads.close();
      await closeHarness(h);
    }, HOOK_TIMEOUT);

    const notes = async (db: Db) =>
      (await reads.read(db, { holder: 'azure' })).map(({ offer }) => offer.note);

    it('never answers from before a change committed, whoever made it', async () => {
      await request(h);
      const db = h.store.db;
      expect(await notes(db)).toEqual([null]);
      // PGlite keeps the answer; PostgreSQL asks again.
      if (backend.name === 'pglite') expect(await notes(refusing(db))).toEqual([null]);
      else await expect(notes(refusing(db))).rejects.toThrow('queried');

      // A change by hand in SQL, outside the API.
      await h.store.db.execute(sql`update offers set note = 'by hand'`);
      expect(await notes(db)).toEqual(['by hand']);

      // A change of the requests the answer carries.
      await h.store.db.execute(sql`update requests set reason = 'changed'`);
      const [row] = await reads.read(db, { holder: 'azure' });
      expect(row?.request.reason).toBe('changed');

      // A change through the API: the holder declines; the same filter sees it at once.
      const [pending] = await reads.read(db, { holder: 'azure', state: 'pending' });
      if (!pending) throw new Error('no pending offer');
      const declined = await h.call('POST', `/v1/offers/${pending.offer.id}/decline`, {
        token: h.tokens.azure.secret,
        body: {},
      });
      expect(declined.status, declined.text).toBe(200);
      expect(await reads.read(db, { holder: 'azure', state: 'pending' })).toEqual([]);

      // A lapse at the deadline is a change too.
      await request(h);
      const [due] = await reads.read(db, { holder: 'azure', state: 'pending' });
      if (!due) throw new Error('no pending offer');
      h.now = later(due.offer.deadline, DAY);
      const listed = await h.call('GET', '/v1/offers?state=pending', {
        token: h.tokens.azure.secret,
      });
      expect(listed.json).toEqual([]);
      expect(await reads.read(db, { holder: 'azure', state: 'pending' })).toEqual([]);
    });

    it('keeps its answer through a change rolled back, and keeps holders apart', async () => {
      await request(h);
      const db = h.store.db;
      expect(await notes(db)).toEqual([null]);
      await expect(
        h.store.db.transaction(async (tx) => {
          await tx.execute(sql`update offers set note = 'rolled back'`);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await notes(backend.name === 'pglite' ? refusing(db) : db)).toEqual([null]);
      expect(await reads.read(db, { holder: 'coreweave' })).toEqual([]);
      expect(reads.kept).toBe(backend.name === 'pglite' ? 2 : 0);
    });
  });
}
