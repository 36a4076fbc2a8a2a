import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Queryable, Tx } from './db.js';
import type { AuditEvent } from './events.js';
import { appendEvent } from './events.js';
import { tokens } from './schema.js';

export const ROLES = ['admin', 'planner', 'holder', 'operator', 'funder', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a token's role and, for holders and operators, what it is bound to. */
export interface Principal {
  readonly tokenId: string;
  readonly role: Role;
  /** Holder: the provider whose offers it sees and answers. */
  readonly providerId?: string;
  /** Operator: the sites whose buildings, pools and deliveries it sees and records. */
  readonly siteIds: readonly string[];
}

export interface TokenInfo extends Principal {
  readonly label?: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
  readonly expiresAt?: string;
}

/** The longest a token may be made to last: ten years. */
export const MAX_TOKEN_DAYS = 3650;

/** A token is `sgt_` + 32 random bytes; only its SHA-256 is stored. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What a token may do: its role, and for holders and operators whom or where. */
export interface Grant {
  readonly role: Role;
  readonly providerId?: string | undefined;
  readonly siteIds?: readonly string[] | undefined;
  readonly label?: string | undefined;
  /** When the token stops working by itself; none: until revoked. */
  readonly expiresAt?: Date | undefined;
}

/**
 * Creates a token; returns its secret, which is shown once and never stored. The caller
 * records `tokenCreated` in the audit log.
 */
export async function createToken(
  db: Queryable,
  grant: Grant,
  now: Date,
): Promise<{ id: string; secret: string }> {
  const secret = `sgt_${randomBytes(32).toString('base64url')}`;
  const id = `tok_${randomBytes(6).toString('hex')}`;
  await db.insert(tokens).values({
    id,
    hash: hashToken(secret),
    role: grant.role,
    providerId: grant.providerId ?? null,
    siteIds: [...(grant.siteIds ?? [])].sort(),
    label: grant.label ?? null,
    createdAt: now,
    expiresAt: grant.expiresAt ?? null,
  });
  return { id, secret };
}

/**
 * Creates a token and records who made it, in the caller's `auditedTransaction` (the API
 * records its own event, with the request's id, through its `audit`).
 */
export async function createAuditedToken(
  tx: Tx,
  grant: Grant,
  now: Date,
  actor: string,
): Promise<{ id: string; secret: string }> {
  const token = await createToken(tx, grant, now);
  await appendEvent(tx, { ...tokenCreated(token.id, grant), actor }, now);
  return token;
}

/** The audit record of a new token: never its secret. */
export function tokenCreated(id: string, grant: Grant): Omit<AuditEvent, 'actor'> {
  return {
    action: 'token.create',
    entityType: 'token',
    entityId: id,
    after: {
      role: grant.role,
      ...(grant.providerId === undefined ? {} : { provider: grant.providerId }),
      ...(grant.siteIds === undefined ? {} : { sites: [...grant.siteIds].sort() }),
      ...(grant.label === undefined ? {} : { label: grant.label }),
      ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt.toISOString() }),
    },
  };
}

/** The secret of an `Authorization: Bearer TOKEN` header; undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/**
 * The principal a secret stands for, if it is a live token: not revoked, not expired (on the
 * database's clock, which every process shares). Read on every request, so a revocation or an
 * expiry takes effect on the next request in every process.
 *
 * The lookup is by the secret's SHA-256, never by the secret: how long an index comparison of
 * hashes takes says nothing an attacker can use about the secret (finding a secret whose hash
 * shares a prefix with a stored one is a preimage search), so no constant-time comparison of
 * secrets is needed; none is ever compared.
 */
export async function authenticate(db: Queryable, secret: string): Promise<Principal | undefined> {
  return (await authenticateAt(db, secret))?.principal;
}

/**
 * `authenticate`, and the database's clock read by the same query: the server takes a
 * request's time from its authentication, which saves a round trip on every request.
 */
export async function authenticateAt(
  db: Queryable,
  secret: string,
): Promise<{ principal: Principal; now: Date } | undefined> {
  const found = await lookupToken(db, hashToken(secret));
  return found && { principal: found.principal, now: found.now };
}

/** A live token as the database has it, and the database's clock read by the same query. */
export interface FoundToken {
  readonly principal: Principal;
  /** When it stops working by itself, if ever. */
  readonly expiresAt: Date | undefined;
  readonly now: Date;
}

/** The live token (not revoked, not expired on the database's clock) whose secret has `hash`. */
export async function lookupToken(db: Queryable, hash: string): Promise<FoundToken | undefined> {
  const [found] = await db
    .select({ row: tokens, now: sql<Date | string>`now()` })
    .from(tokens)
    .where(
      and(
        eq(tokens.hash, hash),
        isNull(tokens.revokedAt),
        or(isNull(tokens.expiresAt), sql`${tokens.expiresAt} > now()`),
      ),
    );
  if (!found) return undefined;
  const { row } = found;
  return {
    principal: {
      tokenId: row.id,
      role: row.role as Role,
      ...(row.providerId ? { providerId: row.providerId } : {}),
      siteIds: row.siteIds,
    },
    expiresAt: row.expiresAt ?? undefined,
    now: new Date(found.now),
  };
}

export async function listTokens(db: Queryable): Promise<TokenInfo[]> {
  const rows = await db.select().from(tokens).orderBy(asc(tokens.createdAt), asc(tokens.id));
  return rows.map((row) => ({
    tokenId: row.id,
    role: row.role as Role,
    ...(row.providerId ? { providerId: row.providerId } : {}),
    siteIds: row.siteIds,
    ...(row.label ? { label: row.label } : {}),
    createdAt: row.createdAt.toISOString(),
    ...(row.revokedAt ? { revokedAt: row.revokedAt.toISOString() } : {}),
    ...(row.expiresAt ? { expiresAt: row.expiresAt.toISOString() } : {}),
  }));
}

/** The tokens each open transaction has revoked, for the process to forget once it commits. */
const revokedIn = new WeakMap<Queryable, string[]>();

/**
 * Revokes a token; returns false when there is no such live token. The database announces the
 * change on TOKENS_CHANNEL (a trigger, migration 0005) when the transaction commits, to every
 * listening process: each drops the token from its cache.
 */
export async function revokeToken(db: Queryable, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(tokens)
    .set({ revokedAt: now })
    .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
    .returning({ id: tokens.id });
  if (rows.length > 0) revokedIn.set(db, [...(revokedIn.get(db) ?? []), id]);
  return rows.length > 0;
}

/**
 * The ids of the tokens revoked in `tx` so far, forgotten here: the server drops them from its
 * cache once `tx` has committed, before it answers (the notification arrives a moment later).
 */
export function takeRevoked(tx: Queryable): readonly string[] {
  const ids = revokedIn.get(tx) ?? [];
  revokedIn.delete(tx);
  return ids;
}

export async function countTokens(db: Queryable): Promise<number> {
  return (await db.select({ id: tokens.id }).from(tokens)).length;
}
