import type * as t from '../schema.js';

/** The procurement tables' rows, and the API's shape of each: what every route returns. */

export type RequestRow = typeof t.requests.$inferSelect;
export type OfferRow = typeof t.offers.$inferSelect;

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
