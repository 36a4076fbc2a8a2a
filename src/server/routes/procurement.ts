import { z } from 'zod';
import {
  awardResponse,
  deliveryResponse,
  lateDeliveryResponse,
  offerResponse,
  quoteResponse,
  requestDetailResponse,
  requestResponse,
} from '../../api/procurement.js';
import type { Tx } from '../../store/db.js';
import type { OpenedAtOnce } from '../../store/procurement.js';
import type { HistoryEvent } from '../../store/events.js';
import { entityHistory, pendingHistory } from '../../store/events.js';
import {
  answerOffer,
  awardView,
  createAward,
  createQuote,
  openRequest,
  openRequestAtOnce,
  RofrTermsSeen,
  deliveryView,
  getOffer,
  getRequestRow,
  lateDeliveries,
  listOffers,
  listRequests,
  offerView,
  quoteView,
  recordDelivery,
  requestView,
} from '../../store/procurement.js';
import * as t from '../../store/schema.js';
import { asc, eq, sql } from 'drizzle-orm';
import type { Principal } from '../../store/tokens.js';
import type { OfferReads } from '../offer-reads.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import {
  gpus,
  idSchema,
  numericId,
  numericIdParams,
  periodSchema,
  price,
  priceText,
  rangeSchema,
} from '../schemas.js';

const actor = (principal: Principal) => `${principal.role}/${principal.tokenId}`;
const holderScope = (principal: Principal) =>
  principal.role === 'holder' ? { holder: principal.providerId ?? '' } : {};
const siteScope = (principal: Principal) =>
  principal.role === 'operator' ? { sites: principal.siteIds } : {};

export const requestBody = z
  .object({
    accelerator: idSchema,
    gpus,
    window: rangeSchema,
    workloadClass: z
      .string({ error: 'expected a workload class' })
      .min(1, { error: 'expected a workload class' }),
    reason: z.string({ error: 'expected a reason' }).min(1, { error: 'expected a reason' }),
  })
  .strict()
  .refine((body) => body.window.to >= body.window.from, {
    error: 'expected a window whose end is no earlier than its start',
    path: ['window', 'to'],
  });

const acceptBody = z
  .object({
    gpus: gpus.optional().describe('GPUs taken; default all offered'),
    pricePerGpuHour: price,
    deliveryMonth: periodSchema.optional().describe("Default the request's first month"),
    site: idSchema.optional().describe("One of the holder's sites, if known"),
  })
  .strict();

const declineBody = z.object({ note: z.string().max(2000).optional() }).strict();

const quoteBody = z
  .object({
    request: numericId,
    provider: idSchema,
    site: idSchema.optional(),
    gpus,
    pricePerGpuHour: price,
    deliveryMonth: periodSchema,
  })
  .strict();

const stateQuery = (states: readonly [string, ...string[]]) =>
  z
    .object({ state: z.enum(states, { error: `expected one of ${states.join(', ')}` }).optional() })
    .strict();

export function procurementRoutes(offers: OfferReads): Route[] {
  const termsSeen = new RofrTermsSeen();
  return [
    route({
      method: 'POST',
      path: '/v1/requests',
      tag: 'procurement',
      summary: 'Request capacity; where a rofr term binds, it becomes an offer to the holder',
      roles: ['admin', 'planner'],
      body: requestBody,
      response: requestDetailResponse,
      successStatus: 201,
      sweepsDeadlines: true,
      // Its first statement (the scenario check) claims the Idempotency-Key.
      claimsKeyItself: true,
      // The common case in one statement: a valid request, routed by terms already seen.
      atOnce: async ({ db, body, principal, now, requestId, actor: auditActor, key }) => {
        const answer = (opened: OpenedAtOnce) =>
          requestDetailBody(opened.request, opened.offers, [], [], opened.history);
        const opened = await openRequestAtOnce(
          db,
          body,
          { createdBy: actor(principal), actor: auditActor, requestId, now, key },
          termsSeen,
          answer,
        );
        return opened && { status: 201, body: answer(opened) };
      },
      handler: async ({ tx, body, principal, now, audit }) => {
        // Answered from what it wrote: a new request has no quotes, awards or committed events.
        const opened = await openRequest(tx, body, actor(principal), now, audit);
        const { id } = opened.request;
        return {
          status: 201,
          body: requestDetailBody(
            opened.request,
            opened.offers,
            [],
            [],
            pendingHistory(tx, { entityType: 'request', entityId: String(id) }),
          ),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/requests',
      tag: 'procurement',
      summary: 'Capacity requests, oldest first',
      roles: ['admin', 'planner', 'viewer'],
      query: stateQuery(['offered', 'cleared', 'awarded', 'fulfilled']),
      response: z.array(requestResponse),
      sweepsDeadlines: true,
      handler: async ({ tx, query }) => ({
        body: (await listRequests(tx, query.state)).map((row) => requestView(row)),
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/requests/{id}',
      tag: 'procurement',
      summary: 'One request with its offers, quotes, awards (oldest first) and whole history',
      roles: ['admin', 'planner', 'viewer'],
      params: numericIdParams,
      response: requestDetailResponse,
      sweepsDeadlines: true,
      handler: async ({ tx, params }) => ({ body: await requestDetail(tx, params.id) }),
    }),
    route({
      method: 'GET',
      path: '/v1/offers',
      tag: 'procurement',
      summary: 'Offers; a holder sees only those addressed to it',
      roles: ['admin', 'planner', 'viewer', 'holder'],
      query: stateQuery(['pending', 'accepted', 'declined', 'lapsed']),
      response: z.array(offerResponse),
      sweepsDeadlines: true,
      // The offers and their requests in one statement: one snapshot, no transaction needed.
      readsWithoutTransaction: true,
      handler: async ({ tx, principal, query }) => {
        const filter = {
          ...holderScope(principal),
          ...(query.state ? { state: query.state } : {}),
        };
        // Shared with identical reads (the role shapes the view below, not the rows).
        const rows = await offers.read(tx, filter);
        return { body: rows.map(({ offer, request }) => withRequest(offer, request, principal)) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/offers/{id}',
      tag: 'procurement',
      summary: 'One offer (404 for a holder it is not addressed to)',
      roles: ['admin', 'planner', 'viewer', 'holder'],
      params: numericIdParams,
      response: offerResponse,
      sweepsDeadlines: true,
      handler: async ({ tx, principal, params }) => ({
        body: await offerWithRequest(
          tx,
          await getOffer(tx, params.id, holderScope(principal)),
          principal,
        ),
      }),
    }),
    route({
      method: 'POST',
      path: '/v1/offers/{id}/accept',
      tag: 'procurement',
      summary: 'The holder takes all or part of an offer; it becomes a new pool of the holder',
      roles: ['admin', 'holder'],
      params: numericIdParams,
      body: acceptBody,
      response: offerResponse,
      sweepsDeadlines: true,
      handler: async ({ tx, principal, params, body, now, audit }) => {
        const offer = await answerOffer(
          tx,
          params.id,
          {
            kind: 'accept',
            input: { ...body, pricePerGpuHour: priceText(body.pricePerGpuHour) },
          },
          holderScope(principal),
          now,
          audit,
        );
        return { body: await offerWithRequest(tx, offer, principal) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/offers/{id}/decline',
      tag: 'procurement',
      summary: 'The holder declines; the request is cleared for other providers',
      roles: ['admin', 'holder'],
      params: numericIdParams,
      body: declineBody,
      response: offerResponse,
      sweepsDeadlines: true,
      handler: async ({ tx, principal, params, body, now, audit }) => {
        const offer = await answerOffer(
          tx,
          params.id,
          { kind: 'decline', note: body.note },
          holderScope(principal),
          now,
          audit,
        );
        return { body: await offerWithRequest(tx, offer, principal) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/quotes',
      tag: 'procurement',
      summary:
        "Record a provider's quote for a request; refused (409, naming the term) before it is cleared",
      roles: ['admin', 'planner'],
      body: quoteBody,
      response: quoteResponse,
      successStatus: 201,
      sweepsDeadlines: true,
      handler: async ({ tx, principal, body, now, audit }) => {
        const quote = await createQuote(
          tx,
          { ...body, pricePerGpuHour: priceText(body.pricePerGpuHour) },
          actor(principal),
          now,
          audit,
        );
        return { status: 201, body: quoteView(quote) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/quotes',
      tag: 'procurement',
      summary: 'Quotes, optionally of one request',
      roles: ['admin', 'planner', 'viewer'],
      query: z.object({ request: numericId.optional() }).strict(),
      response: z.array(quoteResponse),
      handler: async ({ tx, query }) => {
        const rows = await tx
          .select()
          .from(t.quotes)
          .where(query.request === undefined ? undefined : eq(t.quotes.requestId, query.request))
          .orderBy(asc(t.quotes.id));
        return { body: rows.map(quoteView) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/awards',
      tag: 'procurement',
      summary:
        'Award a request to a quote: a new pool, rofr cleared; GPUs the quote leaves stay open. 409 before clearing, naming the term',
      roles: ['admin', 'planner'],
      body: z.object({ quote: numericId }).strict(),
      response: awardResponse,
      successStatus: 201,
      sweepsDeadlines: true,
      handler: async ({ tx, principal, body, now, audit }) => ({
        status: 201,
        body: awardView(await createAward(tx, body.quote, actor(principal), now, audit)),
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/awards',
      tag: 'procurement',
      summary: 'Awards',
      roles: ['admin', 'planner', 'viewer'],
      response: z.array(awardResponse),
      handler: async ({ tx }) => ({
        body: (await tx.select().from(t.awards).orderBy(asc(t.awards.id))).map(awardView),
      }),
    }),
    route({
      method: 'POST',
      path: '/v1/deliveries',
      tag: 'procurement',
      summary: 'Record GPUs delivered in a month against a procured pool (operators: their sites)',
      roles: ['admin', 'planner', 'operator'],
      body: z.object({ pool: idSchema, month: periodSchema, gpus }).strict(),
      response: deliveryResponse,
      successStatus: 201,
      handler: async ({ tx, principal, body, now, audit }) => ({
        status: 201,
        body: deliveryView(
          await recordDelivery(tx, body, siteScope(principal), actor(principal), now, audit),
        ),
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/deliveries',
      tag: 'procurement',
      summary:
        'Deliveries (typed in, and `source: agent` observed by node agents), optionally of one pool (operators: their sites)',
      roles: ['admin', 'planner', 'viewer', 'operator'],
      query: z.object({ pool: idSchema.optional() }).strict(),
      response: z.array(deliveryResponse),
      handler: async ({ tx, principal, query }) => {
        const rows = await tx
          .select({
            delivery: t.deliveries,
            siteId: sql<string | null>`coalesce(${t.pools.siteId}, ${t.buildings.siteId})`,
          })
          .from(t.deliveries)
          // A delivery is to a pool or, observed by agents, to a building.
          .leftJoin(t.pools, eq(t.pools.id, t.deliveries.poolId))
          .leftJoin(t.buildings, eq(t.buildings.id, t.deliveries.poolId))
          .where(query.pool === undefined ? undefined : eq(t.deliveries.poolId, query.pool))
          .orderBy(asc(t.deliveries.id));
        const scope = siteScope(principal).sites;
        return {
          body: rows
            .filter(
              (row) => scope === undefined || (row.siteId !== null && scope.includes(row.siteId)),
            )
            .map((row) => deliveryView(row.delivery)),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/procurement/late',
      tag: 'procurement',
      summary:
        'Procured pools, and pools or buildings watched by node agents, due and not delivered in full by the current month',
      roles: ['admin', 'planner', 'viewer', 'operator', 'funder'],
      response: z.array(lateDeliveryResponse),
      handler: async ({ tx, principal, now }) => ({
        body: await lateDeliveries(tx, now, siteScope(principal)),
      }),
    }),
  ];
}

/**
 * A request with its offers, quotes, awards and history. The history includes the events of the
 * caller's own transaction, which are written only at its commit: the answer to the change that
 * made them shows them.
 */
async function requestDetail(tx: Tx, id: number) {
  const row = await getRequestRow(tx, id);
  const offers = await listOffers(tx, { requestIds: [id] });
  const quotes = await tx
    .select()
    .from(t.quotes)
    .where(eq(t.quotes.requestId, id))
    .orderBy(asc(t.quotes.id));
  const awards = await tx
    .select()
    .from(t.awards)
    .where(eq(t.awards.requestId, id))
    .orderBy(asc(t.awards.id));
  const history = await entityHistory(tx, { entityType: 'request', entityId: String(id) }, 1000);
  return requestDetailBody(row, offers, quotes, awards, history);
}

/** One request with its offers, quotes, awards (oldest first) and history, as answered. */
function requestDetailBody(
  row: Parameters<typeof requestView>[0],
  offers: readonly Parameters<typeof offerView>[0][],
  quotes: readonly Parameters<typeof quoteView>[0][],
  awards: readonly Parameters<typeof awardView>[0][],
  history: readonly HistoryEvent[],
) {
  return {
    ...requestView(row),
    offers: offers.map(offerView),
    quotes: quotes.map(quoteView),
    awards: awards.map(awardView),
    history: history.map((event) => ({
      at: event.at,
      actor: event.actor,
      action: event.action,
      ...(event.after === null ? {} : { after: event.after }),
    })),
  };
}

/** An offer with what it is for: a holder sees the request's capacity, not its workload or reason. */
async function offerWithRequest(
  tx: Parameters<typeof getRequestRow>[0],
  offer: Parameters<typeof offerView>[0],
  principal: Principal,
) {
  return withRequest(offer, await getRequestRow(tx, offer.requestId), principal);
}

function withRequest(
  offer: Parameters<typeof offerView>[0],
  request: Parameters<typeof requestView>[0],
  principal: Principal,
) {
  return {
    ...offerView(offer),
    requested: requestView(request, { forHolder: principal.role === 'holder' }),
  };
}
