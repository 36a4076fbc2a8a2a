import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { Tx } from './db.js';
import type { AuditEvent } from './events.js';
import { appendEvent, auditedTransaction, listEvents } from './events.js';
import {
  answerOffer,
  createAward,
  createQuote,
  createRequest,
  getRequestRow,
  listOffers,
  sweepDeadlines,
} from './procurement.js';
import { replaceScenario } from './scenario-store.js';
import * as t from './schema.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-02-01T00:00:00Z');

/**
 * The example plus a second right of first refusal: CoreWeave may take new Stargate capacity
 * within 10 days, after Azure (whose term comes first) has answered.
 */
async function twoHolderScenario(): Promise<Record<string, unknown>> {
  const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
  const contracts = doc['contracts'] as Record<string, unknown>[];
  contracts.push({
    id: 'coreweave-first-look',
    parties: ['openai', 'coreweave'],
    effective: { from: '2025-01', to: '2030-12' },
    terms: [
      {
        id: 'cw-rofr',
        type: 'rofr',
        holder: 'coreweave',
        responseDays: 10,
        pools: { providers: ['stargate'], origin: 'new' },
      },
    ],
  });
  return doc;
}

const audit = (tx: Tx, now: Date) => (event: Omit<AuditEvent, 'actor' | 'requestId'>) =>
  appendEvent(tx, { ...event, actor: 'test' }, now);

const REQUEST = {
  accelerator: 'vr200',
  gpus: 50_000,
  window: { from: '2029-01', to: '2030-12' },
  workloadClass: 'research',
  reason: 'test',
};

for (const backend of testBackends()) {
  describe(`procurement with two holders on ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
      const doc = await twoHolderScenario();
      await auditedTransaction(store.db, (tx) => replaceScenario(tx, doc));
    });
    afterEach(async () => {
      await store.dispose();
    });

    const create = () =>
      auditedTransaction(store.db, (tx) => createRequest(tx, REQUEST, 'test', T0, audit(tx, T0)));

    it('offers the request to each holder in turn; one sweep lapses a whole chain of passed deadlines', async () => {
      const id = await create();
      expect((await listOffers(store.db, { requestIds: [id] })).map((o) => o.holderId)).toEqual([
        'azure',
      ]);
      const later = new Date(T0.getTime() + 100 * DAY);
      const lapsed = await auditedTransaction(store.db, (tx) =>
        sweepDeadlines(tx, later, 'system'),
      );
      expect(lapsed).toBe(2);
      const offers = await listOffers(store.db, { requestIds: [id] });
      expect(offers.map((o) => [o.holderId, o.state])).toEqual([
        ['azure', 'lapsed'],
        ['coreweave', 'lapsed'],
      ]);
      // CoreWeave's window opened when Azure's lapsed, and closed ten days later.
      expect(offers[1]?.createdAt.toISOString()).toBe(
        new Date(T0.getTime() + 30 * DAY).toISOString(),
      );
      expect(offers[1]?.respondedAt?.toISOString()).toBe(
        new Date(T0.getTime() + 40 * DAY).toISOString(),
      );
      expect((await getRequestRow(store.db, id)).state).toBe('cleared');
      expect(await auditedTransaction(store.db, (tx) => sweepDeadlines(tx, later, 'system'))).toBe(
        0,
      );
    });

    it('refuses every quote while any offer is pending, even from a provider the term does not name', async () => {
      const id = await create();
      const now = new Date(T0.getTime() + DAY);
      const quote = (provider: string) =>
        auditedTransaction(store.db, (tx) =>
          createQuote(
            tx,
            {
              request: id,
              provider,
              gpus: 50_000,
              pricePerGpuHour: '2.00',
              deliveryMonth: '2029-01',
            },
            'test',
            now,
            audit(tx, now),
          ),
        );
      // Azure's msft-rofr covers all new capacity; CoreWeave's term only Stargate's, yet while
      // CoreWeave's offer is pending not even another provider's capacity may be quoted.
      await expect(quote('coreweave')).rejects.toThrow(/rofr term msft-rofr of msft-openai-2025/);
      const [azure] = await listOffers(store.db, { requestIds: [id] });
      await auditedTransaction(store.db, (tx) =>
        answerOffer(tx, azure!.id, { kind: 'decline' }, { holder: 'azure' }, now, audit(tx, now)),
      );
      await expect(quote('azure')).rejects.toThrow(/answered its offer/);
      await expect(quote('stargate')).rejects.toThrow(/rofr term cw-rofr of coreweave-first-look/);
      const offers = await listOffers(store.db, { requestIds: [id], state: 'pending' });
      expect(offers.map((o) => o.holderId)).toEqual(['coreweave']);
      await auditedTransaction(store.db, (tx) =>
        answerOffer(
          tx,
          offers[0]!.id,
          { kind: 'decline' },
          { holder: 'coreweave' },
          now,
          audit(tx, now),
        ),
      );
      const made = await quote('stargate');
      const award = await auditedTransaction(store.db, (tx) =>
        createAward(tx, made.id, 'test', now, audit(tx, now)),
      );
      expect(award.poolId).toBe(`req-${id}-stargate`);
      expect((await getRequestRow(store.db, id)).state).toBe('awarded');
      // Nothing later reopens it.
      await auditedTransaction(store.db, (tx) =>
        sweepDeadlines(tx, new Date(T0.getTime() + 400 * DAY), 'system'),
      );
      expect((await getRequestRow(store.db, id)).state).toBe('awarded');
    });
  });
}

for (const backend of testBackends()) {
  describe(`awards for part of a request on ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
      const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
      await auditedTransaction(store.db, (tx) => replaceScenario(tx, doc));
    });
    afterEach(async () => {
      await store.dispose();
    });

    const now = new Date(T0.getTime() + DAY);
    /** A request for 50,000 GPUs that Azure, the example's only holder, declines. */
    async function clearedRequest(): Promise<number> {
      const id = await auditedTransaction(store.db, (tx) =>
        createRequest(tx, REQUEST, 'test', T0, audit(tx, T0)),
      );
      const [offer] = await listOffers(store.db, { requestIds: [id] });
      await auditedTransaction(store.db, (tx) =>
        answerOffer(tx, offer!.id, { kind: 'decline' }, { holder: 'azure' }, now, audit(tx, now)),
      );
      expect(await getRequestRow(store.db, id)).toMatchObject({
        state: 'cleared',
        clearedGpus: 50_000,
      });
      return id;
    }
    const quote = (request: number, provider: string, gpus: number) =>
      auditedTransaction(store.db, (tx) =>
        createQuote(
          tx,
          { request, provider, gpus, pricePerGpuHour: '2.00', deliveryMonth: '2029-01' },
          'test',
          now,
          audit(tx, now),
        ),
      );
    const award = (quoteId: number) =>
      auditedTransaction(store.db, (tx) => createAward(tx, quoteId, 'test', now, audit(tx, now)));
    const actions = async (request: number) =>
      (
        await listEvents(store.db, {
          entityType: 'request',
          entityId: String(request),
          limit: 100,
        })
      ).map((event) => event.action);
    /** What a refused award must leave as it was. */
    const snapshot = async (request: number) => ({
      request: await getRequestRow(store.db, request),
      pools: (await store.db.select().from(t.pools).orderBy(t.pools.id)).map((pool) => pool.id),
      awards: await store.db.select().from(t.awards).orderBy(t.awards.id),
      events: (await store.db.select({ n: count() }).from(t.events))[0]?.n,
    });

    it('leaves the rest open after an award of part, and closes the request with the award of the rest', async () => {
      const id = await clearedRequest();
      const stargate = await quote(id, 'stargate', 30_000);
      // Recorded while all 50,000 were open: after Stargate's award it is larger than the rest.
      const oversized = await quote(id, 'coreweave', 30_000);
      const stargateAgain = await quote(id, 'stargate', 10_000);

      const first = await award(stargate.id);
      expect(first.poolId).toBe(`req-${id}-stargate`);
      expect(await getRequestRow(store.db, id)).toMatchObject({
        state: 'cleared',
        clearedGpus: 20_000,
      });
      const [pool] = await store.db.select().from(t.pools).where(eq(t.pools.id, first.poolId));
      expect(pool?.doc).toMatchObject({ provider: 'stargate', gpus: 30_000, rofr: 'cleared' });
      expect(pool?.requestId).toBe(id);
      // The award is audited; the request's state did not change, so nothing else is.
      expect((await actions(id)).slice(-2)).toEqual(['quote.create', 'award.create']);
      const [created] = await store.db
        .select()
        .from(t.events)
        .where(eq(t.events.action, 'award.create'));
      expect(created?.after).toEqual({
        id: first.id,
        quote: stargate.id,
        pool: first.poolId,
        gpus: 30_000,
        openGpus: 20_000,
      });

      // Refused awards change nothing: not the request, the pools, the awards or the log.
      const before = await snapshot(id);
      await expect(award(oversized.id)).rejects.toThrow(
        `quote ${oversized.id} offers 30000 GPUs; request ${id} has 20000 open`,
      );
      await expect(award(stargateAgain.id)).rejects.toMatchObject({
        status: 409,
        message: `stargate already has award ${first.id} on request ${id} (pool req-${id}-stargate); a provider is awarded once per request`,
      });
      await expect(award(stargate.id)).rejects.toMatchObject({
        status: 409,
        message: `quote ${stargate.id} is already awarded: award ${first.id}, pool req-${id}-stargate`,
      });
      expect(await snapshot(id)).toEqual(before);

      // Quotes now take at most what is still open.
      await expect(quote(id, 'coreweave', 20_001)).rejects.toMatchObject({ status: 400 });
      const rest = await quote(id, 'coreweave', 20_000);
      const second = await award(rest.id);
      expect(second.poolId).toBe(`req-${id}-coreweave`);
      expect(await getRequestRow(store.db, id)).toMatchObject({
        state: 'awarded',
        clearedGpus: 0,
      });
      expect((await actions(id)).slice(-3)).toEqual([
        'quote.create',
        'award.create',
        'request.award',
      ]);
      expect((await store.db.select().from(t.awards)).map((row) => row.poolId)).toEqual([
        `req-${id}-stargate`,
        `req-${id}-coreweave`,
      ]);
      await expect(award(stargateAgain.id)).rejects.toThrow(`request ${id} is already awarded`);
    });
  });
}
