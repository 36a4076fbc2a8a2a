import { asc, eq, inArray } from 'drizzle-orm';
import type { Queryable, Tx } from '../db.js';
import { HttpError, notFound } from '../errors.js';
import { entityKind, getEntity } from '../scenario-store.js';
import * as t from '../schema.js';
import type { Audit } from './routing.js';
import { advance } from './routing.js';
import type { RequestRow } from './views.js';
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
  await checkRequestAgainstScenario(tx, input);
  const [row] = await tx
    .insert(t.requests)
    .values({
      createdAt: now,
      createdBy: actor,
      acceleratorId: input.accelerator,
      gpus: input.gpus,
      windowFrom: input.window.from,
      windowTo: input.window.to,
      workloadClass: input.workloadClass,
      reason: input.reason,
      planId: input.planId ?? null,
      workloadId: input.workload ?? null,
      state: 'offered',
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit({
    action: 'request.create',
    entityType: 'request',
    entityId: String(row.id),
    after: requestView(row),
  });
  await advance(tx, row, now, audit);
  return row.id;
}

async function checkRequestAgainstScenario(tx: Tx, input: RequestInput): Promise<void> {
  const problems = [];
  const accelerators = entityKind('accelerators');
  if (!accelerators || !(await getEntity(tx, accelerators, input.accelerator))) {
    problems.push({
      path: ['body', 'accelerator'],
      message: `unknown accelerator ${input.accelerator}`,
    });
  }
  const [settings] = await tx.select().from(t.scenarioSettings);
  if (
    settings &&
    (input.window.from > settings.horizonEnd || input.window.to < settings.horizonStart)
  ) {
    problems.push({
      path: ['body', 'window'],
      message: `expected a window that meets the horizon ${settings.horizonStart} to ${settings.horizonEnd}`,
    });
  }
  if (problems.length > 0) {
    throw new HttpError(400, 'invalid_request', 'the request is not valid', problems);
  }
}

export async function getRequestRow(db: Queryable, id: number): Promise<RequestRow> {
  const [row] = await db.select().from(t.requests).where(eq(t.requests.id, id));
  if (!row) throw notFound(`request ${id}`);
  return row;
}

/** The requests with these ids, by id (one query, whatever their number). */
export async function getRequestRows(
  db: Queryable,
  ids: readonly number[],
): Promise<Map<number, RequestRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select().from(t.requests).where(inArray(t.requests.id, unique));
  return new Map(rows.map((row) => [row.id, row]));
}

export async function listRequests(db: Queryable, state?: string): Promise<RequestRow[]> {
  return db
    .select()
    .from(t.requests)
    .where(state === undefined ? undefined : eq(t.requests.state, state))
    .orderBy(asc(t.requests.id));
}
