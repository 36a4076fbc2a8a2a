/**
 * Procurement: capacity requests, the offer to a right-of-first-refusal holder with its
 * deadline, clearing, quotes, the award, and deliveries against the promise. One file per
 * resource under `procurement/`; this module is what the rest of the service imports.
 *
 * Every function runs inside the caller's transaction and locks the request row it changes
 * (`for update`), so two processes acting on one request serialise: one wins, the other sees
 * the new state and is refused. Deadlines are rows: `sweepDeadlines` lapses every pending offer
 * whose deadline has passed, at whichever process's call comes first, exactly once (the
 * update's `state = 'pending'` guard re-checks after any lock it waited for).
 */

export type { OfferState, RequestState } from './procurement/routing.js';
export type { RofrBinding } from './procurement/rofr.js';
export { bindingRofr } from './procurement/rofr.js';
export type { OpenedRequest, RequestInput } from './procurement/requests.js';
export { createRequest, openRequest, getRequestRow, listRequests } from './procurement/requests.js';
export type { OpenedAtOnce } from './procurement/requests-at-once.js';
export { RofrTermsSeen, openRequestAtOnce } from './procurement/requests-at-once.js';
export type { AcceptInput } from './procurement/offers.js';
export { answerOffer, getOffer, listOffers, listOffersWithRequests } from './procurement/offers.js';
export { offersDue, sweepDeadlines } from './procurement/deadlines.js';
export type { QuoteInput } from './procurement/quotes.js';
export { createQuote } from './procurement/quotes.js';
export { createAward } from './procurement/awards.js';
export type { DeliveryInput } from './procurement/deliveries.js';
export { monthOf, recordDelivery } from './procurement/deliveries.js';
export type { LateDelivery } from './procurement/late-deliveries.js';
export { lateDeliveries } from './procurement/late-deliveries.js';
export { awardView, deliveryView, offerView, quoteView, requestView } from './procurement/views.js';
