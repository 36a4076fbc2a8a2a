import { describe, expect, it } from 'vitest';
import type { ClausePrice } from '../core/decisions/clause-prices.js';
import { termKey } from '../core/decisions/clause-prices.js';
import { clausePricesToJson } from '../core/decisions/clause-prices-json.js';
import { toCents } from '../core/money.js';
import { dedent, parseValid } from '../test-support/unit-scenarios.js';
import { createPlanPool } from './plan-pool.js';
import { priceScenarioClauses } from './price-clauses.js';

/**
 * One month (744 h). azure 100 GPUs at $3, oracle 200 at $1, a new stargate pool of 100 at
 * $0.50 with its rofr offer pending. api must run on azure; the new pool is for training; a
 * $300,000 azure commitment. Base: api on azure ($223,200), train on oracle ($74,400), and
 * azure is $76,800 short: $374,400.
 */
const SCENARIO = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: clauses-test }
  horizon: { start: 2026-01, end: 2026-01 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: oracle, name: Oracle, kind: partner }
    - { id: stargate, name: Stargate, kind: owned }
  pools:
    - { id: az, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
    - { id: oci, provider: oracle, accelerator: h100, gpus: 200, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
    - { id: sg, provider: stargate, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "0.50", origin: new, rofr: ROFR }
  workloads:
    - { id: api, class: api, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
    - { id: train, class: training, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
  contracts:
    - id: msft
      parties: [openai, microsoft]
      effective: { from: 2025-01, to: 2030-12 }
      terms:
        - { id: excl, type: exclusivity, classes: [api], provider: azure }
        - { id: rofr, type: rofr, holder: azure, responseDays: 30, pools: { origin: new } }
        - { id: use, type: use-restriction, pools: { providers: [stargate], origin: new }, classes: [training] }
        - { id: commit, type: commitment, provider: azure, minSpendUSD: 300000, window: { from: 2026-01, to: 2026-12 } }
        - { id: share, type: revenue-share, from: openai, to: microsoft, percent: 20, stream: revenue }
        - { id: words, type: note, text: Not enforced. }
`);

const pool = createPlanPool();

async function price(rofr: 'pending' | 'cleared' = 'pending', pairs = true) {
  const scenario = parseValid(SCENARIO.replace('ROFR', rofr));
  return priceScenarioClauses(scenario, pool, { planner: 'exact', pairs });
}

const byTerms = (prices: readonly ClausePrice[]) =>
  Object.fromEntries(
    prices.map((p) => [p.terms.map((t) => t.term).join('+'), toCents(p.price.total)]),
  );

describe('priceScenarioClauses', () => {
  it('prices each placement term and each pair against hand-computed optima', async () => {
    const prices = await price();
    expect(toCents(prices.base.objective.total)).toBe(37_440_000n);
    expect(prices.terms.map((t) => [t.term, t.type, t.binds])).toEqual([
      ['excl', 'exclusivity', true],
      ['rofr', 'rofr', true],
      ['use', 'use-restriction', true],
      ['commit', 'commitment', true],
    ]);
    expect(prices.ledgerTerms.map((t) => `${t.term} ${t.type}`)).toEqual([
      'share revenue-share',
      'words note',
    ]);
    // excl alone: api on oracle would leave azure $300,000 short — no gain. rofr alone: train
    // on the new pool at $0.50 saves $37,200. use alone: the pool is still held by the rofr.
    // commit alone: the $76,800 shortfall.
    expect(byTerms(prices.singles)).toEqual({
      excl: 0n,
      rofr: 3_720_000n,
      use: 0n,
      commit: 7_680_000n,
    });
    // Together excl and commit let api go to oracle: $223,200 − $74,400 + $76,800.
    expect(byTerms(prices.pairs)).toEqual({
      'excl+rofr': 3_720_000n,
      'excl+use': 0n,
      'excl+commit': 22_560_000n,
      'rofr+use': 3_720_000n,
      'rofr+commit': 11_400_000n,
      'use+commit': 7_680_000n,
    });
    const pair = prices.pairs.find((p) => p.terms.map(termKey).join() === 'msft/excl,msft/commit');
    expect(pair?.interaction).toBe(148_800_000_000n);
    expect(pair?.price).toEqual({
      total: 225_600_000_000n,
      compute: 148_800_000_000n,
      shortfall: 76_800_000_000n,
      unmet: 0n,
    });
    expect(pair?.workloads).toEqual([{ workload: 'api', movedGpuMonths: 100, servedGpuMonths: 0 }]);
    // azure loses its compute and the shortfall it was paid; oracle gains api's compute.
    expect(pair?.providers).toEqual([
      { provider: 'oracle', compute: 74_400_000_000n, shortfall: 0n, total: 74_400_000_000n },
      {
        provider: 'azure',
        compute: -223_200_000_000n,
        shortfall: -76_800_000_000n,
        total: -300_000_000_000n,
      },
    ]);
    // HiGHS proves optimality here, so each interval is the price to within the cent of noise.
    for (const p of [...prices.singles, ...prices.pairs]) {
      expect(p.interval.low).toBeLessThanOrEqual(p.price.total);
      expect(p.interval.high).toBeGreaterThanOrEqual(p.price.total);
      expect(p.interval.high - p.interval.low).toBeLessThanOrEqual(30_000n);
      expect(p.verdict).toBe(p.price.total > 0n ? 'costs' : 'nothing');
    }
    // 4 singles and 6 pairs, all binding: 10 re-solves.
    expect(prices.solves).toBe(10);
  });

  it('re-solves nothing for a term that binds nowhere, and reuses a single for its pairs', async () => {
    const prices = await price('cleared');
    expect(prices.terms.find((t) => t.term === 'rofr')?.binds).toBe(false);
    // 3 binding singles and their 3 pairs; the rofr's pairs reuse its partner's plan.
    expect(prices.solves).toBe(6);
    const rofr = prices.singles.find((p) => p.terms[0]?.term === 'rofr');
    expect(rofr?.price.total).toBe(0n);
    expect(rofr?.movedGpuMonths).toBe(0);
    // With the pool cleared train runs on it already; api would leave azure only with excl
    // and the commitment relaxed together.
    expect(byTerms(prices.singles)).toEqual({ excl: 0n, rofr: 0n, use: 0n, commit: 7_680_000n });
  });

  it('prices singles only with pairs off, and writes amounts as USD in JSON', async () => {
    const prices = await price('pending', false);
    expect(prices.pairs).toEqual([]);
    const json = clausePricesToJson(prices);
    expect(json.singles.map((s) => [s.terms.join(), s.priceUSD, s.verdict])).toEqual([
      ['msft/excl', 0, 'nothing'],
      ['msft/rofr', 37_200, 'costs'],
      ['msft/use', 0, 'nothing'],
      ['msft/commit', 76_800, 'costs'],
    ]);
    expect(json.singles[3]?.componentsUSD).toEqual({ compute: 0, shortfall: 76_800, unmet: 0 });
    expect(json.base.totalUSD).toBe(374_400);
  });
});
