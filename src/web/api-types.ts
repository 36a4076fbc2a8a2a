/**
 * The types of the API's bodies, taken from the code that makes them (the zod schemas and the
 * view functions the routes return), never written again by hand: a change to a route's body
 * fails the dashboard's type check.
 */
import type { z } from 'zod';
import type { PlanJson } from '../core/planner/plan-json.js';
import type {
  awardView,
  deliveryView,
  LateDelivery,
  offerView,
  quoteView,
  requestView,
} from '../store/procurement.js';
import type { whoAmI } from '../server/routes/admin.js';
import type { forecastToJson } from '../core/forecast/forecast-json.js';
import type { ledgerToJson } from '../core/ledger/ledger-json.js';
import type { requestBody } from '../server/routes/procurement.js';
import type { Role } from '../store/tokens.js';
import type { StreamMessage } from '../server/stream.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type {
  planOverviewBody,
  planSummary,
  planWorkloadBody,
  planWorkloadsBody,
} from '../server/routes/plans.js';
import type { PlanJsonDiff } from '../core/diff/plan-json-diff.js';
import type { ClausePricesJson } from '../core/decisions/clause-prices-json.js';
import type { planRiskResponse } from '../server/routes/plan-risk.js';
import type { planValueResponse } from '../server/routes/plan-value.js';
import type { whatIfResponse, whatIfResultResponse } from '../server/routes/what-if.js';
import type { describeContracts } from '../core/term-sentences.js';
import type { inventory, nodeDetail, nodeView } from '../store/fleet.js';
import type { watchedCapacity } from '../store/fleet-capacity.js';

export type { PlanJson, Role, StreamMessage };
/** `GET /v1/scenario`: the scenario as a scenario file. */
export type ScenarioDocument = ScenarioInput;
export type Me = ReturnType<typeof whoAmI>;
export type RequestView = ReturnType<typeof requestView>;
export type OfferView = ReturnType<typeof offerView>;
/** `GET /v1/offers`: each offer with what it is for (a holder sees only the capacity). */
export type OfferWithRequest = OfferView & {
  readonly requested:
    RequestView | { id: number; accelerator: string; window: { from: string; to: string } };
};
export type QuoteView = ReturnType<typeof quoteView>;
export type AwardView = ReturnType<typeof awardView>;
export type DeliveryView = ReturnType<typeof deliveryView>;
export type { LateDelivery };
export type ForecastJson = ReturnType<typeof forecastToJson>;
export type LedgerJson = ReturnType<typeof ledgerToJson>;
/** `GET /v1/ledger?journal=false`: the books without the journal (a twentieth of the body). */
export type LedgerReportJson = Omit<LedgerJson, 'transactions'>;
export type NewRequest = z.input<typeof requestBody>;

/** `GET /v1/plans`: one stored plan's summary. */
export type PlanSummary = ReturnType<typeof planSummary>;
/** `GET /v1/plans/{id}/summary`: the plan at a glance, a few kB for any portfolio. */
export type PlanOverview = ReturnType<typeof planOverviewBody>;
/** `GET /v1/plans/{id}/workloads`: the plan's headline and one row per workload. */
export type PlanWorkloads = ReturnType<typeof planWorkloadsBody>;
export type PlanWorkloadRow = PlanWorkloads['workloads'][number];
/** `GET /v1/plans/{id}/workloads/{workload}`: one workload month by month. */
export type PlanWorkloadDetail = ReturnType<typeof planWorkloadBody>;
/** `GET /v1/plans/{a}/diff/{b}`. */
export type PlanDiff = PlanJsonDiff & { readonly a: number; readonly b: number };
/** `GET /v1/plans/{id}/clauses`: what each term that shapes placement costs, alone and in pairs. */
export type PlanClauses = ClausePricesJson & { readonly plan: number };
/** Its 202 body, while the prices are being computed. */
export interface PlanClausesComputing {
  readonly plan: number;
  readonly status: 'computing';
}
export type ClausePriceJson = PlanClauses['singles'][number];
/** The 202 body of a result computed in the background (`/clauses`, `/value`, `/risk`). */
export type PlanComputing = PlanClausesComputing;
/** `GET /v1/plans/{id}/value`: what capacity and each building's date are worth. */
export type PlanValue = z.output<typeof planValueResponse>;
export type BuildingValueJson = PlanValue['buildings'][number];
/** `GET /v1/plans/{id}/risk`: the plan under construction slips. */
export type PlanRiskJson = z.output<typeof planRiskResponse>;
export type BuildingRiskJson = PlanRiskJson['byBuilding'][number];
/** `GET /v1/terms`: every contract with its terms in words. */
export interface TermsBody {
  readonly contracts: ReturnType<typeof describeContracts>;
}

/** `GET /v1/inventory`: the fleet as its node agents report it, and delivered vs promised. */
export type InventoryBody = Awaited<ReturnType<typeof inventory>> & {
  readonly capacity: Awaited<ReturnType<typeof watchedCapacity>>;
};
export type InventoryGroup = InventoryBody['groups'][number];
export type UnhealthyGpu = InventoryBody['unhealthy'][number];
export type StaleNode = InventoryBody['stale'][number];
/** One pool or building whose nodes run the agent: promised, healthy now, delivered. */
export type WatchedCapacity = InventoryBody['capacity'][number];
/** `GET /v1/nodes`: one node each. */
export type NodeView = ReturnType<typeof nodeView>;
/** `GET /v1/nodes/{node}`: the node, each GPU's reading and verdict, and its history. */
export type NodeDetail = Awaited<ReturnType<typeof nodeDetail>>;

/** `POST /v1/what-if`: the stored scenario with a change, beside the latest stored plan. */
export type WhatIfAnswer = z.output<typeof whatIfResponse>;
/** `GET /v1/what-if/{id}`: a what-if's first answer and, once computed, its exact one. */
export type WhatIfResult = z.output<typeof whatIfResultResponse>;
