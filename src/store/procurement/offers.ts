import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db.js';
import { HttpError, conflict, notFound } from '../errors.js';
import { entityKind, getEntity } from '../scenario-store.js';
import * as t from '../schema.js';
import { createProcuredPool } from './procured-pools.js';
import type { Audit } from './routing.js';
import { advance, lockRequest } from './routing.js';
import type { OfferRow, RequestRow } from './views.js';
import { offerView } from './views.js';

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

/**
 * `listOffers`, each offer with its request, in one statement (one snapshot). Holders poll it:
 * its four forms (by holder or not, by state or not) are prepared once per database (named
 * statements on PostgreSQL: neither Drizzle nor the server builds or plans them again).
 */
export async function listOffersWithRequests(
  db: Queryable,
  filter: { holder?: string; state?: string },
): Promise<{ offer: OfferRow; request: RequestRow }[]> {
  const form = `${filter.holder === undefined ? '' : 'h'}${filter.state === undefined ? '' : 's'}`;
  let forms = preparedOfferLists.get(db);
  if (!forms) {
    forms = new Map();
    preparedOfferLists.set(db, forms);
  }
  let query = forms.get(form);
  if (!query) {
    const conditions = [
      filter.holder === undefined ? undefined : eq(t.offers.holderId, sql.placeholder('holder')),
      filter.state === undefined ? undefined : eq(t.offers.state, sql.placeholder('state')),
    ].filter((c) => c !== undefined);
    query = db
      .select({ offer: t.offers, request: t.requests })
      .from(t.offers)
      .innerJoin(t.requests, eq(t.requests.id, t.offers.requestId))
      .where(conditions.length > 0 ? and(...conditions) : undefined)
      .orderBy(asc(t.offers.id))
      .prepare(`stargate_offers_with_requests_${form || 'all'}`);
    forms.set(form, query);
  }
  return query.execute({ holder: filter.holder, state: filter.state });
}

interface PreparedOfferList {
  execute(values: Record<string, unknown>): Promise<{ offer: OfferRow; request: RequestRow }[]>;
}

const preparedOfferLists = new WeakMap<Queryable, Map<string, PreparedOfferList>>();

export async function getOffer(
  db: Queryable,
  id: number,
  scope: { holder?: string },
): Promise<OfferRow> {
  return findOffer(db, id, scope);
}
