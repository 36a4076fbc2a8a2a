import type { Align } from '../table.js';
import { grouped, price, range, tableOr, when } from './format.js';
import type {
  AwardView,
  DeliveryView,
  HistoryEntry,
  LateDelivery,
  OfferView,
  QuoteView,
  RequestDetail,
  RequestView,
} from './types.js';

/** Procurement for people: requests, offers, quotes, awards and deliveries as text. */

export function requestsTable(requests: readonly RequestView[]): string {
  return tableOr(
    'No requests.',
    ['ID', 'STATE', 'ACCELERATOR', 'GPUS', 'WINDOW', 'CLEARED', 'CLASS', 'FOR', 'CREATED'],
    requests.map((r) => [
      String(r.id),
      r.state,
      r.accelerator,
      grouped(r.gpus),
      range(r.window),
      r.clearedGpus ? grouped(r.clearedGpus) : '-',
      r.workloadClass ?? '-',
      origin(r),
      when(r.createdAt),
    ]),
    ['right', 'left', 'left', 'right', 'left', 'right'],
  );
}

function origin(request: RequestView): string {
  if (request.workload !== undefined && request.plan !== undefined)
    return `${request.workload} (plan ${request.plan})`;
  return request.workload ?? '-';
}

export function requestDetailText(detail: RequestDetail): string {
  const out: string[] = [];
  out.push(
    `Request ${detail.id}: ${detail.state}; ${grouped(detail.gpus)} ${detail.accelerator} GPUs a month, ${range(detail.window)}, class ${detail.workloadClass ?? '-'}`,
  );
  if (detail.state === 'cleared' && detail.clearedGpus !== undefined)
    out.push(
      `  cleared: ${grouped(detail.clearedGpus)} GPUs ${detail.awards.length > 0 ? 'still ' : ''}open to quotes from any provider`,
    );
  if (detail.reason !== undefined) out.push(`  reason:  ${detail.reason}`);
  if (detail.workload !== undefined) out.push(`  for:     workload ${origin(detail)}`);
  out.push(`  created: ${when(detail.createdAt)} by ${detail.createdBy ?? '-'}`);
  out.push('');
  out.push('Offers (right of first refusal)');
  out.push(offersTable(detail.offers, '  ').trimEnd());
  out.push('');
  out.push('Quotes');
  out.push(quotesTable(detail.quotes, '  ').trimEnd());
  out.push('');
  if (detail.awards.length === 0) out.push('Award: none');
  for (const award of detail.awards) {
    out.push(
      `Award ${award.id}: quote ${award.quote}, new pool ${award.pool} (rofr cleared), ${when(award.createdAt)} by ${award.createdBy}`,
    );
  }
  out.push('');
  out.push('History');
  out.push(
    tableOr(
      'none',
      ['AT', 'ACTOR', 'ACTION', 'DETAIL'],
      detail.history.map((entry) => [when(entry.at), entry.actor, entry.action, happened(entry)]),
      [],
      '  ',
    ).trimEnd(),
  );
  return `${out.join('\n')}\n`;
}

/** One line on what an event did, from the state it left behind. */
function happened(entry: HistoryEntry): string {
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const text = (key: string) => {
    const value = after[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
  };
  if (entry.action.startsWith('offer.')) {
    return `offer ${text('id')} to ${text('holder')}: ${text('state')}`;
  }
  if (entry.action === 'quote.create') {
    return `quote ${text('id')}: ${text('provider')}, ${grouped(Number(after['gpus'] ?? 0))} GPUs at ${price(text('pricePerGpuHour'))} from ${text('deliveryMonth')}`;
  }
  if (entry.action === 'award.create') {
    // Awards recorded before partial awards existed carry no `openGpus`: they closed the request.
    const open = Number(after['openGpus'] ?? 0);
    return `award ${text('id')}: quote ${text('quote')}, pool ${text('pool')}${open > 0 ? `; ${grouped(open)} GPUs still open` : ''}`;
  }
  if (typeof after['state'] === 'string') {
    const cleared = Number(after['clearedGpus'] ?? 0);
    return `${text('state')}${cleared > 0 ? `: ${grouped(cleared)} GPUs open to quotes` : ''}`;
  }
  return '';
}

/**
 * Offers as a table; within one request (`indent` given) the request's own columns are left
 * out, since the request is printed above them.
 */
export function offersTable(offers: readonly OfferView[], indent = ''): string {
  const nested = indent !== '';
  const header = nested
    ? ['ID', 'HOLDER', 'STATE', 'GPUS', 'DEADLINE', 'TERM', 'ANSWER']
    : [
        'ID',
        'REQUEST',
        'HOLDER',
        'STATE',
        'GPUS',
        'ACCELERATOR',
        'WINDOW',
        'DEADLINE',
        'TERM',
        'ANSWER',
      ];
  const rows = offers.map((o) => {
    const own = [
      String(o.id),
      ...(nested ? [] : [String(o.request)]),
      o.holder,
      o.state,
      grouped(o.gpus),
    ];
    const request = nested
      ? []
      : [o.requested?.accelerator ?? '-', o.requested ? range(o.requested.window) : '-'];
    return [...own, ...request, when(o.deadline), `${o.term} of ${o.contract}`, answer(o)];
  });
  const align: Align[] = nested
    ? ['right', 'left', 'left', 'right']
    : ['right', 'right', 'left', 'left', 'right'];
  return tableOr('No offers.', header, rows, align, indent);
}

function answer(offer: OfferView): string {
  if (offer.state === 'accepted') {
    return `took ${grouped(offer.acceptedGpus ?? 0)} at ${price(offer.pricePerGpuHour)} from ${offer.deliveryMonth ?? '-'} as pool ${offer.pool ?? '-'}`;
  }
  if (offer.state === 'declined') return offer.note ? `declined: ${offer.note}` : 'declined';
  if (offer.state === 'lapsed') return `no answer by ${when(offer.deadline)}`;
  return '-';
}

export function offerText(offer: OfferView): string {
  const out = [
    `Offer ${offer.id} to ${offer.holder}: ${offer.state}`,
    `  for:      ${requestedText(offer)}`,
    `  offered:  ${offeredGpus(offer)}, under rofr term ${offer.term} of ${offer.contract}`,
    `  made:     ${when(offer.createdAt)}`,
    `  deadline: ${when(offer.deadline)}`,
  ];
  if (offer.respondedAt !== undefined) out.push(`  answered: ${when(offer.respondedAt)}`);
  if (offer.state !== 'pending') out.push(`  answer:   ${answer(offer)}`);
  return `${out.join('\n')}\n`;
}

/**
 * What an offer is for. A holder is not told the request's size or state (what earlier holders
 * took, how it ended), so its line has the accelerator and window only; the size it may take is
 * the offer's own.
 */
function requestedText(offer: OfferView): string {
  const requested = offer.requested;
  if (requested === undefined) return `request ${offer.request}`;
  const window = range(requested.window);
  if (requested.gpus === undefined) {
    return `request ${offer.request}: ${requested.accelerator} GPUs, ${window}`;
  }
  const state = requested.state === undefined ? '' : ` (${requested.state})`;
  return `request ${offer.request}${state}: ${grouped(requested.gpus)} ${requested.accelerator} GPUs a month, ${window}`;
}

/** The GPUs an offer holds out, e.g. `380,000 vr200 GPUs a month, 2029-10..2030-02`. */
export function offeredGpus(offer: OfferView): string {
  const requested = offer.requested;
  return requested === undefined
    ? `${grouped(offer.gpus)} GPUs a month`
    : `${grouped(offer.gpus)} ${requested.accelerator} GPUs a month, ${range(requested.window)}`;
}

export function quotesTable(quotes: readonly QuoteView[], indent = ''): string {
  return tableOr(
    'No quotes.',
    ['ID', 'REQUEST', 'PROVIDER', 'SITE', 'GPUS', 'PRICE', 'DELIVERY', 'CREATED'],
    quotes.map((q) => [
      String(q.id),
      String(q.request),
      q.provider,
      q.site ?? '-',
      grouped(q.gpus),
      price(q.pricePerGpuHour),
      q.deliveryMonth,
      when(q.createdAt),
    ]),
    ['right', 'right', 'left', 'left', 'right', 'right'],
    indent,
  );
}

export function awardsTable(awards: readonly AwardView[]): string {
  return tableOr(
    'No awards.',
    ['ID', 'REQUEST', 'QUOTE', 'POOL', 'CREATED', 'BY'],
    awards.map((a) => [
      String(a.id),
      String(a.request),
      String(a.quote),
      a.pool,
      when(a.createdAt),
      a.createdBy,
    ]),
    ['right', 'right', 'right'],
  );
}

export function deliveriesTable(deliveries: readonly DeliveryView[]): string {
  return tableOr(
    'No deliveries.',
    ['ID', 'POOL', 'MONTH', 'GPUS', 'SOURCE', 'RECORDED'],
    deliveries.map((d) => [
      String(d.id),
      d.pool,
      d.month,
      grouped(d.gpus),
      d.source ?? 'manual',
      when(d.createdAt),
    ]),
    ['right', 'left', 'left', 'right', 'left'],
  );
}

export function lateTable(late: readonly LateDelivery[]): string {
  return tableOr(
    'No delivery is late.',
    [
      'POOL',
      'PROVIDER',
      'SITE',
      'REQUEST',
      'PROMISED',
      'BY',
      'DELIVERED',
      'SHORT',
      'MONTHS LATE',
      'SOURCE',
    ],
    late.map((l) => [
      l.pool,
      l.provider,
      l.site ?? '-',
      l.request === undefined ? '-' : String(l.request),
      grouped(l.promisedGpus),
      l.promisedBy,
      grouped(l.deliveredGpus),
      grouped(l.shortGpus),
      String(l.monthsLate),
      l.source,
    ]),
    ['left', 'left', 'left', 'right', 'right', 'left', 'right', 'right', 'right', 'left'],
  );
}
