import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
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
    .values({
      tokenId: request.tokenId,
      key: request.key,
      method: request.method,
      path: request.path,
      bodyHash: hash,
      status: 0,
      createdAt: now,
    })
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
