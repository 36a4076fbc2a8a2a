import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Store } from './db.js';
import { TOKEN_PINGS_CHANNEL, TOKENS_CHANNEL } from './db.js';
import type { Principal } from './tokens.js';
import { hashToken, lookupToken } from './tokens.js';

export interface TokenCacheOptions {
  /** How long an entry is used without reading the token again (ms; default 60 s). */
  readonly ttlMs?: number;
  /** Entries kept; past that the oldest is dropped (default 10,000). */
  readonly maxEntries?: number;
  /** How long to wait before listening again once the listener is lost (ms; default 1 s). */
  readonly retryMs?: number;
  /** How long `confirm` waits for the other processes (ms; default 2 s). */
  readonly confirmMs?: number;
}

/**
 * The `application_name` prefix of each process's listening connection: what `confirm` looks
 * for in `pg_stat_activity` to know which processes to wait for.
 */
export const LISTENER_NAME = 'stargate-tokens ';

/** What `confirm` found: the other processes it asked, and those that did not answer in time. */
export interface Confirmation {
  readonly asked: readonly string[];
  readonly missing: readonly string[];
}

interface Ping {
  readonly heard: Set<string>;
  readonly done: () => void;
}

/** A caller found, and the database's clock if the lookup read it. */
export interface Authenticated {
  readonly principal: Principal;
  /** The database's time of the lookup; undefined when the answer came from the cache. */
  readonly now: Date | undefined;
}

interface Entry {
  readonly principal: Principal;
  /** The token's expiry (ms since the epoch), if it has one. */
  readonly expiresAt: number | undefined;
  /** Until when (this process's monotonic clock) the entry may be used. */
  readonly until: number;
}

/**
 * Live tokens this process has looked up, by the hash of their secret, so that a request need
 * not read its token from the database. What keeps it right:
 *
 * - **Revocation, and any other change.** A trigger on the tokens table notifies TOKENS_CHANNEL
 *   of every updated or deleted token (a revocation, an expiry moved, even by hand in SQL);
 *   PostgreSQL delivers it to every listening process when that transaction commits. Each
 *   process drops the token when it arrives. Every pooled connection listens too, and a session
 *   hears a commit's notifications before the commit is reported done, so the process that made
 *   the change has dropped the token before its code goes on (the server also `forget`s a token
 *   it revoked, after the commit).
 * - **Only while listening.** Entries are kept and used only while the listener is in place. A
 *   process that loses it (the connection fails, PostgreSQL restarts) drops every entry and reads
 *   each token from the database until it listens again: notifications sent meanwhile are lost,
 *   so nothing cached before may be trusted.
 * - **No stale fill.** A lookup that was under way when a notification arrived (or the listener
 *   was lost or regained) does not fill the cache: its row may predate the revocation.
 * - **Every process, before the answer.** The notification reaches the other processes a moment
 *   after the commit, perhaps after the caller's next request. So a process that revoked a token
 *   `confirm`s before it answers: it sends `ping` on TOKEN_PINGS_CHANNEL, and every other process
 *   listening (found in `pg_stat_activity` by its listener's name) answers `pong` once it hears
 *   it. A process hears its notifications in commit order on its one listening connection, so
 *   by its `pong` it has dropped the token. A process that does not answer within `confirmMs`
 *   is reported, not waited on for ever.
 * - **Expiry** is checked on every use against the request's time on the database's clock.
 * - **Bounded.** Unknown, revoked and expired tokens are never kept; an entry is read again after
 *   `ttlMs` in any case.
 */
export class TokenCache {
  readonly #store: Store;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #retryMs: number;
  readonly #confirmMs: number;
  readonly #entries = new Map<string, Entry>();
  /** This process, among those sharing the database (its listener's name ends with it). */
  readonly #instance = randomUUID();
  #pings = 0;
  readonly #waiting = new Map<number, Ping>();
  /** Changes whenever an entry may have gone stale: a lookup from before it must not fill. */
  #epoch = 0;
  #listening = false;
  #closed = false;
  #stop: (() => Promise<void>) | undefined;
  #retry: NodeJS.Timeout | undefined;

  constructor(store: Store, options: TokenCacheOptions = {}) {
    this.#store = store;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#retryMs = options.retryMs ?? 1000;
    this.#confirmMs = options.confirmMs ?? 2000;
  }

  /** Whether entries are being kept (the listener is in place). */
  get listening(): boolean {
    return this.#listening;
  }

  /** Entries held now (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Starts listening for revocations; resolves once the first attempt is over. Until a listener
   * is in place every token is read from the database; a failed attempt is retried.
   */
  async start(): Promise<void> {
    if (this.#closed || this.#listening || this.#stop) return;
    try {
      const stop = await this.#store.listen(
        [TOKENS_CHANNEL, TOKEN_PINGS_CHANNEL],
        (payload, channel) => {
          if (channel === TOKEN_PINGS_CHANNEL) this.#heardPing(payload);
          else this.forget(payload);
        },
        () => {
          this.#lost();
        },
        LISTENER_NAME + this.#instance,
      );
      if (this.#closed) {
        await stop();
        return;
      }
      this.#stop = stop;
      this.#epoch++;
      this.#listening = true;
    } catch {
      this.#scheduleRetry();
    }
  }

  /**
   * The caller a secret stands for, if it is a live token at the request's time. `requestTime`
   * gives that time on the database's clock, if the process knows it without a query; a cached
   * token with an expiry is read again when it does not.
   */
  async authenticate(
    secret: string,
    requestTime: () => Date | undefined,
  ): Promise<Authenticated | undefined> {
    const hash = hashToken(secret);
    const entry = this.#listening ? this.#entries.get(hash) : undefined;
    if (entry && performance.now() < entry.until) {
      if (entry.expiresAt === undefined) return { principal: entry.principal, now: undefined };
      const now = requestTime();
      if (now !== undefined) {
        if (now.getTime() < entry.expiresAt) return { principal: entry.principal, now };
        this.#entries.delete(hash);
        return undefined;
      }
    }
    const epoch = this.#epoch;
    const found = await lookupToken(this.#store.db, hash);
    if (!found) {
      this.#entries.delete(hash);
      return undefined;
    }
    if (this.#listening && epoch === this.#epoch) {
      this.#entries.delete(hash);
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      this.#entries.set(hash, {
        principal: found.principal,
        expiresAt: found.expiresAt?.getTime(),
        until: performance.now() + this.#ttlMs,
      });
    }
    return { principal: found.principal, now: found.now };
  }

  /** Drops a token (revoked by this process, its transaction committed); `*`: every token. */
  forget(tokenId: string): void {
    this.#epoch++;
    if (tokenId === '*') this.#entries.clear();
    for (const [hash, entry] of this.#entries) {
      if (entry.principal.tokenId === tokenId) this.#entries.delete(hash);
    }
  }

  /**
   * Waits until every other process listening on the database has heard the token changes
   * committed so far (so has dropped what they changed), or `confirmMs` has passed; returns the
   * processes asked and those that did not answer. Nothing to wait for on PGlite (one process).
   */
  async confirm(): Promise<Confirmation> {
    if (this.#store.kind !== 'postgres') return { asked: [], missing: [] };
    // One deadline for the whole: listing the processes and the ping wait for a pooled
    // connection too, and a database that stalls must not hold the caller's answer.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        resolve('expired');
      }, this.#confirmMs);
    });
    const n = ++this.#pings;
    const heard = new Set<string>();
    try {
      const listed = await Promise.race([this.#otherListeners(), expired]);
      if (listed === 'expired') {
        return { asked: [], missing: ['unknown: the processes were not listed in time'] };
      }
      const asked = listed;
      // Without a listener of its own this process cannot hear the answers: it says so.
      if (asked.length === 0 || !this.#listening) return { asked, missing: asked };
      const answered = new Promise<void>((resolve, reject) => {
        this.#waiting.set(n, {
          heard,
          done: () => {
            if (asked.every((instance) => heard.has(instance))) resolve();
          },
        });
        this.#store.db
          .execute(sql`select pg_notify(${TOKEN_PINGS_CHANNEL}, ${`ping ${this.#instance} ${n}`})`)
          .catch(reject);
      });
      await Promise.race([answered, expired]);
      return { asked, missing: asked.filter((instance) => !heard.has(instance)) };
    } finally {
      clearTimeout(timer);
      this.#waiting.delete(n);
    }
  }

  /** The other processes listening on this database, by the name of their listener. */
  async #otherListeners(): Promise<string[]> {
    const result = await this.#store.db.execute(
      sql`select distinct application_name as name from pg_stat_activity
          where datname = current_database() and application_name like ${LISTENER_NAME + '%'}`,
    );
    return (result as { rows: { name: string }[] }).rows
      .map((row) => row.name.slice(LISTENER_NAME.length))
      .filter((instance) => instance !== this.#instance)
      .sort();
  }

  /**
   * `ping SENDER N`: answered with `pong THIS SENDER N` (this connection has heard every change
   * committed before the ping). `pong RESPONDER THIS N`: an answer to this process's ping N.
   */
  #heardPing(payload: string): void {
    const [kind, first, second, third] = payload.split(' ');
    if (first === undefined || second === undefined) return;
    if (kind === 'ping' && third === undefined && first !== this.#instance) {
      const pong = `pong ${this.#instance} ${first} ${second}`;
      this.#store.db
        .execute(sql`select pg_notify(${TOKEN_PINGS_CHANNEL}, ${pong})`)
        .catch(() => undefined);
    } else if (kind === 'pong' && second === this.#instance) {
      const ping = this.#waiting.get(Number(third));
      ping?.heard.add(first);
      ping?.done();
    }
  }

  /** Stops listening and drops every entry. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listening = false;
    this.#entries.clear();
    clearTimeout(this.#retry);
    const stop = this.#stop;
    this.#stop = undefined;
    await stop?.();
  }

  #lost(): void {
    this.#listening = false;
    this.#stop = undefined;
    this.#epoch++;
    this.#entries.clear();
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      void this.start();
    }, this.#retryMs);
    // A process waiting only to listen again has nothing left to do: it may exit.
    this.#retry.unref();
  }
}
