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
 * offers, quotes, award and the pools they made, with what was promised and delivered.
 */

/** A request as the lab sees it (a holder's view has no state). */
export type LabRequest = Extract<RequestView, { state: string }>;

/** `GET /v1/requests/{id}`: the request with its offers, quotes, award and history. */
export type RequestDetail = LabRequest & {
  readonly offers: readonly OfferView[];
  readonly quotes: readonly QuoteView[];
  readonly award?: AwardView;
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
  readonly award: AwardView | undefined;
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

/** The pools a request's accepted offers and award made, in the order they were made. */
export function procuredPools(
  offers: readonly OfferView[],
  quotes: readonly QuoteView[],
  award: AwardView | undefined,
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
  const quote = award ? quotes.find((candidate) => candidate.id === award.quote) : undefined;
  if (award && quote) {
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
  const awards = new Map(lists.awards.map((award) => [award.request, award]));
  return lists.requests
    .filter((request) => state === undefined || request.state === state)
    .sort((a, b) => b.id - a.id)
    .map((request) => {
      const its = (offers.get(request.id) ?? []).sort((a, b) => a.id - b.id);
      const quoted = quotes.get(request.id) ?? [];
      const award = awards.get(request.id);
      return {
        request,
        offers: its,
        quotes: quoted.length,
        award,
        pools: procuredPools(its, quoted, award, lists.deliveries, lists.late),
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
