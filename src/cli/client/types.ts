/**
 * The API's response shapes, as far as the CLI reads them. The server's views
 * (src/store/procurement.ts, src/server/routes/) define them; the client treats them as a
 * remote contract and reads nothing else, so it works against any server of this version.
 */

export interface Range {
  readonly from: string;
  readonly to: string;
}

/** A request; a holder sees only id, state, accelerator, gpus and window. */
export interface RequestView {
  readonly id: number;
  readonly state: string;
  readonly accelerator: string;
  readonly gpus: number;
  readonly window: Range;
  readonly clearedGpus?: number;
  readonly workloadClass?: string;
  readonly reason?: string;
  readonly plan?: number;
  readonly workload?: string;
  readonly createdAt?: string;
  readonly createdBy?: string;
}

export interface OfferView {
  readonly id: number;
  readonly request: number;
  readonly holder: string;
  readonly contract: string;
  readonly term: string;
  readonly gpus: number;
  readonly state: string;
  readonly createdAt: string;
  readonly deadline: string;
  readonly respondedAt?: string;
  readonly acceptedGpus?: number;
  readonly pricePerGpuHour?: string;
  readonly deliveryMonth?: string;
  readonly pool?: string;
  readonly note?: string;
  /** In GET /v1/offers and the answers: what the offer is for (a holder sees no state or size). */
  readonly requested?: Pick<RequestView, 'id' | 'accelerator' | 'window'> &
    Partial<Pick<RequestView, 'state' | 'gpus'>>;
}

export interface QuoteView {
  readonly id: number;
  readonly request: number;
  readonly provider: string;
  readonly site?: string;
  readonly gpus: number;
  readonly pricePerGpuHour: string;
  readonly deliveryMonth: string;
  readonly createdAt: string;
}

export interface AwardView {
  readonly id: number;
  readonly request: number;
  readonly quote: number;
  readonly pool: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface HistoryEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly after?: unknown;
}

export interface RequestDetail extends RequestView {
  readonly offers: readonly OfferView[];
  readonly quotes: readonly QuoteView[];
  /** Oldest first; an award for part of what is open leaves the request cleared. */
  readonly awards: readonly AwardView[];
  readonly history: readonly HistoryEntry[];
}

export interface DeliveryView {
  readonly id: number;
  readonly pool: string;
  readonly month: string;
  readonly gpus: number;
  /** `manual` typed in; `agent` observed by the pool's node agents. */
  readonly source?: string;
  readonly createdAt: string;
}

export interface LateDelivery {
  readonly pool: string;
  readonly provider: string;
  readonly site?: string;
  readonly request?: number;
  readonly source: string;
  readonly promisedGpus: number;
  readonly promisedBy: string;
  readonly deliveredGpus: number;
  readonly shortGpus: number;
  readonly monthsLate: number;
}

export interface PlanSummary {
  readonly id: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly solver: string;
  readonly status: string;
  readonly totalUSD: number;
  readonly gap: number;
}

/** The spec's plan document, as GET /v1/plans/{id} returns it. */
export interface PlanDocument {
  readonly scenario: string;
  readonly objective: {
    readonly totalUSD: number;
    readonly computeUSD: number;
    readonly shortfallUSD: number;
    readonly unmetUSD: number;
  };
  readonly bound: { readonly lowerBoundUSD: number; readonly gap: number };
  readonly assignments: readonly {
    readonly workload: string;
    readonly pool: string;
    readonly period: string;
    readonly gpus: number;
  }[];
  readonly unmet: readonly {
    readonly workload: string;
    readonly period: string;
    readonly gpus: number;
    readonly reasons: readonly string[];
  }[];
  readonly commitments: readonly {
    readonly contract: string;
    readonly term: string;
    readonly provider: string;
    readonly minSpendUSD: number;
    readonly spendUSD: number;
    readonly shortfallUSD: number;
  }[];
  readonly byProvider: readonly {
    readonly provider: string;
    readonly period: string;
    readonly gpus: number;
    readonly capacityGpus?: number;
    readonly computeUSD: number;
  }[];
  readonly solver?: { readonly method: string; readonly status: string; readonly note?: string };
  readonly lateDeliveries?: readonly LateDelivery[];
}

interface Change {
  readonly a: number;
  readonly b: number;
  readonly change: number;
}

/** GET /v1/plans/{a}/diff/{b}. */
export interface PlanDiff {
  readonly a: number;
  readonly b: number;
  readonly objective: Readonly<
    Record<'totalUSD' | 'computeUSD' | 'shortfallUSD' | 'unmetUSD', Change>
  >;
  readonly providers: readonly { readonly provider: string; readonly gpuMonths: Change }[];
  readonly commitments: readonly {
    readonly contract: string;
    readonly term: string;
    readonly shortfallUSD: Change;
  }[];
  readonly unmet: readonly { readonly workload: string; readonly gpuMonths: Change }[];
  readonly moved: readonly {
    readonly workload: string;
    readonly pool: string;
    readonly gpuMonths: Change;
  }[];
}

/** `GET /v1/inventory`. */
export interface Inventory {
  readonly at: string;
  readonly thresholds: {
    readonly maxTemperatureC: number;
    readonly minPowerLimitFraction: number;
    readonly criticalXids: readonly number[];
    readonly staleAfterIntervals: number;
  };
  readonly totals: { nodes: number; staleNodes: number; gpus: number; healthy: number };
  readonly groups: readonly {
    site: string;
    pool?: string;
    accelerator?: string;
    nodes: number;
    staleNodes: number;
    gpus: number;
    healthy: number;
    unhealthy: number;
  }[];
  readonly unhealthy: readonly {
    node: string;
    site: string;
    pool?: string;
    gpu: number;
    reasons: readonly string[];
  }[];
  readonly stale: readonly {
    node: string;
    site: string;
    pool?: string;
    lastSeen: string;
    intervalSeconds: number;
    gpus: number;
  }[];
  readonly capacity: readonly {
    pool: string;
    kind: string;
    site: string;
    accelerator: string;
    promisedGpus: number;
    from: string;
    healthyNow: number;
    deliveredThisMonth?: number;
    state: string;
  }[];
}

/** `GET /v1/nodes`: one node. */
export interface NodeView {
  readonly node: string;
  readonly site: string;
  readonly pool?: string;
  readonly accelerator?: string;
  readonly source: string;
  readonly driverVersion?: string;
  readonly lastSeen: string;
  readonly stale: boolean;
  readonly gpus: number;
  readonly healthy: number;
  readonly unhealthy: readonly { gpu: number; reasons: readonly string[] }[];
}

/** `GET /v1/nodes/{node}`: a node with each GPU's reading and verdict, and its history. */
export interface NodeDetail extends NodeView {
  readonly cudaVersion?: string;
  readonly firstSeen: string;
  readonly sentBy: string;
  readonly gpuDetail: readonly {
    readonly reading: {
      readonly index: number;
      readonly name?: string;
      readonly uuid?: string;
      readonly temperatureC?: number;
      readonly powerDrawW?: number;
      readonly powerLimitW?: number;
      readonly eccUncorrectedVolatile?: number;
    };
    readonly healthy: boolean;
    readonly reasons: readonly string[];
  }[];
  readonly history: readonly {
    readonly receivedAt: string;
    readonly gpus: number;
    readonly healthy: number;
    readonly sentBy: string;
  }[];
}
