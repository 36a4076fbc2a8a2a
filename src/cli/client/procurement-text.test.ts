import { describe, expect, it } from 'vitest';
import { offerText, offeredGpus, requestDetailText } from './procurement-text.js';
import type { OfferView, RequestDetail } from './types.js';

const detail: RequestDetail = {
  id: 4,
  state: 'cleared',
  accelerator: 'vr200',
  gpus: 100_000,
  window: { from: '2029-01', to: '2030-12' },
  clearedGpus: 10_000,
  workloadClass: 'research',
  reason: 'unmet demand of plan 1',
  createdAt: '2026-01-10T00:00:00.000Z',
  createdBy: 'planner/tok_1',
  offers: [],
  quotes: [],
  awards: [
    {
      id: 1,
      request: 4,
      quote: 2,
      pool: 'req-4-stargate',
      createdAt: '2026-01-12T00:00:00.000Z',
      createdBy: 'planner/tok_1',
    },
    {
      id: 3,
      request: 4,
      quote: 5,
      pool: 'req-4-coreweave',
      createdAt: '2026-01-13T00:00:00.000Z',
      createdBy: 'planner/tok_1',
    },
  ],
  history: [
    {
      at: '2026-01-12T00:00:00.000Z',
      actor: 'planner/tok_1',
      action: 'award.create',
      after: { id: 1, quote: 2, pool: 'req-4-stargate', gpus: 60_000, openGpus: 40_000 },
    },
    {
      at: '2026-01-13T00:00:00.000Z',
      actor: 'planner/tok_1',
      action: 'award.create',
      after: { id: 3, quote: 5, pool: 'req-4-coreweave', gpus: 30_000, openGpus: 10_000 },
    },
  ],
};

describe('a request awarded in parts, as text', () => {
  it('lists every award and says how many GPUs are still open', () => {
    const text = requestDetailText(detail);
    expect(text).toContain('  cleared: 10,000 GPUs still open to quotes from any provider\n');
    expect(text).toMatch(/^Award 1: quote 2, new pool req-4-stargate \(rofr cleared\), /m);
    expect(text).toMatch(/^Award 3: quote 5, new pool req-4-coreweave \(rofr cleared\), /m);
    expect(text).toContain('award 1: quote 2, pool req-4-stargate; 40,000 GPUs still open');
    expect(text).not.toContain('Award: none');
  });

  it('says there is no award when there is none', () => {
    const text = requestDetailText({ ...detail, awards: [], history: [] });
    expect(text).toContain('  cleared: 10,000 GPUs open to quotes from any provider\n');
    expect(text).toContain('\nAward: none\n');
  });
});

describe('an offer, as text', () => {
  const bare: OfferView = {
    id: 2,
    request: 4,
    holder: 'azure',
    contract: 'msft-openai-2025',
    term: 'msft-rofr',
    gpus: 60_000,
    state: 'declined',
    createdAt: '2026-01-10T00:00:00.000Z',
    deadline: '2026-02-09T00:00:00.000Z',
    respondedAt: '2026-01-11T00:00:00.000Z',
  };
  const requested = { id: 4, accelerator: 'vr200', window: { from: '2029-01', to: '2030-12' } };
  // What a holder is sent: the request's accelerator and window, not its size or state.
  const offer: OfferView = { ...bare, requested };

  it('shows the holder the GPUs it was offered, not the size or state of the request', () => {
    const text = offerText(offer);
    expect(text).toContain('\n  for:      request 4: vr200 GPUs, 2029-01..2030-12\n');
    expect(text).toContain(
      '\n  offered:  60,000 vr200 GPUs a month, 2029-01..2030-12, under rofr term msft-rofr of msft-openai-2025\n',
    );
    expect(offeredGpus(offer)).toBe('60,000 vr200 GPUs a month, 2029-01..2030-12');
  });

  it('shows the lab the whole request and its state', () => {
    const text = offerText({
      ...bare,
      requested: { ...requested, gpus: 100_000, state: 'cleared' },
    });
    expect(text).toContain(
      '\n  for:      request 4 (cleared): 100,000 vr200 GPUs a month, 2029-01..2030-12\n',
    );
    expect(text).toContain('\n  offered:  60,000 vr200 GPUs a month, 2029-01..2030-12, under');
  });

  it('says what it can when the request is not given', () => {
    expect(offerText(bare)).toContain(
      '\n  for:      request 4\n  offered:  60,000 GPUs a month, under',
    );
  });
});
