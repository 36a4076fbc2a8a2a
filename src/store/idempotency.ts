import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Tx } from './db.js';
import { deferWrite } from './events.js';
import { idempotencyKeys } from './schema.js';

export interface IdempotentRequest {
  readonly tokenId: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export type Claim =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly status: number; readonly response: unknown }
  | { readonly kind: 'mismatch' };

export function bodyHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/**
 * Claims an Idempotency-Key inside the request's transaction. The key's row commits with the
 * action, so a retry that arrives while the first attempt runs waits on the row, then replays
 * its response; if the first attempt failed (and so rolled back), the retry acts.
 */
export async function claimKey(tx: Tx, request: IdempotentRequest, now: Date): Promise<Claim> {
  const hash = bodyHash(request.body);
  const inserted = await tx
    .insert(idempotencyKeys)
    .values(keyRow(request, now, hash))
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return { kind: 'new' };
  const [row] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.tokenId, request.tokenId), eq(idempotencyKeys.key, request.key)));
  if (!row) return { kind: 'new' };
  if (row.method !== request.method || row.path !== request.path || row.bodyHash !== hash) {
    return { kind: 'mismatch' };
  }
  return { kind: 'replay', status: row.status, response: row.response };
}

/** Raised where a claim made in a route's first statement found its key taken. */
export class KeyTaken extends Error {
  constructor() {
    super('the Idempotency-Key is taken');
  }
}

/** Claims left to a route's first statement, by transaction (`offerClaim`, `takeClaim`). */
const offered = new WeakMap<
  Tx,
  { request: IdempotentRequest; now: Date; taken: boolean; confirmed: boolean }
>();

/**
 * Leaves the key's claim to the first statement of the route (`takeClaim`), one round trip less
 * than `claimKey`. The claim still comes before anything the route writes, and a concurrent
 * attempt with the same key still waits on the row; where the key is found taken the route
 * throws KeyTaken, its transaction rolls back, and the caller runs the request again with
 * `claimKey` first (to replay, or to refuse a different body).
 */
export function offerClaim(tx: Tx, request: IdempotentRequest, now: Date): void {
  offered.set(tx, { request, now, taken: false, confirmed: false });
}

/**
 * The claim offered to this transaction, for its first statement: a `WITH` entry
 * (`stargate_claim as (…)`) and a column that counts the rows it claimed (1, or 0 when the key is
 * taken: pass that count to `claimed`). Undefined when none was offered.
 */
export function takeClaim(tx: Tx): { readonly with: SQL; readonly claimed: SQL } | undefined {
  const claim = offered.get(tx);
  if (!claim || claim.taken) return undefined;
  claim.taken = true;
  const insert = tx
    .insert(idempotencyKeys)
    .values(keyRow(claim.request, claim.now))
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return {
    with: sql`stargate_claim as (${insert.getSQL()})`,
    claimed: sql`(select count(*)::int from stargate_claim)`,
  };
}

/**
 * What `takeClaim`'s column read: the key is this request's (the claim is made), or KeyTaken is
 * thrown.
 */
export function claimed(tx: Tx, count: number): void {
  if (count !== 1) throw new KeyTaken();
  const claim = offered.get(tx);
  if (claim) claim.confirmed = true;
}

/**
 * A claim offered and not confirmed by the route's first statement (`claimed`) is made now: the
 * answer is never saved for a key this transaction has not claimed.
 */
export async function settleClaim(tx: Tx): Promise<void> {
  const claim = offered.get(tx);
  if (!claim || claim.confirmed) return;
  claim.taken = true;
  claim.confirmed = true;
  if ((await claimKey(tx, claim.request, claim.now)).kind !== 'new') throw new KeyTaken();
}

/** Keeps the answer for retries; written with the transaction's last statement where it can. */
export async function saveResponse(
  tx: Tx,
  request: IdempotentRequest,
  status: number,
  response: unknown,
): Promise<void> {
  const save = tx
    .update(idempotencyKeys)
    .set({ status, response: response ?? null })
    .where(and(eq(idempotencyKeys.tokenId, request.tokenId), eq(idempotencyKeys.key, request.key)));
  if (!deferWrite(tx, save.getSQL())) await save;
}

/** The row of a key claimed and not yet answered. */
export function keyRow(request: IdempotentRequest, now: Date, hash = bodyHash(request.body)) {
  return {
    tokenId: request.tokenId,
    key: request.key,
    method: request.method,
    path: request.path,
    bodyHash: hash,
    status: 0,
    createdAt: now,
  };
}

/** How long a key's response is kept for retries. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Forgets keys older than their lifetime; a retry after that acts afresh. */
export async function pruneKeys(tx: Tx, now: Date): Promise<number> {
  const removed = await tx
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - KEY_LIFETIME_MS)))
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
