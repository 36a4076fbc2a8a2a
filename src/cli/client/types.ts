import type { Received } from '../../api/described.js';
import type { inventoryResponse, nodeDetailResponse, nodeResponse } from '../../api/fleet.js';
import type {
  planDiffResponse,
  planDocumentResponse,
  planSummaryResponse,
} from '../../api/plans.js';
import type {
  awardResponse,
  deliveryResponse,
  historyEntryResponse,
  lateDeliveryResponse,
  offerResponse,
  quoteResponse,
  rangeResponse,
  requestDetailResponse,
  requestResponse,
} from '../../api/procurement.js';

/**
 * The API's response shapes, as the CLI reads them: inferred from the API's own schemas
 * (src/api/), which the server's routes declare as their responses, so a change to what the
 * server sends fails the CLI's build rather than its users. The client treats them as a remote
 * contract and only reads them; it never parses them at run time.
 */

export type Range = Received<typeof rangeResponse>;
/** A request; a holder sees only id, accelerator and window (in an offer's `requested`). */
export type RequestView = Received<typeof requestResponse>;
export type OfferView = Received<typeof offerResponse>;
export type QuoteView = Received<typeof quoteResponse>;
export type AwardView = Received<typeof awardResponse>;
export type HistoryEntry = Received<typeof historyEntryResponse>;
/** Awards oldest first; an award for part of what is open leaves the request cleared. */
export type RequestDetail = Received<typeof requestDetailResponse>;
export type DeliveryView = Received<typeof deliveryResponse>;
export type LateDelivery = Received<typeof lateDeliveryResponse>;
export type PlanSummary = Received<typeof planSummaryResponse>;
/** The spec's plan document, as GET /v1/plans/{id} returns it. */
export type PlanDocument = Received<typeof planDocumentResponse>;
/** GET /v1/plans/{a}/diff/{b}. */
export type PlanDiff = Received<typeof planDiffResponse>;
/** `GET /v1/inventory`. */
export type Inventory = Received<typeof inventoryResponse>;
/** `GET /v1/nodes`: one node. */
export type NodeView = Received<typeof nodeResponse>;
/** `GET /v1/nodes/{node}`: a node with each GPU's reading and verdict, and its history. */
export type NodeDetail = Received<typeof nodeDetailResponse>;
