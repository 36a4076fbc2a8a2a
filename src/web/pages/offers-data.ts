import { grouped } from '../../core/format.js';
import type {
  AwardView,
  DeliveryView,
  LateDelivery,
  OfferView,
  QuoteView,
  RequestView,
} from '../api-types';
import { deliveredByPool } from './buildout-data';

/**
 * The procurement pipeline as the lab reads it, from the API's lists: for each request its
 * offers, quotes, awards and the pools they made, with what was promised and delivered.
 */

/** A request as the lab sees it (a holder's view has no state). */
export type LabRequest = Extract<RequestView, { state: string }>;

/** `GET /v1/requests/{id}`: the request with its offers, quotes, awards and history. */
export type RequestDetail = LabRequest & {
  readonly offers: readonly OfferView[];
  readonly quotes: readonly QuoteView[];
  /** Oldest first; an award for part of what is open leaves the request cleared. */
  readonly awards: readonly AwardView[];
  readonly history: readonly {
    readonly at: string;
    readonly actor: string;
    readonly action: string;
    readonly after?: unknown;
  }[];
};

/** A pool an accepted offer or an award made, with its promise and what came. */
export interface ProcuredPool {
  readonly pool: string;
  readonly provider: string;
  readonly source: string;
  readonly gpus: number;
  readonly deliveryMonth: string;
  readonly delivered: number;
  readonly late: LateDelivery | undefined;
}

export interface RequestRow {
  readonly request: LabRequest;
  readonly offers: readonly OfferView[];
  readonly quotes: number;
  readonly awards: readonly AwardView[];
  readonly pools: readonly ProcuredPool[];
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The pools a request's accepted offers and awards made, in the order they were made. */
export function procuredPools(
  offers: readonly OfferView[],
  quotes: readonly QuoteView[],
  awards: readonly AwardView[],
  deliveries: readonly DeliveryView[],
  late: readonly LateDelivery[],
): ProcuredPool[] {
  const delivered = deliveredByPool(deliveries);
  const deliveredTo = (pool: string) => delivered.get(pool) ?? 0;
  const lateOf = (pool: string) => late.find((row) => row.pool === pool);
  const pools: ProcuredPool[] = [];
  for (const offer of offers) {
    if (offer.state !== 'accepted' || offer.pool === undefined) continue;
    pools.push({
      pool: offer.pool,
      provider: offer.holder,
      source: `offer ${offer.id}`,
      gpus: offer.acceptedGpus ?? offer.gpus,
      deliveryMonth: offer.deliveryMonth ?? '',
      delivered: deliveredTo(offer.pool),
      late: lateOf(offer.pool),
    });
  }
  for (const award of [...awards].sort((a, b) => a.id - b.id)) {
    const quote = quotes.find((candidate) => candidate.id === award.quote);
    if (!quote) continue;
    pools.push({
      pool: award.pool,
      provider: quote.provider,
      source: `award ${award.id}`,
      gpus: quote.gpus,
      deliveryMonth: quote.deliveryMonth,
      delivered: deliveredTo(award.pool),
      late: lateOf(award.pool),
    });
  }
  return pools;
}

/** Every request with its pipeline, newest first, optionally of one state. */
export function requestRows(
  lists: {
    requests: readonly LabRequest[];
    offers: readonly OfferView[];
    quotes: readonly QuoteView[];
    awards: readonly AwardView[];
    deliveries: readonly DeliveryView[];
    late: readonly LateDelivery[];
  },
  state?: string,
): RequestRow[] {
  const offers = groupBy(lists.offers, (offer) => offer.request);
  const quotes = groupBy(lists.quotes, (quote) => quote.request);
  const awards = groupBy(lists.awards, (award) => award.request);
  return lists.requests
    .filter((request) => state === undefined || request.state === state)
    .sort((a, b) => b.id - a.id)
    .map((request) => {
      const its = (offers.get(request.id) ?? []).sort((a, b) => a.id - b.id);
      const quoted = quotes.get(request.id) ?? [];
      const awarded = (awards.get(request.id) ?? []).sort((a, b) => a.id - b.id);
      return {
        request,
        offers: its,
        quotes: quoted.length,
        awards: awarded,
        pools: procuredPools(its, quoted, awarded, lists.deliveries, lists.late),
      };
    });
}

/** How many requests are in each state, and offers pending: the page's headline. */
export function headline(requests: readonly LabRequest[], offers: readonly OfferView[]) {
  const count = (state: string) => requests.filter((request) => request.state === state).length;
  return {
    pendingOffers: offers.filter((offer) => offer.state === 'pending').length,
    offered: count('offered'),
    cleared: count('cleared'),
    awarded: count('awarded'),
    fulfilled: count('fulfilled'),
  };
}

/** Providers that may quote a request: not a holder that answered its offer. */
export function quotingProviders(
  providers: readonly { id: string }[],
  offers: readonly OfferView[],
): string[] {
  const holders = new Set(offers.map((offer) => offer.holder));
  return providers.map((provider) => provider.id).filter((id) => !holders.has(id));
}

/**
 * Why a quote of a cleared request cannot be awarded, as the API would answer, or undefined
 * when it can: each quote is awarded once and each provider once per request, and a quote
 * recorded before another award may now be larger than what is left open.
 */
export function awardRefusal(
  quote: QuoteView,
  request: Pick<LabRequest, 'clearedGpus'>,
  quotes: readonly QuoteView[],
  awards: readonly AwardView[],
): string | undefined {
  const own = awards.find((award) => award.quote === quote.id);
  if (own) return `awarded: pool ${own.pool}`;
  const provider = awards.find(
    (award) => quotes.find((other) => other.id === award.quote)?.provider === quote.provider,
  );
  if (provider) return `${quote.provider} already has award ${provider.id}`;
  if (quote.gpus > request.clearedGpus) {
    return `more than the ${grouped(request.clearedGpus)} GPUs open`;
  }
  return undefined;
}
