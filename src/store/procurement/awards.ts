import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../db.js';
import { conflict, notFound } from '../errors.js';
import * as t from '../schema.js';
import { createProcuredPool } from './procured-pools.js';
import type { Audit } from './routing.js';
import { lockRequest, refuseBeforeClearing, setRequestState } from './routing.js';

/**
 * Awards a request to a quote: the quote's capacity becomes a new pool, cleared of ROFR. An award
 * for fewer GPUs than are open leaves the request cleared with the rest open, for more quotes and
 * awards; the award that leaves nothing open makes it awarded. Each quote is awarded at most
 * once, and each provider once per request (its pool is `req-ID-PROVIDER`): a second is a 409
 * naming the award that stands. A quote larger than what is still open is a 409 too.
 */
export async function createAward(
  tx: Tx,
  quoteId: number,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<typeof t.awards.$inferSelect> {
  const [quote] = await tx.select().from(t.quotes).where(eq(t.quotes.id, quoteId));
  if (!quote) throw notFound(`quote ${quoteId}`);
  const request = await lockRequest(tx, quote.requestId);
  const standing = await tx
    .select({ award: t.awards, providerId: t.quotes.providerId })
    .from(t.awards)
    .innerJoin(t.quotes, eq(t.quotes.id, t.awards.quoteId))
    .where(eq(t.awards.requestId, request.id))
    .orderBy(asc(t.awards.id));
  const same = standing.find((row) => row.award.quoteId === quoteId);
  if (same) {
    throw conflict(
      `quote ${quoteId} is already awarded: award ${same.award.id}, pool ${same.award.poolId}`,
    );
  }
  await refuseBeforeClearing(tx, request, quote.providerId, 'award');
  const earlier = standing.find((row) => row.providerId === quote.providerId);
  if (earlier) {
    throw conflict(
      `${quote.providerId} already has award ${earlier.award.id} on request ${request.id} (pool ${earlier.award.poolId}); a provider is awarded once per request`,
    );
  }
  if (quote.gpus > request.clearedGpus) {
    throw conflict(
      `quote ${quoteId} offers ${quote.gpus} GPUs; request ${request.id} has ${request.clearedGpus} open`,
    );
  }
  const poolId = await createProcuredPool(
    tx,
    request,
    {
      provider: quote.providerId,
      site: quote.siteId ?? undefined,
      gpus: quote.gpus,
      pricePerGpuHour: quote.pricePerGpuHour,
      deliveryMonth: quote.deliveryMonth,
    },
    audit,
  );
  const [award] = await tx
    .insert(t.awards)
    .values({ requestId: request.id, quoteId, poolId, createdAt: now, createdBy: actor })
    .returning();
  if (!award) throw new Error('insert returned no row');
  const open = request.clearedGpus - quote.gpus;
  // The award is audited either way; `request.award` only when it closes the request.
  await setRequestState(tx, request, open > 0 ? 'cleared' : 'awarded', open, audit, {
    action: 'award.create',
    after: { id: award.id, quote: quoteId, pool: poolId, gpus: quote.gpus, openGpus: open },
  });
  return award;
}
