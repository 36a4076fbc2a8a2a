import { compareText } from '../core/order.js';
import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { HttpError, conflict, notFound } from './errors.js';
import type { Queryable, Tx } from './db.js';
import type { AuditEvent } from './events.js';
import { appendEvent } from './events.js';
import type { EntityDoc } from './scenario-store.js';
import {
  buildingGpus,
  checkChange,
  entityKind,
  getEntity,
  insertEntity,
} from './scenario-store.js';
import * as t from './schema.js';

/**
 * Procurement: capacity requests, the offer to a right-of-first-refusal holder with its
 * deadline, clearing, quotes, the award, and deliveries against the promise.
 *
 * Every function runs inside the caller's transaction and locks the request row it changes
 * (`for update`), so two processes acting on one request serialise: one wins, the other sees
 * the new state and is refused. Deadlines are rows: `sweepDeadlines` lapses every pending offer
 * whose deadline has passed, at whichever process's call comes first, exactly once (the
 * update's `state = 'pending'` guard re-checks after any lock it waited for).
 */

export type RequestState = 'offered' | 'cleared' | 'awarded' | 'fulfilled';
export type OfferState = 'pending' | 'accepted' | 'declined' | 'lapsed';

type Audit = (event: Omit<AuditEvent, 'actor' | 'requestId'>) => Promise<void>;

export interface RequestInput {
  readonly accelerator: string;
  readonly gpus: number;
  readonly window: { readonly from: string; readonly to: string };
  readonly workloadClass: string;
  readonly reason: string;
  readonly planId?: number;
  readonly workload?: string;
}

export interface RofrBinding {
  readonly contract: string;
  readonly term: string;
  readonly holder: string;
  readonly responseDays: number;
  readonly selector: PoolSelector;
}

interface PoolSelector {
  readonly providers?: readonly string[];
  readonly origin?: 'existing' | 'new';
  readonly sites?: readonly string[];
  readonly accelerators?: readonly string[];
}

/**
 * The ROFR terms that bind new capacity of this accelerator over this window: the contract is
 * effective in some month of the window and the term's selector can match new capacity of the
 * accelerator. Ordered by contract, then the term's place in it: offers go to holders in turn.
 */
export async function bindingRofr(
  db: Queryable,
  accelerator: string,
  window: { from: string; to: string },
): Promise<RofrBinding[]> {
  const rows = await db
    .select({ contract: t.contracts.doc, term: t.contractTerms.doc })
    .from(t.contractTerms)
    .innerJoin(t.contracts, eq(t.contracts.id, t.contractTerms.contractId))
    .where(eq(t.contractTerms.type, 'rofr'))
    .orderBy(asc(t.contracts.position), asc(t.contractTerms.position));
  const bindings: RofrBinding[] = [];
  for (const row of rows) {
    const contract = row.contract as { id: string; effective: { from: string; to: string } };
    const term = row.term as {
      id: string;
      holder: string;
      responseDays: number;
      pools?: PoolSelector;
    };
    const selector = term.pools ?? { origin: 'new' };
    if (contract.effective.to < window.from || contract.effective.from > window.to) continue;
    if (selector.origin === 'existing') continue;
    if (selector.accelerators && !selector.accelerators.includes(accelerator)) continue;
    bindings.push({
      contract: contract.id,
      term: term.id,
      holder: term.holder,
      responseDays: term.responseDays,
      selector,
    });
  }
  return bindings;
}

type RequestRow = typeof t.requests.$inferSelect;
type OfferRow = typeof t.offers.$inferSelect;

async function lockRequest(tx: Tx, id: number): Promise<RequestRow> {
  const [row] = await tx.select().from(t.requests).where(eq(t.requests.id, id)).for('update');
  if (!row) throw notFound(`request ${id}`);
  return row;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates a request and routes it: an offer to the first ROFR holder, or straight to cleared. */
export async function createRequest(
  tx: Tx,
  input: RequestInput,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<number> {
  await checkRequestAgainstScenario(tx, input);
  const [row] = await tx
    .insert(t.requests)
    .values({
      createdAt: now,
      createdBy: actor,
      acceleratorId: input.accelerator,
      gpus: input.gpus,
      windowFrom: input.window.from,
      windowTo: input.window.to,
      workloadClass: input.workloadClass,
      reason: input.reason,
      planId: input.planId ?? null,
      workloadId: input.workload ?? null,
      state: 'offered',
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit({
    action: 'request.create',
    entityType: 'request',
    entityId: String(row.id),
    after: requestView(row),
  });
  await advance(tx, row, now, audit);
  return row.id;
}

async function checkRequestAgainstScenario(tx: Tx, input: RequestInput): Promise<void> {
  const problems = [];
  const accelerators = entityKind('accelerators');
  if (!accelerators || !(await getEntity(tx, accelerators, input.accelerator))) {
    problems.push({
      path: ['body', 'accelerator'],
      message: `unknown accelerator ${input.accelerator}`,
    });
  }
  const [settings] = await tx.select().from(t.scenarioSettings);
  if (
    settings &&
    (input.window.from > settings.horizonEnd || input.window.to < settings.horizonStart)
  ) {
    problems.push({
      path: ['body', 'window'],
      message: `expected a window that meets the horizon ${settings.horizonStart} to ${settings.horizonEnd}`,
    });
  }
  if (problems.length > 0) {
    throw new HttpError(400, 'invalid_request', 'the request is not valid', problems);
  }
}

/**
 * Moves a request on after a holder's answer (or at creation): the next binding holder that has
 * not had its offer gets one for what is left; when none is left, what remains is cleared, or
 * the request is fulfilled when holders took it all.
 */
async function advance(tx: Tx, request: RequestRow, now: Date, audit: Audit): Promise<void> {
  // An awarded or fulfilled request is closed: nothing an offer does afterwards reopens it.
  if (request.state === 'awarded' || request.state === 'fulfilled') return;
  const offers = await tx
    .select()
    .from(t.offers)
    .where(eq(t.offers.requestId, request.id))
    .orderBy(asc(t.offers.id));
  const accepted = offers.reduce((sum, offer) => sum + (offer.acceptedGpus ?? 0), 0);
  const remaining = request.gpus - accepted;
  const offered = new Set(offers.map((offer) => `${offer.contractId}/${offer.termId}`));
  const next =
    remaining > 0
      ? (
          await bindingRofr(tx, request.acceleratorId, {
            from: request.windowFrom,
            to: request.windowTo,
          })
        ).find(
          (binding) =>
            !offered.has(`${binding.contract}/${binding.term}`) &&
            !offers.some((offer) => offer.holderId === binding.holder),
        )
      : undefined;
  if (next) {
    const [offer] = await tx
      .insert(t.offers)
      .values({
        requestId: request.id,
        holderId: next.holder,
        contractId: next.contract,
        termId: next.term,
        gpus: remaining,
        createdAt: now,
        deadline: new Date(now.getTime() + next.responseDays * DAY_MS),
        state: 'pending',
      })
      .returning();
    if (!offer) throw new Error('insert returned no row');
    await setRequestState(tx, request, 'offered', 0, audit, {
      action: 'offer.create',
      after: offerView(offer),
    });
    return;
  }
  if (remaining <= 0) {
    await setRequestState(tx, request, 'fulfilled', 0, audit);
  } else {
    await setRequestState(tx, request, 'cleared', remaining, audit);
  }
}

async function setRequestState(
  tx: Tx,
  request: RequestRow,
  state: RequestState,
  clearedGpus: number,
  audit: Audit,
  event?: { action: string; after: unknown },
): Promise<void> {
  await tx
    .update(t.requests)
    .set({ state, clearedGpus, version: sql`${t.requests.version} + 1`, updatedAt: sql`now()` })
    .where(eq(t.requests.id, request.id));
  if (event) {
    await audit({ entityType: 'request', entityId: String(request.id), ...event });
  }
  if (state !== request.state || event === undefined) {
    await audit({
      action: `request.${state === 'offered' ? 'offer' : state === 'cleared' ? 'clear' : state === 'awarded' ? 'award' : 'fulfil'}`,
      entityType: 'request',
      entityId: String(request.id),
      before: { state: request.state, clearedGpus: request.clearedGpus },
      after: { state, clearedGpus },
    });
  }
}

export interface AcceptInput {
  readonly gpus?: number | undefined;
  readonly pricePerGpuHour: string;
  readonly deliveryMonth?: string | undefined;
  readonly site?: string | undefined;
}

/**
 * A holder's answer. Accepting takes all or part of the offer at a price and delivery month and
 * makes a new pool of the holder; declining clears the request for other providers. Refused
 * after the deadline (the offer lapsed) or once answered.
 */
export async function answerOffer(
  tx: Tx,
  offerId: number,
  answer: { kind: 'accept'; input: AcceptInput } | { kind: 'decline'; note?: string | undefined },
  scope: { holder?: string },
  now: Date,
  audit: Audit,
): Promise<OfferRow> {
  const offer = await findOffer(tx, offerId, scope);
  const request = await lockRequest(tx, offer.requestId);
  const [current] = await tx.select().from(t.offers).where(eq(t.offers.id, offerId)).for('update');
  if (!current) throw notFound(`offer ${offerId}`);
  if (current.state !== 'pending') {
    throw conflict(`offer ${offerId} is already ${current.state}`);
  }
  if (current.deadline.getTime() <= now.getTime()) {
    throw conflict(
      `offer ${offerId} lapsed: its response window (term ${current.termId} of ${current.contractId}) closed at ${current.deadline.toISOString()}`,
    );
  }
  if (request.state !== 'offered') {
    throw conflict(
      `request ${request.id} is ${request.state}; offer ${offerId} can no longer be answered`,
    );
  }
  let updated: OfferRow | undefined;
  if (answer.kind === 'decline') {
    [updated] = await tx
      .update(t.offers)
      .set({ state: 'declined', respondedAt: now, acceptedGpus: 0, note: answer.note ?? null })
      .where(eq(t.offers.id, offerId))
      .returning();
  } else {
    const { input } = answer;
    const gpus = input.gpus ?? current.gpus;
    const problems = [];
    if (gpus > current.gpus) {
      problems.push({
        path: ['body', 'gpus'],
        message: `expected at most the ${current.gpus} GPUs offered`,
      });
    }
    if (input.site !== undefined) {
      const sites = entityKind('sites');
      const site = sites ? await getEntity(tx, sites, input.site) : undefined;
      // One message for both cases: a holder learns nothing of other providers' sites.
      if (site?.doc['provider'] !== current.holderId) {
        problems.push({
          path: ['body', 'site'],
          message: `expected one of ${current.holderId}'s sites, got ${input.site}`,
        });
      }
    }
    const delivery = input.deliveryMonth ?? request.windowFrom;
    if (delivery < request.windowFrom || delivery > request.windowTo) {
      problems.push({
        path: ['body', 'deliveryMonth'],
        message: `expected a month in the request's window ${request.windowFrom} to ${request.windowTo}`,
      });
    }
    if (problems.length > 0)
      throw new HttpError(400, 'invalid_request', 'the answer is not valid', problems);
    const poolId = await createProcuredPool(
      tx,
      request,
      {
        provider: current.holderId,
        site: input.site,
        gpus,
        pricePerGpuHour: input.pricePerGpuHour,
        deliveryMonth: delivery,
      },
      audit,
    );
    [updated] = await tx
      .update(t.offers)
      .set({
        state: 'accepted',
        respondedAt: now,
        acceptedGpus: gpus,
        pricePerGpuHour: input.pricePerGpuHour,
        deliveryMonth: delivery,
        poolId,
      })
      .where(eq(t.offers.id, offerId))
      .returning();
  }
  if (!updated) throw new Error('update returned no row');
  await audit({
    action: `offer.${answer.kind}`,
    entityType: 'request',
    entityId: String(request.id),
    before: offerView(current),
    after: offerView(updated),
  });
  await advance(tx, { ...request }, now, audit);
  return updated;
}

/** An offer the caller may see: a holder sees only its own; others get 404, as if none. */
async function findOffer(
  tx: Queryable,
  offerId: number,
  scope: { holder?: string },
): Promise<OfferRow> {
  const [offer] = await tx.select().from(t.offers).where(eq(t.offers.id, offerId));
  if (!offer || (scope.holder !== undefined && offer.holderId !== scope.holder)) {
    throw notFound(`offer ${offerId}`);
  }
  return offer;
}

/**
 * Lapses every pending offer whose deadline has passed, as of `now`; each lapse is recorded at
 * its deadline and moves its request on. Returns how many lapsed.
 */
/**
 * Whether any pending offer's deadline has passed at `now` (default the database's clock): one
 * read, so that a caller can skip the sweep's transaction when nothing is due.
 */
export async function offersDue(db: Queryable, now?: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: t.offers.id })
    .from(t.offers)
    .where(
      and(
        eq(t.offers.state, 'pending'),
        now === undefined ? sql`${t.offers.deadline} <= now()` : lte(t.offers.deadline, now),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export async function sweepDeadlines(tx: Tx, now: Date, actor: string): Promise<number> {
  // A lapse may offer the request to the next holder with a deadline that has passed too:
  // sweep again until nothing is due.
  let total = 0;
  for (;;) {
    const count = await sweepOnce(tx, now, actor);
    if (count === 0) return total;
    total += count;
  }
}

async function sweepOnce(tx: Tx, now: Date, actor: string): Promise<number> {
  // Locks go request first, then offer, as in answerOffer, so a sweep and an answer racing on
  // one offer wait for each other instead of deadlocking.
  const due = await tx
    .selectDistinct({ requestId: t.offers.requestId })
    .from(t.offers)
    .where(and(eq(t.offers.state, 'pending'), lte(t.offers.deadline, now)))
    .orderBy(asc(t.offers.requestId));
  let count = 0;
  for (const { requestId } of due) {
    const request = await lockRequest(tx, requestId);
    const lapsed = await tx
      .update(t.offers)
      .set({ state: 'lapsed', acceptedGpus: 0, respondedAt: t.offers.deadline })
      .where(
        and(
          eq(t.offers.requestId, requestId),
          eq(t.offers.state, 'pending'),
          lte(t.offers.deadline, now),
        ),
      )
      .returning();
    for (const offer of lapsed.sort((a, b) => a.id - b.id)) {
      const audit: Audit = (event) => appendEvent(tx, { ...event, actor }, offer.deadline);
      await audit({
        action: 'offer.lapse',
        entityType: 'request',
        entityId: String(offer.requestId),
        before: offerView({ ...offer, state: 'pending', acceptedGpus: null, respondedAt: null }),
        after: offerView(offer),
      });
      await advance(tx, request, offer.deadline, audit);
      count++;
    }
  }
  return count;
}

export interface QuoteInput {
  readonly request: number;
  readonly provider: string;
  readonly site?: string | undefined;
  readonly gpus: number;
  readonly pricePerGpuHour: string;
  readonly deliveryMonth: string;
}

/** A provider's quote for a request; refused while a ROFR holder may still take the capacity. */
export async function createQuote(
  tx: Tx,
  input: QuoteInput,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<typeof t.quotes.$inferSelect> {
  const request = await lockRequest(tx, input.request);
  await refuseBeforeClearing(tx, request, input.provider, 'quote');
  const problems = [];
  const providers = entityKind('providers');
  if (providers && !(await getEntity(tx, providers, input.provider))) {
    problems.push({ path: ['body', 'provider'], message: `unknown provider ${input.provider}` });
  }
  if (input.site !== undefined) {
    const sites = entityKind('sites');
    const site = sites ? await getEntity(tx, sites, input.site) : undefined;
    if (!site) problems.push({ path: ['body', 'site'], message: `unknown site ${input.site}` });
    else if (site.doc['provider'] !== input.provider) {
      problems.push({
        path: ['body', 'site'],
        message: `site ${input.site} is not a site of ${input.provider}`,
      });
    }
  }
  const open = request.clearedGpus;
  if (input.gpus > open) {
    problems.push({
      path: ['body', 'gpus'],
      message: `expected at most the ${open} GPUs open on request ${request.id}`,
    });
  }
  if (input.deliveryMonth < request.windowFrom || input.deliveryMonth > request.windowTo) {
    problems.push({
      path: ['body', 'deliveryMonth'],
      message: `expected a month in the request's window ${request.windowFrom} to ${request.windowTo}`,
    });
  }
  if (problems.length > 0)
    throw new HttpError(400, 'invalid_request', 'the quote is not valid', problems);
  const [quote] = await tx
    .insert(t.quotes)
    .values({
      requestId: request.id,
      providerId: input.provider,
      siteId: input.site ?? null,
      gpus: input.gpus,
      pricePerGpuHour: input.pricePerGpuHour,
      deliveryMonth: input.deliveryMonth,
      createdAt: now,
      createdBy: actor,
    })
    .returning();
  if (!quote) throw new Error('insert returned no row');
  await audit({
    action: 'quote.create',
    entityType: 'request',
    entityId: String(request.id),
    after: quoteView(quote),
  });
  return quote;
}

/**
 * Quotes and awards wait until the request is cleared: while an offer is pending, 409 naming
 * its term, holder and deadline. A holder that answered the request's offer does not quote.
 */
async function refuseBeforeClearing(
  tx: Tx,
  request: RequestRow,
  provider: string,
  what: 'quote' | 'award',
): Promise<void> {
  const offers = await tx.select().from(t.offers).where(eq(t.offers.requestId, request.id));
  if (offers.some((offer) => offer.holderId === provider)) {
    throw conflict(
      `${provider} holds the right of first refusal on request ${request.id} and answered its offer; quotes come from other providers`,
    );
  }
  if (request.state === 'awarded') throw conflict(`request ${request.id} is already awarded`);
  if (request.state === 'fulfilled')
    throw conflict(`request ${request.id} is fulfilled: the holder took all of it`);
  const pending = offers.find((offer) => offer.state === 'pending');
  if (pending) {
    throw conflict(
      `request ${request.id} is not cleared: rofr term ${pending.termId} of ${pending.contractId} gives ${pending.holderId} until ${pending.deadline.toISOString()} to answer offer ${pending.id}; a ${what} must wait`,
    );
  }
  if (request.state !== 'cleared') {
    throw conflict(`request ${request.id} is ${request.state}, not cleared; a ${what} must wait`);
  }
}

/**
 * Awards a request to a quote: the quote's capacity becomes a new pool, cleared of ROFR. An award
 * for fewer GPUs than are open leaves the request cleared with the rest open, for more quotes and
 * awards; the award that leaves nothing open makes it awarded. Each quote is awarded at most
 * once, and each provider once per request (its pool is `req-ID-PROVIDER`): a second is a 409
 * naming the award that stands. A quote larger than what is still open is a 409 too.
 */
export async function createAward(
  tx: Tx,
  quoteId: number,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<typeof t.awards.$inferSelect> {
  const [quote] = await tx.select().from(t.quotes).where(eq(t.quotes.id, quoteId));
  if (!quote) throw notFound(`quote ${quoteId}`);
  const request = await lockRequest(tx, quote.requestId);
  const standing = await tx
    .select({ award: t.awards, providerId: t.quotes.providerId })
    .from(t.awards)
    .innerJoin(t.quotes, eq(t.quotes.id, t.awards.quoteId))
    .where(eq(t.awards.requestId, request.id))
    .orderBy(asc(t.awards.id));
  const same = standing.find((row) => row.award.quoteId === quoteId);
  if (same) {
    throw conflict(
      `quote ${quoteId} is already awarded: award ${same.award.id}, pool ${same.award.poolId}`,
    );
  }
  await refuseBeforeClearing(tx, request, quote.providerId, 'award');
  const earlier = standing.find((row) => row.providerId === quote.providerId);
  if (earlier) {
    throw conflict(
      `${quote.providerId} already has award ${earlier.award.id} on request ${request.id} (pool ${earlier.award.poolId}); a provider is awarded once per request`,
    );
  }
  if (quote.gpus > request.clearedGpus) {
    throw conflict(
      `quote ${quoteId} offers ${quote.gpus} GPUs; request ${request.id} has ${request.clearedGpus} open`,
    );
  }
  const poolId = await createProcuredPool(
    tx,
    request,
    {
      provider: quote.providerId,
      site: quote.siteId ?? undefined,
      gpus: quote.gpus,
      pricePerGpuHour: quote.pricePerGpuHour,
      deliveryMonth: quote.deliveryMonth,
    },
    audit,
  );
  const [award] = await tx
    .insert(t.awards)
    .values({ requestId: request.id, quoteId, poolId, createdAt: now, createdBy: actor })
    .returning();
  if (!award) throw new Error('insert returned no row');
  const open = request.clearedGpus - quote.gpus;
  // The award is audited either way; `request.award` only when it closes the request.
  await setRequestState(tx, request, open > 0 ? 'cleared' : 'awarded', open, audit, {
    action: 'award.create',
    after: { id: award.id, quote: quoteId, pool: poolId, gpus: quote.gpus, openGpus: open },
  });
  return award;
}

/** Makes the pool an accepted offer or an award stands for; returns its id. */
async function createProcuredPool(
  tx: Tx,
  request: RequestRow,
  source: {
    provider: string;
    site: string | undefined;
    gpus: number;
    pricePerGpuHour: string;
    deliveryMonth: string;
  },
  audit: Audit,
): Promise<string> {
  const pools = entityKind('pools');
  if (!pools) throw new Error('no pools kind');
  const id = `req-${request.id}-${source.provider}`;
  const doc: EntityDoc = {
    id,
    provider: source.provider,
    ...(source.site === undefined ? {} : { site: source.site }),
    accelerator: request.acceleratorId,
    gpus: source.gpus,
    window: { from: source.deliveryMonth, to: request.windowTo },
    pricePerGpuHour: source.pricePerGpuHour,
    origin: 'new',
    rofr: 'cleared',
  };
  if (await getEntity(tx, pools, id)) throw conflict(`pool ${id} already exists`);
  await checkChange(tx, pools, { op: 'insert', doc });
  await insertEntity(tx, pools, doc, { requestId: request.id });
  await audit({ action: 'pool.create', entityType: 'pool', entityId: id, after: doc });
  return id;
}

export interface DeliveryInput {
  readonly pool: string;
  readonly month: string;
  readonly gpus: number;
}

/** Records GPUs delivered in a month against a procured pool. */
export async function recordDelivery(
  tx: Tx,
  input: DeliveryInput,
  scope: { sites?: readonly string[] },
  actor: string,
  now: Date,
  audit: Audit,
): Promise<typeof t.deliveries.$inferSelect> {
  const [pool] = await tx.select().from(t.pools).where(eq(t.pools.id, input.pool)).for('update');
  if (
    !pool ||
    (scope.sites !== undefined && (pool.siteId === null || !scope.sites.includes(pool.siteId)))
  ) {
    throw notFound(`pool ${input.pool}`);
  }
  if (pool.requestId === null) {
    throw conflict(
      `pool ${input.pool} did not come from procurement: it has no delivery promise to track`,
    );
  }
  const [observed] = await tx
    .select({ id: t.deliveries.id })
    .from(t.deliveries)
    .where(and(eq(t.deliveries.poolId, input.pool), eq(t.deliveries.source, 'agent')))
    .limit(1);
  if (observed) {
    throw conflict(
      `pool ${input.pool}'s deliveries come from its node agents (source: agent); GET /v1/inventory shows what they observe`,
    );
  }
  const doc = pool.doc as { gpus: number; window: { from: string; to: string } };
  const problems = [];
  if (input.month > monthOf(now)) {
    problems.push({
      path: ['body', 'month'],
      message: `expected a month no later than the current one, ${monthOf(now)}: deliveries are recorded when they arrive`,
    });
  } else if (input.month > doc.window.to) {
    problems.push({
      path: ['body', 'month'],
      message: `expected a month no later than the pool's window end ${doc.window.to}`,
    });
  }
  const delivered = await deliveredBy(tx, input.pool, '9999-12');
  if (delivered + input.gpus > doc.gpus) {
    problems.push({
      path: ['body', 'gpus'],
      message: `expected at most ${doc.gpus - delivered} GPUs: ${delivered} of the ${doc.gpus} promised are delivered already`,
    });
  }
  if (problems.length > 0)
    throw new HttpError(400, 'invalid_request', 'the delivery is not valid', problems);
  const [row] = await tx
    .insert(t.deliveries)
    .values({
      poolId: input.pool,
      month: input.month,
      gpus: input.gpus,
      createdAt: now,
      createdBy: actor,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit({
    action: 'delivery.create',
    entityType: 'pool',
    entityId: input.pool,
    after: deliveryView(row),
  });
  return row;
}

/**
 * GPUs delivered to a pool by a month. Where the pool's node agents have reported, it is the
 * level they observed in the latest month with a report (GPUs that failed since count no more);
 * otherwise the sum of the deliveries typed in.
 */
async function deliveredBy(db: Queryable, poolId: string, month: string): Promise<number> {
  const [observed] = await db
    .select({ gpus: t.deliveries.gpus })
    .from(t.deliveries)
    .where(
      and(
        eq(t.deliveries.poolId, poolId),
        eq(t.deliveries.source, 'agent'),
        lte(t.deliveries.month, month),
      ),
    )
    .orderBy(desc(t.deliveries.month))
    .limit(1);
  if (observed) return observed.gpus;
  const [row] = await db
    .select({ gpus: sql<number>`coalesce(sum(${t.deliveries.gpus}), 0)::int` })
    .from(t.deliveries)
    .where(
      and(
        eq(t.deliveries.poolId, poolId),
        eq(t.deliveries.source, 'manual'),
        lte(t.deliveries.month, month),
      ),
    );
  return row?.gpus ?? 0;
}

export interface LateDelivery {
  readonly pool: string;
  readonly provider: string;
  readonly site?: string;
  /** The procurement request the pool came from; absent for a scenario pool or building watched by agents. */
  readonly request?: number;
  /** `agent` where the delivered count is what the node agents observed. */
  readonly source: 'manual' | 'agent';
  readonly promisedGpus: number;
  readonly promisedBy: string;
  readonly deliveredGpus: number;
  readonly shortGpus: number;
  /** Months since the promise, counting the promised month: 1 in the month itself. */
  readonly monthsLate: number;
}

/**
 * Pools whose promise is due (the current month is at or past the delivery month) and not
 * delivered in full by the current month: procured pools, and any pool or building whose node
 * agents have reported (their observed GPUs are its delivery).
 */
export async function lateDeliveries(
  db: Queryable,
  now: Date,
  scope: { sites?: readonly string[] } = {},
): Promise<LateDelivery[]> {
  const month = monthOf(now);
  const watched = new Set(
    (
      await db
        .selectDistinct({ pool: t.deliveries.poolId })
        .from(t.deliveries)
        .where(and(eq(t.deliveries.source, 'agent'), lte(t.deliveries.month, month)))
    ).map((row) => row.pool),
  );
  const pools = await db.select().from(t.pools).orderBy(asc(t.pools.id));
  const buildings = watched.size === 0 ? [] : await db.select().from(t.buildings);
  const promised = await buildingGpus(db, buildings);
  const siteProvider = new Map(
    (await db.select({ id: t.sites.id, provider: t.sites.providerId }).from(t.sites)).map((row) => [
      row.id,
      row.provider,
    ]),
  );
  const candidates = [
    ...pools
      .filter((pool) => pool.requestId !== null || watched.has(pool.id))
      .map((pool) => {
        const doc = pool.doc as { gpus: number; window: { from: string } };
        return {
          id: pool.id,
          provider: pool.providerId,
          site: pool.siteId,
          request: pool.requestId,
          gpus: doc.gpus,
          from: doc.window.from,
        };
      }),
    ...buildings
      .filter((building) => watched.has(building.id))
      .map((building) => {
        const doc = building.doc as { online: string };
        return {
          id: building.id,
          provider: siteProvider.get(building.siteId) ?? '',
          site: building.siteId,
          request: null,
          gpus: promised.get(building.id) ?? 0,
          from: doc.online,
        };
      }),
  ].sort((a, b) => compareText(a.id, b.id));
  const late: LateDelivery[] = [];
  for (const pool of candidates) {
    if (scope.sites !== undefined && (pool.site === null || !scope.sites.includes(pool.site)))
      continue;
    if (pool.from > month) continue;
    const delivered = await deliveredBy(db, pool.id, month);
    if (delivered >= pool.gpus) continue;
    late.push({
      pool: pool.id,
      provider: pool.provider,
      ...(pool.site === null ? {} : { site: pool.site }),
      ...(pool.request === null ? {} : { request: pool.request }),
      source: watched.has(pool.id) ? 'agent' : 'manual',
      promisedGpus: pool.gpus,
      promisedBy: pool.from,
      deliveredGpus: delivered,
      shortGpus: pool.gpus - delivered,
      monthsLate: monthsBetween(pool.from, month) + 1,
    });
  }
  return late;
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return ((ty ?? 0) - (fy ?? 0)) * 12 + ((tm ?? 0) - (fm ?? 0));
}

// Views: the API's shape of each row.

export function requestView(row: RequestRow, options: { forHolder?: boolean } = {}) {
  // A holder sees what capacity it is offered, not what others took or how the request ended.
  if (options.forHolder) {
    return {
      id: row.id,
      accelerator: row.acceleratorId,
      window: { from: row.windowFrom, to: row.windowTo },
    };
  }
  return {
    id: row.id,
    state: row.state,
    accelerator: row.acceleratorId,
    gpus: row.gpus,
    window: { from: row.windowFrom, to: row.windowTo },
    clearedGpus: row.clearedGpus,
    workloadClass: row.workloadClass,
    reason: row.reason,
    ...(row.planId === null ? {} : { plan: row.planId }),
    ...(row.workloadId === null ? {} : { workload: row.workloadId }),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

export function offerView(row: OfferRow) {
  return {
    id: row.id,
    request: row.requestId,
    holder: row.holderId,
    contract: row.contractId,
    term: row.termId,
    gpus: row.gpus,
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    deadline: row.deadline.toISOString(),
    ...(row.respondedAt ? { respondedAt: row.respondedAt.toISOString() } : {}),
    ...(row.acceptedGpus === null ? {} : { acceptedGpus: row.acceptedGpus }),
    ...(row.pricePerGpuHour === null ? {} : { pricePerGpuHour: row.pricePerGpuHour }),
    ...(row.deliveryMonth === null ? {} : { deliveryMonth: row.deliveryMonth }),
    ...(row.poolId === null ? {} : { pool: row.poolId }),
    ...(row.note === null ? {} : { note: row.note }),
  };
}

export function quoteView(row: typeof t.quotes.$inferSelect) {
  return {
    id: row.id,
    request: row.requestId,
    provider: row.providerId,
    ...(row.siteId === null ? {} : { site: row.siteId }),
    gpus: row.gpus,
    pricePerGpuHour: row.pricePerGpuHour,
    deliveryMonth: row.deliveryMonth,
    createdAt: row.createdAt.toISOString(),
  };
}

export function awardView(row: typeof t.awards.$inferSelect) {
  return {
    id: row.id,
    request: row.requestId,
    quote: row.quoteId,
    pool: row.poolId,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

export function deliveryView(row: typeof t.deliveries.$inferSelect) {
  return {
    id: row.id,
    pool: row.poolId,
    month: row.month,
    gpus: row.gpus,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function getRequestRow(db: Queryable, id: number): Promise<RequestRow> {
  const [row] = await db.select().from(t.requests).where(eq(t.requests.id, id));
  if (!row) throw notFound(`request ${id}`);
  return row;
}

export async function listRequests(db: Queryable, state?: string): Promise<RequestRow[]> {
  return db
    .select()
    .from(t.requests)
    .where(state === undefined ? undefined : eq(t.requests.state, state))
    .orderBy(asc(t.requests.id));
}

export async function listOffers(
  db: Queryable,
  filter: { holder?: string; state?: string; requestIds?: number[] },
): Promise<OfferRow[]> {
  const conditions = [
    filter.holder === undefined ? undefined : eq(t.offers.holderId, filter.holder),
    filter.state === undefined ? undefined : eq(t.offers.state, filter.state),
    filter.requestIds === undefined ? undefined : inArray(t.offers.requestId, filter.requestIds),
  ].filter((c) => c !== undefined);
  return db
    .select()
    .from(t.offers)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(t.offers.id));
}

export async function getOffer(
  db: Queryable,
  id: number,
  scope: { holder?: string },
): Promise<OfferRow> {
  return findOffer(db, id, scope);
}
