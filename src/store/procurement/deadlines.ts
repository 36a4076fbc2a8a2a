import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db.js';
import { appendEvent } from '../events.js';
import * as t from '../schema.js';
import type { Audit } from './routing.js';
import { advance, lockRequest } from './routing.js';
import { offerView } from './views.js';

/**
 * Whether any pending offer's deadline has passed at `now` (default the database's clock): one
 * read, so that a caller can skip the sweep's transaction when nothing is due.
 */
export async function offersDue(db: Queryable, now?: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: t.offers.id })
    .from(t.offers)
    .where(
      and(
        eq(t.offers.state, 'pending'),
        now === undefined ? sql`${t.offers.deadline} <= now()` : lte(t.offers.deadline, now),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Lapses every pending offer whose deadline has passed, as of `now`; each lapse is recorded at
 * its deadline and moves its request on. Returns how many lapsed.
 */
export async function sweepDeadlines(tx: Tx, now: Date, actor: string): Promise<number> {
  // A lapse may offer the request to the next holder with a deadline that has passed too:
  // sweep again until nothing is due.
  let total = 0;
  for (;;) {
    const count = await sweepOnce(tx, now, actor);
    if (count === 0) return total;
    total += count;
  }
}

async function sweepOnce(tx: Tx, now: Date, actor: string): Promise<number> {
  // Locks go request first, then offer, as in answerOffer, so a sweep and an answer racing on
  // one offer wait for each other instead of deadlocking.
  const due = await tx
    .selectDistinct({ requestId: t.offers.requestId })
    .from(t.offers)
    .where(and(eq(t.offers.state, 'pending'), lte(t.offers.deadline, now)))
    .orderBy(asc(t.offers.requestId));
  let count = 0;
  for (const { requestId } of due) {
    const request = await lockRequest(tx, requestId);
    const lapsed = await tx
      .update(t.offers)
      .set({ state: 'lapsed', acceptedGpus: 0, respondedAt: t.offers.deadline })
      .where(
        and(
          eq(t.offers.requestId, requestId),
          eq(t.offers.state, 'pending'),
          lte(t.offers.deadline, now),
        ),
      )
      .returning();
    for (const offer of lapsed.sort((a, b) => a.id - b.id)) {
      const audit: Audit = (event) => appendEvent(tx, { ...event, actor }, offer.deadline);
      await audit({
        action: 'offer.lapse',
        entityType: 'request',
        entityId: String(offer.requestId),
        before: offerView({ ...offer, state: 'pending', acceptedGpus: null, respondedAt: null }),
        after: offerView(offer),
      });
      await advance(tx, request, offer.deadline, audit);
      count++;
    }
  }
  return count;
}
