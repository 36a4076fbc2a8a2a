import { describe, expect, it } from 'vitest';
import type { AwardView, DeliveryView, LateDelivery, OfferView, QuoteView } from '../api-types';
import type { LabRequest } from './offers-data';
import { awardRefusal, headline, quotingProviders, requestRows } from './offers-data';

const request = (id: number, state: string): LabRequest => ({
  id,
  state: state,
  accelerator: 'gb300',
  gpus: 1000,
  window: { from: '2026-10', to: '2027-06' },
  clearedGpus: state === 'cleared' ? 400 : 0,
  workloadClass: 'research',
  reason: 'test',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'planner/tok_1',
});

const offer = (id: number, requestId: number, state: string, extra: Partial<OfferView> = {}) => ({
  id,
  request: requestId,
  holder: 'azure',
  contract: 'msft-openai-2025',
  term: 'msft-rofr',
  gpus: 1000,
  state,
  createdAt: '2026-12-01T00:00:00.000Z',
  deadline: '2026-12-31T00:00:00.000Z',
  ...extra,
});

const quote: QuoteView = {
  id: 7,
  request: 2,
  provider: 'stargate',
  gpus: 1000,
  pricePerGpuHour: '2.85',
  deliveryMonth: '2027-03',
  createdAt: '2026-12-02T00:00:00.000Z',
};
const award: AwardView = {
  id: 1,
  request: 2,
  quote: 7,
  pool: 'req-2-stargate',
  createdAt: '2026-12-03T00:00:00.000Z',
  createdBy: 'planner/tok_1',
};
const deliveries: DeliveryView[] = [
  { id: 1, pool: 'req-1-azure', month: '2026-11', gpus: 200, source: 'manual', createdAt: '' },
  { id: 2, pool: 'req-1-azure', month: '2026-12', gpus: 100, source: 'manual', createdAt: '' },
];
const late: LateDelivery[] = [
  {
    pool: 'req-1-azure',
    provider: 'azure',
    request: 1,
    source: 'manual',
    promisedGpus: 600,
    promisedBy: '2026-10',
    deliveredGpus: 300,
    shortGpus: 300,
    monthsLate: 3,
  },
];

const lists = {
  requests: [request(1, 'cleared'), request(2, 'awarded'), request(3, 'offered')],
  offers: [
    offer(1, 1, 'accepted', {
      acceptedGpus: 600,
      pool: 'req-1-azure',
      deliveryMonth: '2026-10',
      pricePerGpuHour: '2.9',
    }),
    offer(2, 2, 'declined', { acceptedGpus: 0 }),
    offer(3, 3, 'pending'),
  ],
  quotes: [quote],
  awards: [award],
  deliveries,
  late,
};

describe('the procurement pipeline', () => {
  it('lists requests newest first, each with its offers, quotes, awards and pools', () => {
    const rows = requestRows(lists);
    expect(rows.map((row) => row.request.id)).toEqual([3, 2, 1]);
    const [three, two, one] = rows;
    expect(three?.offers.map((o) => o.state)).toEqual(['pending']);
    expect(three?.pools).toEqual([]);
    expect(two?.quotes).toBe(1);
    expect(two?.awards.map((row) => row.pool)).toEqual(['req-2-stargate']);
    expect(one?.awards).toEqual([]);
    expect(two?.pools).toEqual([
      {
        pool: 'req-2-stargate',
        provider: 'stargate',
        source: 'award 1',
        gpus: 1000,
        deliveryMonth: '2027-03',
        delivered: 0,
        late: undefined,
      },
    ]);
    expect(one?.pools).toEqual([
      {
        pool: 'req-1-azure',
        provider: 'azure',
        source: 'offer 1',
        gpus: 600,
        deliveryMonth: '2026-10',
        delivered: 300,
        late: late[0],
      },
    ]);
  });

  it('lists every award of a request awarded in parts, oldest first, each with its pool', () => {
    const quotes: QuoteView[] = [
      { ...quote, id: 8, request: 1, provider: 'coreweave', gpus: 150, deliveryMonth: '2027-01' },
      { ...quote, id: 9, request: 1, gpus: 250 },
    ];
    const awards: AwardView[] = [
      { ...award, id: 5, request: 1, quote: 9, pool: 'req-1-stargate' },
      { ...award, id: 4, request: 1, quote: 8, pool: 'req-1-coreweave' },
    ];
    const one = requestRows({
      ...lists,
      quotes: [quote, ...quotes],
      awards: [award, ...awards],
    }).at(-1);
    expect(one?.awards.map((row) => row.id)).toEqual([4, 5]);
    expect(one?.pools.map((pool) => [pool.pool, pool.source, pool.gpus])).toEqual([
      ['req-1-azure', 'offer 1', 600],
      ['req-1-coreweave', 'award 4', 150],
      ['req-1-stargate', 'award 5', 250],
    ]);
  });

  it('says why a quote cannot be awarded, as the API would refuse it', () => {
    const open = { clearedGpus: 400 };
    const quotes: QuoteView[] = [
      { ...quote, id: 1, provider: 'stargate', gpus: 300 },
      { ...quote, id: 2, provider: 'stargate', gpus: 50 },
      { ...quote, id: 3, provider: 'coreweave', gpus: 500 },
      { ...quote, id: 4, provider: 'coreweave', gpus: 400 },
    ];
    const awards: AwardView[] = [{ ...award, id: 6, quote: 1, pool: 'req-2-stargate' }];
    const [one, two, three, four] = quotes.map((q) => awardRefusal(q, open, quotes, awards));
    expect(one).toBe('awarded: pool req-2-stargate');
    expect(two).toBe('stargate already has award 6');
    expect(three).toBe('more than the 400 GPUs open');
    expect(four).toBeUndefined();
  });

  it('filters by state', () => {
    expect(requestRows(lists, 'cleared').map((row) => row.request.id)).toEqual([1]);
    expect(requestRows(lists, 'fulfilled')).toEqual([]);
  });

  it('counts the headline', () => {
    expect(headline(lists.requests, lists.offers)).toEqual({
      pendingOffers: 1,
      offered: 1,
      cleared: 1,
      awarded: 1,
      fulfilled: 0,
    });
  });

  it('leaves out of the quoting providers a holder that answered the request', () => {
    expect(
      quotingProviders(
        [{ id: 'azure' }, { id: 'stargate' }, { id: 'coreweave' }],
        [offer(1, 1, 'declined')],
      ),
    ).toEqual(['stargate', 'coreweave']);
  });
});
