import type { Tx } from '../db.js';
import { HttpError } from '../errors.js';
import { entityKind, getEntity } from '../scenario-store.js';
import * as t from '../schema.js';
import type { Audit } from './routing.js';
import { lockRequest, refuseBeforeClearing } from './routing.js';
import { quoteView } from './views.js';

export interface QuoteInput {
  readonly request: number;
  readonly provider: string;
  readonly site?: string | undefined;
  readonly gpus: number;
  readonly pricePerGpuHour: string;
  readonly deliveryMonth: string;
}

/** A provider's quote for a request; refused while a ROFR holder may still take the capacity. */
export async function createQuote(
  tx: Tx,
  input: QuoteInput,
  actor: string,
  now: Date,
  audit: Audit,
): Promise<typeof t.quotes.$inferSelect> {
  const request = await lockRequest(tx, input.request);
  await refuseBeforeClearing(tx, request, input.provider, 'quote');
  const problems = [];
  const providers = entityKind('providers');
  if (providers && !(await getEntity(tx, providers, input.provider))) {
    problems.push({ path: ['body', 'provider'], message: `unknown provider ${input.provider}` });
  }
  if (input.site !== undefined) {
    const sites = entityKind('sites');
    const site = sites ? await getEntity(tx, sites, input.site) : undefined;
    if (!site) problems.push({ path: ['body', 'site'], message: `unknown site ${input.site}` });
    else if (site.doc['provider'] !== input.provider) {
      problems.push({
        path: ['body', 'site'],
        message: `site ${input.site} is not a site of ${input.provider}`,
      });
    }
  }
  const open = request.clearedGpus;
  if (input.gpus > open) {
    problems.push({
      path: ['body', 'gpus'],
      message: `expected at most the ${open} GPUs open on request ${request.id}`,
    });
  }
  if (input.deliveryMonth < request.windowFrom || input.deliveryMonth > request.windowTo) {
    problems.push({
      path: ['body', 'deliveryMonth'],
      message: `expected a month in the request's window ${request.windowFrom} to ${request.windowTo}`,
    });
  }
  if (problems.length > 0)
    throw new HttpError(400, 'invalid_request', 'the quote is not valid', problems);
  const [quote] = await tx
    .insert(t.quotes)
    .values({
      requestId: request.id,
      providerId: input.provider,
      siteId: input.site ?? null,
      gpus: input.gpus,
      pricePerGpuHour: input.pricePerGpuHour,
      deliveryMonth: input.deliveryMonth,
      createdAt: now,
      createdBy: actor,
    })
    .returning();
  if (!quote) throw new Error('insert returned no row');
  await audit({
    action: 'quote.create',
    entityType: 'request',
    entityId: String(request.id),
    after: quoteView(quote),
  });
  return quote;
}
