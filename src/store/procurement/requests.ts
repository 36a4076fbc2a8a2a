import { asc, eq, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db.js';
import { HttpError, notFound } from '../errors.js';
import { claimed, takeClaim } from '../idempotency.js';
import * as t from '../schema.js';
import type { Audit } from './routing.js';
import { advance } from './routing.js';
import type { RofrTermRow } from './rofr.js';
import { bindingsOf, rofrTermsColumn } from './rofr.js';
import type { OfferRow, RequestRow } from './views.js';
import { requestView } from './views.js';

export interface RequestInput {
  readonly accelerator: string;
  readonly gpus: number;
  readonly window: { readonly from: string; readonly to: string };
  readonly workloadClass: string;
  readonly reason: string;
  readonly planId?: number;
  readonly workload?: string;
}

/** Creates a request and routes it: an offer to the first ROFR holder, or straight to cleared. */
export async function createRequest(
  tx: Tx,
  input: RequestInput,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<number> {
  return (await openRequest(tx, input, actor, now, audit)).request.id;
}

/** A request just made, as routed, with the offer it made (if any): what its answer shows. */
export interface OpenedRequest {
  readonly request: RequestRow;
  readonly offers: readonly OfferRow[];
}

/**
 * `createRequest`, answering with the request as routed and its offers, from what it wrote: a
 * new request has no quotes, awards or committed events yet, so its answer needs no read.
 */
export async function openRequest(
  tx: Tx,
  input: RequestInput,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<OpenedRequest> {
  const rofr = await checkRequestAgainstScenario(tx, input);
  const [row] = await tx
    .insert(t.requests)
    .values(newRequestRow(input, actor, now))
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit({
    action: 'request.create',
    entityType: 'request',
    entityId: String(row.id),
    after: requestView(row),
  });
  const routed = await advance(
    tx,
    row,
    now,
    audit,
    [],
    bindingsOf(rofr, input.accelerator, input.window),
  );
  return { request: routed.request, offers: routed.offers ?? [] };
}

/** What a new request is inserted as, before it is routed. */
export function newRequestRow(input: RequestInput, createdBy: string, now: Date) {
  return {
    createdAt: now,
    createdBy,
    acceleratorId: input.accelerator,
    gpus: input.gpus,
    windowFrom: input.window.from,
    windowTo: input.window.to,
    workloadClass: input.workloadClass,
    reason: input.reason,
    planId: input.planId ?? null,
    workloadId: input.workload ?? null,
    state: 'offered',
  };
}

/**
 * The accelerator must exist and the window meet the horizon; one query for both, which also
 * reads the ROFR terms the request is routed by. Returns those terms.
 */
async function checkRequestAgainstScenario(
  tx: Tx,
  input: RequestInput,
): Promise<readonly RofrTermRow[]> {
  const problems = [];
  // The request's Idempotency-Key is claimed by this statement too, where the caller left it. A
  // claim that waits on another attempt with the same key reads the scenario as it was when the
  // statement began (READ COMMITTED): if that attempt rolls back, this one acts on that reading.
  const claim = takeClaim(tx);
  const result = await tx.execute(
    sql`${claim ? sql`with ${claim.with} ` : sql``}select ${claim ? claim.claimed : sql`1`} as claimed,
          exists (select 1 from ${t.accelerators} where ${t.accelerators.id} = ${input.accelerator}) as known,
          s.horizon_start as "horizonStart", s.horizon_end as "horizonEnd", ${rofrTermsColumn} as rofr
        from (select 1) as one left join ${t.scenarioSettings} as s on true`,
  );
  const [found] = (
    result as {
      rows: {
        claimed: number;
        known: boolean;
        horizonStart: string | null;
        horizonEnd: string | null;
        rofr: RofrTermRow[];
      }[];
    }
  ).rows;
  if (claim) claimed(tx, found?.claimed ?? 0);
  if (!found?.known) {
    problems.push({
      path: ['body', 'accelerator'],
      message: `unknown accelerator ${input.accelerator}`,
    });
  }
  if (
    found?.horizonStart != null &&
    found.horizonEnd != null &&
    (input.window.from > found.horizonEnd || input.window.to < found.horizonStart)
  ) {
    problems.push({
      path: ['body', 'window'],
      message: `expected a window that meets the horizon ${found.horizonStart} to ${found.horizonEnd}`,
    });
  }
  if (problems.length > 0) {
    throw new HttpError(400, 'invalid_request', 'the request is not valid', problems);
  }
  return found?.rofr ?? [];
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
