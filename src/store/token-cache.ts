import type { Store } from './db.js';
import { TOKENS_CHANNEL } from './db.js';
import type { Principal } from './tokens.js';
import { hashToken, lookupToken } from './tokens.js';

export interface TokenCacheOptions {
  /** How long an entry is used without reading the token again (ms; default 60 s). */
  readonly ttlMs?: number;
  /** Entries kept; past that the oldest is dropped (default 10,000). */
  readonly maxEntries?: number;
  /** How long to wait before listening again once the listener is lost (ms; default 1 s). */
  readonly retryMs?: number;
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
 * - **Expiry** is checked on every use against the request's time on the database's clock.
 * - **Bounded.** Unknown, revoked and expired tokens are never kept; an entry is read again after
 *   `ttlMs` in any case.
 */
export class TokenCache {
  readonly #store: Store;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #retryMs: number;
  readonly #entries = new Map<string, Entry>();
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
        TOKENS_CHANNEL,
        (tokenId) => {
          this.forget(tokenId);
        },
        () => {
          this.#lost();
        },
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
