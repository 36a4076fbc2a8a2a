import type { Queryable, Store } from '../store/db.js';
import { OFFERS_CHANNEL } from '../store/db.js';
import { listOffersWithRequests } from '../store/procurement.js';
import { coalescer } from './coalesce.js';

type Rows = Awaited<ReturnType<typeof listOffersWithRequests>>;
type Filter = Parameters<typeof listOffersWithRequests>[1];

/** Distinct filters whose answer is kept (holders × states); past it, the oldest goes. */
const MAX_KEPT = 1000;

/**
 * How `GET /v1/offers` reads (without a store: coalescing only), so that holders polling their
 * offers cost the store little, and never see less than a query made when their request arrived
 * would:
 *
 * - **Everywhere**, identical reads that arrive together share one query begun after they all
 *   arrived (`coalescer`).
 * - **On PGlite**, the answer is also kept until the offers or the requests change. The server is
 *   the store's only process (the data directory is locked) and its one session listens on
 *   OFFERS_CHANNEL, which a trigger (migration 0006) notifies on any committed change of either
 *   table; PGlite hands the notification over with the commit itself, before the writer's
 *   request goes on, so no later read finds an answer older than the change. An answer is kept
 *   only if no change was heard while its query ran.
 *
 * On PostgreSQL answers are not kept: another process's change would be heard only after its
 * commit, by a moment, and a client that wrote through it could read the older answer here.
 */
export function offerReads(store?: Pick<Store, 'kind' | 'listen'>) {
  const shared = coalescer<Rows>();
  /** Answers by filter, all of the current generation (a change clears them). */
  const kept = new Map<string, Rows>();
  let generation = 0;
  let listening = false;
  let stop: (() => Promise<void>) | undefined;
  let starting: Promise<void> | undefined;
  let closed = false;

  const changed = () => {
    generation += 1;
    kept.clear();
  };

  return {
    /** Starts keeping answers, on PGlite, once the listener is in place. */
    start(): Promise<void> {
      if (store?.kind !== 'pglite' || closed) return Promise.resolve();
      starting ??= store
        .listen([OFFERS_CHANNEL], changed, () => {
          listening = false;
          changed();
        })
        .then(async (stopListening) => {
          if (closed) {
            await stopListening();
            return;
          }
          stop = stopListening;
          // A query begun before this moment may have missed a change no one announced: none
          // of them is kept (they took an older generation).
          changed();
          listening = true;
        });
      return starting;
    },
    async close(): Promise<void> {
      closed = true;
      listening = false;
      kept.clear();
      // A start still under way stops its listener itself once in place.
      await starting?.catch(() => undefined);
      await stop?.();
      stop = undefined;
    },
    /** The offers (each with its request) that `filter` selects, oldest first. Shared: read only. */
    read(db: Queryable, filter: Filter): Promise<Rows> {
      const key = JSON.stringify([filter.holder, filter.state]);
      const hit = listening ? kept.get(key) : undefined;
      if (hit) return Promise.resolve(hit);
      return shared.read(key, async () => {
        // Kept only if the listener was in place for the whole query and heard no change.
        const at = listening ? generation : undefined;
        const rows = await listOffersWithRequests(db, filter);
        if (listening && at === generation) {
          if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value ?? '');
          kept.set(key, rows);
        }
        return rows;
      });
    },
    /** Answers kept now (for tests). */
    get kept(): number {
      return kept.size;
    },
  };
}

export type OfferReads = ReturnType<typeof offerReads>;
