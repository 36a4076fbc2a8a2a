import { describe, expect, it } from 'vitest';
import { dedent, parseValid } from '../../test-support/unit-scenarios.js';
import { clauseRelaxations, placementTerms, relaxScenario } from './clause-prices.js';

const SCENARIO = parseValid(
  dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: relax-test }
  horizon: { start: 2026-01, end: 2026-03 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: oracle, name: Oracle, kind: partner }
  pools:
    - { id: az-new, provider: azure, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00", origin: new, rofr: pending }
    - { id: oci-new, provider: oracle, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00", origin: new, rofr: pending }
    - { id: oci-old, provider: oracle, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
  workloads:
    - { id: w, class: api, accelerators: [h100], gpus: 5, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "10" }
  contracts:
    - id: msft
      parties: [openai, microsoft]
      effective: { from: 2025-01, to: 2030-12 }
      terms:
        - { id: rofr, type: rofr, holder: azure, responseDays: 30, pools: { origin: new } }
        - { id: excl-research, type: exclusivity, classes: [research], provider: azure }
        - { id: note, type: note, text: words }
    - id: old
      parties: [openai, oracle]
      effective: { from: 2020-01, to: 2024-12 }
      terms:
        - { id: commit, type: commitment, provider: oracle, minSpendUSD: 100, window: { from: 2020-01, to: 2024-12 } }
`),
);

describe('relaxScenario', () => {
  it('clears only the pending pools a rofr holds back, not the holder’s own', () => {
    const relaxed = relaxScenario(SCENARIO, [{ contract: 'msft', term: 'rofr' }]);
    expect(relaxed.pools.map((p) => `${p.id} ${p.rofr}`)).toEqual([
      'az-new pending',
      'oci-new cleared',
      'oci-old pending',
    ]);
    // The contract keeps its terms: a rofr is relaxed by its pools, not removed.
    expect(relaxed.contracts[0]?.terms).toHaveLength(3);
  });

  it('removes an exclusivity term from its contract and leaves the rest', () => {
    const relaxed = relaxScenario(SCENARIO, [{ contract: 'msft', term: 'excl-research' }]);
    expect(relaxed.contracts[0]?.terms.map((t) => t.id)).toEqual(['rofr', 'note']);
    expect(relaxed.contracts[1]).toBe(SCENARIO.contracts[1]);
  });

  it('refuses a term it does not have, and one that does not shape placement', () => {
    expect(() => relaxScenario(SCENARIO, [{ contract: 'msft', term: 'nope' }])).toThrow(
      'no term nope in contract msft',
    );
    expect(() => relaxScenario(SCENARIO, [{ contract: 'msft', term: 'note' }])).toThrow(
      'term note of msft is note: it does not shape placement',
    );
  });
});

describe('placementTerms and clauseRelaxations', () => {
  it('marks terms that restrict nothing, and solves only what binds', () => {
    const terms = placementTerms(SCENARIO);
    // No research workload; the old contract ends before the horizon.
    expect(terms.map((t) => `${t.contract}/${t.term} ${t.type} ${t.binds}`)).toEqual([
      'msft/rofr rofr true',
      'msft/excl-research exclusivity false',
      'old/commit commitment false',
    ]);
    const relaxations = clauseRelaxations(terms, { pairs: true });
    expect(relaxations.singles.map((r) => r.solve)).toEqual(['msft/rofr', '', '']);
    expect(relaxations.pairs.map((r) => r.solve)).toEqual(['msft/rofr', 'msft/rofr', '']);
    expect(relaxations.solves).toEqual([[{ contract: 'msft', term: 'rofr' }]]);
  });
});
