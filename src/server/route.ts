import type { z } from 'zod';
import type { Db, Tx } from '../store/db.js';
import type { AuditEvent } from '../store/events.js';
import type { FleetSettings } from '../store/fleet.js';
import type { IdempotentRequest } from '../store/idempotency.js';
import type { Principal, Role } from '../store/tokens.js';
import type { PlanRunner } from './planning.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: its transaction, caller, validated input, and the database's clock. */
export interface RouteContext<P, Q, B> {
  readonly tx: Tx;
  readonly principal: Principal;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The time of this request on the database's clock (or the test's clock). */
  readonly now: Date;
  /** The request's id, also written to the audit log. */
  readonly requestId: string;
  /** Appends to the audit log in this request's transaction, as the caller. */
  readonly audit: (event: Omit<AuditEvent, 'actor' | 'requestId'>) => Promise<void>;
  /** Computes a plan off the event loop; plans still computing stop when the app closes. */
  readonly plan: PlanRunner;
  /** The caller as the audit log names it: `role[:binding]/tokenId`. */
  readonly actor: string;
  /** How the fleet's heartbeats are judged (serve's --gpu-parts and thresholds). */
  readonly fleet: FleetSettings;
  /**
   * Sends an event to the caller's own open streams in this process (`event: NAME`), for an
   * answer that follows the response (a what-if's exact plan); never stored, never to others.
   */
  readonly tell: (event: string, data: Record<string, unknown>) => void;
}

/** What a route's `atOnce` gets: the store itself (no transaction), caller, body and key. */
export interface AtOnceContext<B> {
  readonly db: Db;
  readonly principal: Principal;
  readonly body: B;
  readonly now: Date;
  readonly requestId: string;
  readonly actor: string;
  /** The request's Idempotency-Key, where it was sent. */
  readonly key: IdempotentRequest | undefined;
  readonly fleet: FleetSettings;
}

export interface Reply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body already serialised (a stored plan): sent as it is, as JSON unless `contentType`. */
  readonly raw?: string | Buffer;
  /** The media type of `raw` when it is not JSON (Kueue manifests as YAML). */
  readonly contentType?: string;
  /**
   * Work to finish once the transaction has committed, whose reply is sent instead: a handler
   * that only reads the store and then computes (a what-if plan) does not hold the store (one
   * connection, on PGlite) while it computes.
   */
  readonly afterCommit?: () => Promise<Reply>;
}

/**
 * One API operation: its path, who may call it, the zod schemas of its input (which validate
 * every request and document it in the OpenAPI description), and its handler. Every handler
 * that may write runs in one database transaction: it commits when the handler returns, rolls
 * back when it throws, so a refused request changes nothing. A GET on PostgreSQL runs its
 * statements without one (at READ COMMITTED each statement reads its own snapshot either way);
 * on PGlite a GET keeps its transaction.
 */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  readonly method: Method;
  /** OpenAPI style: `/v1/pools/{id}`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly roles: readonly Role[];
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** The success response's schema, for the OpenAPI description. */
  readonly response?: z.ZodType;
  readonly successStatus?: number;
  /** Largest body accepted, in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /**
   * False where replaying a stored response would be wrong (a token's secret must never be
   * stored): the Idempotency-Key header is ignored.
   */
  readonly idempotent?: boolean;
  /**
   * Its handler's first statement makes the Idempotency-Key's claim itself (`takeClaim`), one
   * round trip less; a key found taken there runs the request again with the claim first.
   */
  readonly claimsKeyItself?: boolean;
  /** Handlers of procurement first let offers whose deadline passed lapse. */
  readonly sweepsDeadlines?: boolean;
  /** It computes a plan: it waits for a place among the process's plans, or gets 429. */
  readonly computesPlan?: boolean;
  /**
   * A read that needs no transaction on any store: it reads rows that never change once written
   * (a stored plan), or reads in one statement (which sees one snapshot). Other reads keep theirs
   * on PGlite, so that several tables read together see no write between them.
   */
  readonly readsWithoutTransaction?: boolean;
  /**
   * The route's common case as one statement outside a transaction, tried before the handler:
   * its reply, or `undefined` having written nothing, and the handler runs as always (which
   * refuses, replays or acts). With an Idempotency-Key it claims the key and stores the reply
   * itself.
   */
  atOnce?(context: AtOnceContext<B>): Promise<Reply | undefined>;
  handler(context: RouteContext<P, Q, B>): Promise<Reply>;
  /** Stops what the route keeps running between requests (worker threads), when the app closes. */
  close?(): Promise<void>;
}

/** Keeps the input types of one route together; the list of routes erases them. */
export function route<P, Q, B>(definition: Route<P, Q, B>): Route {
  return definition;
}
