import { z } from 'zod';

/**
 * The API's responses for procurement — requests, offers, quotes, awards, deliveries — as zod
 * schemas. The server's views (src/store/procurement.ts) produce these shapes; the CLI's client
 * types are inferred from them (src/cli/client/types.ts), so the two cannot drift apart
 * unnoticed: src/api/responses.test.ts parses real responses with them. Only `zod` is imported
 * here, so the server, the CLI and any client may import this module.
 */

export const rangeResponse = z.object({
  from: z.string().describe('YYYY-MM'),
  to: z.string().describe('YYYY-MM'),
});

/** A request as an operator or viewer sees it. */
export const requestResponse = z.object({
  id: z.number().int(),
  state: z.string().describe('offered, cleared, awarded or fulfilled'),
  accelerator: z.string(),
  gpus: z.number().int(),
  window: rangeResponse,
  clearedGpus: z.number().int(),
  workloadClass: z.string(),
  reason: z.string(),
  plan: z.number().int().optional().describe('The plan whose unmet demand it covers'),
  workload: z.string().optional(),
  createdAt: z.string().describe('ISO 8601'),
  createdBy: z.string(),
});

/**
 * What an offer is for. A holder sees only the request's id, accelerator and window (what
 * capacity it is offered, not what others took or how the request ended); others see it all.
 */
export const offeredRequestResponse = requestResponse
  .partial()
  .required({ id: true, accelerator: true, window: true });

export const offerResponse = z.object({
  id: z.number().int(),
  request: z.number().int(),
  holder: z.string(),
  contract: z.string(),
  term: z.string(),
  gpus: z.number().int(),
  state: z.string().describe('pending, accepted, declined or lapsed'),
  createdAt: z.string().describe('ISO 8601'),
  deadline: z.string().describe('ISO 8601'),
  respondedAt: z.string().optional(),
  acceptedGpus: z.number().int().optional(),
  pricePerGpuHour: z.string().optional().describe('A decimal, as the holder gave it'),
  deliveryMonth: z.string().optional(),
  pool: z.string().optional(),
  note: z.string().optional(),
  /** In GET /v1/offers and the answers to an offer; absent in a request's detail. */
  requested: offeredRequestResponse.optional(),
});

export const quoteResponse = z.object({
  id: z.number().int(),
  request: z.number().int(),
  provider: z.string(),
  site: z.string().optional(),
  gpus: z.number().int(),
  pricePerGpuHour: z.string().describe('A decimal, as the provider gave it'),
  deliveryMonth: z.string(),
  createdAt: z.string().describe('ISO 8601'),
});

export const awardResponse = z.object({
  id: z.number().int(),
  request: z.number().int(),
  quote: z.number().int(),
  pool: z.string(),
  createdAt: z.string().describe('ISO 8601'),
  createdBy: z.string(),
});

/** One event of a request's audit history. */
export const historyEntryResponse = z.object({
  at: z.string().describe('ISO 8601'),
  actor: z.string(),
  action: z.string(),
  after: z.unknown().optional(),
});

/** `GET /v1/requests/{id}`: a request with its offers, quotes, awards and whole history. */
export const requestDetailResponse = requestResponse.extend({
  offers: z.array(offerResponse),
  quotes: z.array(quoteResponse),
  awards: z.array(awardResponse).describe('Oldest first'),
  history: z.array(historyEntryResponse),
});

export const deliveryResponse = z.object({
  id: z.number().int(),
  pool: z.string(),
  month: z.string().describe('YYYY-MM'),
  gpus: z.number().int(),
  source: z.string().describe('`manual` typed in; `agent` observed by the pool’s node agents'),
  createdAt: z.string().describe('ISO 8601'),
});

/** `GET /v1/procurement/late`: one pool whose promise is due and not delivered in full. */
export const lateDeliveryResponse = z.object({
  pool: z.string(),
  provider: z.string(),
  site: z.string().optional(),
  request: z.number().int().optional().describe('The procurement request the pool came from'),
  source: z.enum(['manual', 'agent']),
  promisedGpus: z.number().int(),
  promisedBy: z.string().describe('YYYY-MM'),
  deliveredGpus: z.number().int(),
  shortGpus: z.number().int(),
  monthsLate: z.number().int().describe('Counting the promised month: 1 in the month itself'),
});
