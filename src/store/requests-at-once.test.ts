import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { asc, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestStore } from '../test-support/stores.js';
import { testBackends, untilWaitingOnLock } from '../test-support/stores.js';
import type { Db } from './db.js';
import { appendEvent, auditedTransaction } from './events.js';
import type { IdempotentRequest } from './idempotency.js';
import type { OpenedAtOnce, RequestInput } from './procurement.js';
import { RofrTermsSeen, openRequest, openRequestAtOnce } from './procurement.js';
import { replaceScenario } from './scenario-store.js';
import * as t from './schema.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const T0 = new Date('2026-02-01T00:00:00Z');

const REQUEST: RequestInput = {
  accelerator: 'vr200',
  gpus: 50_000,
  window: { from: '2029-01', to: '2030-12' },
  workloadClass: 'research',
  reason: 'test',
};

/** An Idempotency-Key of token t1 for REQUEST. */
const keyOf = (key: string): IdempotentRequest => ({
  tokenId: 't1',
  key,
  method: 'POST',
  path: '/v1/requests',
  body: REQUEST,
});

const CONTEXT = { createdBy: 'planner/t1', actor: 'planner/t1', requestId: 'req-1', now: T0 };

/** The answer a route might give: what was opened, as JSON-able data. */
const answer = (opened: OpenedAtOnce) => ({
  id: opened.request.id,
  state: opened.request.state,
  offers: opened.offers.map((offer) => ({ id: offer.id, holder: offer.holderId })),
  history: opened.history.map((event) => event.action),
});

async function example(): Promise<Record<string, unknown>> {
  return parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
}

/** A request as stored, with its offers and events, ids and the row's update time left out. */
async function stored(db: Db, id: number) {
  const [request] = await db.select().from(t.requests).where(eq(t.requests.id, id));
  const offers = await db
    .select()
    .from(t.offers)
    .where(eq(t.offers.requestId, id))
    .orderBy(asc(t.offers.id));
  const events = await db
    .select()
    .from(t.events)
    .where(eq(t.events.entityId, String(id)))
    .orderBy(asc(t.events.id));
  // Ids differ between the two ways, and the row's update time is the database's clock.
  const row: Record<string, unknown> = { ...request, id: undefined, updatedAt: undefined };
  const ids = new Map<unknown, string>([[id, 'REQUEST']]);
  for (const [index, offer] of offers.entries()) ids.set(offer.id, `OFFER${index}`);
  // The ids as names, wherever they appear in the JSON of the offers and events.
  const named = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value, (key, inner: unknown) =>
        (key === 'id' || key === 'request' || key === 'entityId') && ids.has(Number(inner))
          ? ids.get(Number(inner))
          : inner,
      ),
    ) as unknown;
  return {
    request: row,
    offers: offers.map(({ id: offerId, requestId, ...offer }) => ({
      id: ids.get(offerId),
      request: ids.get(requestId),
      ...offer,
    })),
    events: events.map((event) => named({ ...event, id: undefined })),
  };
}

const sequences = async (db: Db) => {
  const result = await db.execute(
    sql`select (select last_value from requests_id_seq) as requests,
          (select last_value from offers_id_seq) as offers`,
  );
  return (result as { rows: { requests: string; offers: string }[] }).rows[0];
};

for (const backend of testBackends()) {
  describe(`a new request in one statement on ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
      const doc = await example();
      await auditedTransaction(store.db, (tx) => replaceScenario(tx, doc));
    });
    afterEach(async () => {
      await store.dispose();
    });

    const slow = (input: RequestInput) =>
      auditedTransaction(store.db, (tx) =>
        openRequest(tx, input, CONTEXT.createdBy, T0, (event) =>
          appendEvent(tx, { ...event, actor: CONTEXT.actor, requestId: CONTEXT.requestId }, T0),
        ),
      );

    it('writes what the transaction writes, offered to the holder, and answers with its ids', async () => {
      const seen = new RofrTermsSeen();
      const fast = await openRequestAtOnce(store.db, REQUEST, CONTEXT, seen, answer);
      expect(fast).toBeDefined();
      const long = await slow(REQUEST);
      expect(fast?.request.id).toBe(long.request.id - 1);
      expect(fast && answer(fast)).toEqual({
        id: fast?.request.id,
        state: 'offered',
        offers: [{ id: fast?.offers[0]?.id, holder: 'azure' }],
        history: ['request.create', 'offer.create'],
      });
      expect(fast?.offers[0]?.id).toBe((long.offers[0]?.id ?? 0) - 1);
      const fastStored = await stored(store.db, fast?.request.id ?? 0);
      expect(fastStored.offers).toHaveLength(1);
      expect(fastStored.events).toHaveLength(2);
      expect(fastStored).toEqual(await stored(store.db, long.request.id));
    });

    it('routes by the terms as they are now, where they changed since it last routed', async () => {
      const seen = new RofrTermsSeen();
      expect(
        (await openRequestAtOnce(store.db, REQUEST, CONTEXT, seen, answer))?.offers,
      ).toHaveLength(1);
      // Another process (or this one) drops the right of first refusal.
      await store.db.delete(t.contractTerms).where(eq(t.contractTerms.type, 'rofr'));
      const fast = await openRequestAtOnce(store.db, REQUEST, CONTEXT, seen, answer);
      expect(fast && answer(fast)).toMatchObject({
        state: 'cleared',
        offers: [],
        history: ['request.create', 'request.clear'],
      });
      const long = await slow(REQUEST);
      expect(long.request.state).toBe('cleared');
      expect(await stored(store.db, fast?.request.id ?? 0)).toEqual(
        await stored(store.db, long.request.id),
      );
    });

    it('stores the answer with the key it claims, and leaves a key used before to the long way', async () => {
      const key = keyOf('k-1');
      const seen = new RofrTermsSeen();
      const fast = await openRequestAtOnce(store.db, REQUEST, { ...CONTEXT, key }, seen, answer);
      expect(fast).toBeDefined();
      const [row] = await store.db.select().from(t.idempotencyKeys);
      expect(row).toMatchObject({ tokenId: 't1', key: 'k-1', status: 201 });
      expect(row?.response).toEqual(fast && answer(fast));
      const before = await sequences(store.db);
      expect(
        await openRequestAtOnce(store.db, REQUEST, { ...CONTEXT, key }, seen, answer),
      ).toBeUndefined();
      expect(await store.db.$count(t.requests)).toBe(1);
      expect(await sequences(store.db)).toEqual(before);
    });

    it('writes nothing and takes no id for what it does not do: refusals and stand-in digits', async () => {
      const seen = new RofrTermsSeen();
      await openRequestAtOnce(store.db, REQUEST, CONTEXT, seen, answer);
      const before = await sequences(store.db);
      for (const input of [
        { ...REQUEST, accelerator: 'tpu-v9' },
        { ...REQUEST, window: { from: '2041-01', to: '2041-06' } },
        { ...REQUEST, reason: `see ${Number.MIN_SAFE_INTEGER}` },
        { ...REQUEST, planId: 1 },
      ]) {
        expect(await openRequestAtOnce(store.db, input, CONTEXT, seen, answer)).toBeUndefined();
      }
      // The stand-ins' digits outside the request's fields: in the HTTP request's id.
      const requestId = `x${-Number.MIN_SAFE_INTEGER}`;
      expect(
        await openRequestAtOnce(store.db, REQUEST, { ...CONTEXT, requestId }, seen, answer),
      ).toBeUndefined();
      expect(await store.db.$count(t.requests)).toBe(1);
      expect(await sequences(store.db)).toEqual(before);
    });

    it('keeps the terms it has seen whole when a refused request and a change of terms overlap', async () => {
      const seen = new RofrTermsSeen();
      const key = keyOf('k-1');
      await openRequestAtOnce(store.db, REQUEST, { ...CONTEXT, key }, seen, answer);
      // A retry of that key (refused here) in flight while another request replaces the terms.
      const retry = openRequestAtOnce(store.db, REQUEST, { ...CONTEXT, key }, seen, answer);
      seen.current = { rows: [], digest: 'other' };
      expect(await retry).toBeUndefined();
      expect(seen.current.digest).toBe('other');
      const next = await openRequestAtOnce(store.db, REQUEST, CONTEXT, seen, answer);
      expect(next?.request.state).toBe('offered');
      expect(next?.offers).toHaveLength(1);
    });

    if (backend.name === 'postgres') {
      it('waits for another attempt with its key holding no events lock, then writes nothing', async () => {
        const seen = new RofrTermsSeen();
        await openRequestAtOnce(store.db, { ...REQUEST, reason: 'terms' }, CONTEXT, seen, answer);
        const counts = async () => ({
          requests: await store.db.$count(t.requests),
          events: await store.db.$count(t.events),
        });
        const before = await counts();
        const other = new pg.Client({ connectionString: store.url });
        const third = new pg.Client({ connectionString: store.url });
        await other.connect();
        await third.connect();
        try {
          // Another attempt with the same key, not yet committed.
          await other.query('begin');
          await other.query(
            `insert into idempotency_keys (token_id, key, method, path, body_hash, status, created_at)
             values ('t1', 'k-2', 'POST', '/v1/requests', 'h', 0, now())`,
          );
          const key = keyOf('k-2');
          const pending = openRequestAtOnce(store.db, REQUEST, { ...CONTEXT, key }, seen, answer);
          await untilWaitingOnLock(store.db, 'with%chk as%');
          // While it waits: the events lock is not held, the accelerator's row is (KEY SHARE).
          const advisory = await third.query<{ n: number }>(
            // The events lock of this test's database (other suites may hold theirs meanwhile).
            `select count(*)::int as n from pg_locks
             where locktype = 'advisory' and objid = 7277003
               and database = (select oid from pg_database where datname = current_database())`,
          );
          expect(advisory.rows[0]?.n).toBe(0);
          await third.query(`set lock_timeout = '200ms'`);
          await expect(third.query(`delete from accelerators where id = 'vr200'`)).rejects.toThrow(
            /lock timeout/,
          );
          await other.query('commit');
          expect(await pending).toBeUndefined();
          expect(await counts()).toEqual(before);
        } finally {
          await other.end();
          await third.end();
        }
      });
    }
  });
}
