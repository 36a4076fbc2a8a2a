import { asc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../db.js';
import { conflict, notFound } from '../errors.js';
import type { AuditEvent } from '../events.js';
import * as t from '../schema.js';
import type { RofrBinding } from './rofr.js';
import { bindingRofr } from './rofr.js';
import type { OfferRow, RequestRow } from './views.js';
import { offerView } from './views.js';

/**
 * Where a request stands and how it moves: an offer to each binding ROFR holder in turn, then
 * cleared for other providers, awarded, or fulfilled by the holders.
 */

export type RequestState = 'offered' | 'cleared' | 'awarded' | 'fulfilled';
export type OfferState = 'pending' | 'accepted' | 'declined' | 'lapsed';

/** Appends to the audit log of the caller's transaction, as the caller. */
export type Audit = (event: Omit<AuditEvent, 'actor' | 'requestId'>) => Promise<void>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Reads a request and locks its row until commit. Every change to a request starts here, so two
 * transactions acting on one request take turns, the second seeing what the first did.
 */
export async function lockRequest(tx: Tx, id: number): Promise<RequestRow> {
  const [row] = await tx.select().from(t.requests).where(eq(t.requests.id, id)).for('update');
  if (!row) throw notFound(`request ${id}`);
  return row;
}

/**
 * Moves a request on after a holder's answer (or at creation): the next binding holder that has
 * not had its offer gets one for what is left; when none is left, what remains is cleared, or
 * the request is fulfilled when holders took it all.
 */
export async function advance(
  tx: Tx,
  request: RequestRow,
  now: Date,
  audit: Audit,
  /** The request's offers, oldest first, when the caller knows them (none, for a new request). */
  known?: readonly OfferRow[],
  /** The ROFR terms that bind the request, when the caller has read them (`bindingsOf`). */
  binding?: readonly RofrBinding[],
): Promise<Advanced> {
  // An awarded or fulfilled request is closed: nothing an offer does afterwards reopens it.
  if (request.state === 'awarded' || request.state === 'fulfilled') {
    return { request, offers: known };
  }
  const offers =
    known ??
    (await tx
      .select()
      .from(t.offers)
      .where(eq(t.offers.requestId, request.id))
      .orderBy(asc(t.offers.id)));
  const accepted = offers.reduce((sum, offer) => sum + (offer.acceptedGpus ?? 0), 0);
  const remaining = request.gpus - accepted;
  const offered = new Set(offers.map((offer) => `${offer.contractId}/${offer.termId}`));
  const next =
    remaining > 0
      ? (
          binding ??
          (await bindingRofr(tx, request.acceleratorId, {
            from: request.windowFrom,
            to: request.windowTo,
          }))
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
    const moved = await setRequestState(tx, request, 'offered', 0, audit, {
      action: 'offer.create',
      after: offerView(offer),
    });
    return { request: moved, offers: [...offers, offer] };
  }
  const moved =
    remaining <= 0
      ? await setRequestState(tx, request, 'fulfilled', 0, audit)
      : await setRequestState(tx, request, 'cleared', remaining, audit);
  return { request: moved, offers };
}

/** A request as `advance` left it, and its offers (oldest first) where it read or made them. */
export interface Advanced {
  readonly request: RequestRow;
  readonly offers: readonly OfferRow[] | undefined;
}

/**
 * Sets a request's state and open GPUs; audits `event` (what moved it) where given, and the
 * change of state where there is one. A request whose state and open GPUs stay as they are is
 * not written (a new request's first offer: it was made `offered`; an offer passed on to the
 * next holder): its version and updated_at count changes of those.
 */
export async function setRequestState(
  tx: Tx,
  request: RequestRow,
  state: RequestState,
  clearedGpus: number,
  audit: Audit,
  event?: { action: string; after: unknown },
): Promise<RequestRow> {
  const unchanged = state === request.state && clearedGpus === request.clearedGpus;
  const [moved] = unchanged
    ? [request]
    : await tx
        .update(t.requests)
        .set({ state, clearedGpus, version: sql`${t.requests.version} + 1`, updatedAt: sql`now()` })
        .where(eq(t.requests.id, request.id))
        .returning();
  if (!moved) throw notFound(`request ${request.id}`);
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
  return moved;
}

/**
 * Quotes and awards wait until the request is cleared: while an offer is pending, 409 naming
 * its term, holder and deadline. A holder that answered the request's offer does not quote.
 */
export async function refuseBeforeClearing(
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
