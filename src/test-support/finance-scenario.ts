import { dedent } from './unit-scenarios.js';

/**
 * A small scenario that uses every money-and-time extension: parties (a lab that is also a
 * funder, a second funder, two provider parties, a provider of its own), a programme with a
 * tranche, two buildings with a capex schedule, milestones and delays, and revenue shares
 * both ways. Numbers are small and round so that tests can check the ledger by hand.
 */
export const FINANCE = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: finance-test }
  horizon: { start: 2026-01, end: 2027-12 }
  accelerators:
    - { id: gb200, kwPerGpu: 2.0 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: stargate, name: Stargate, kind: partner }
    - { id: coreweave, name: CoreWeave, kind: neocloud }
  parties:
    - { id: openai, name: OpenAI, roles: [lab, funder], equityPercent: 40 }
    - { id: softbank, name: SoftBank, roles: [funder], equityPercent: 60 }
    - { id: microsoft, name: Microsoft, roles: [provider], providers: [azure] }
    - { id: sg, name: Stargate LLC, roles: [provider, operator], providers: [stargate] }
  programme:
    company: sg
    initialUSD: 1000000
    totalUSD: 5000000
    tranches:
      - { id: second, month: 2027-01, amountUSD: 2000000 }
    slipCorrelation: 0.3
  sites:
    - { id: abilene, provider: stargate }
  pools:
    - { id: az, provider: azure, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2027-12 }, pricePerGpuHour: "3.00" }
  buildings:
    - id: b1
      site: abilene
      itMW: 0.2
      accelerator: gb200
      capexUSD: 1000000.01
      constructionStart: 2026-01
      online: 2026-07
      pricePerGpuHour: "1.60"
      rofr: cleared
      milestones:
        - { id: shell, month: 2026-03 }
      capexSchedule:
        - { milestone: construction-start, percent: 33.33 }
        - { milestone: shell, offsetMonths: 1, percent: 33.33 }
        - { milestone: online, offsetMonths: -1, percent: 33.34 }
      delay:
        type: discrete
        outcomes:
          - { months: 3, probability: 0.25 }
          - { months: 0, probability: 0.75 }
    - { id: b2, site: abilene, itMW: 0.2, accelerator: gb200, online: 2027-01, pricePerGpuHour: "1.60", rofr: cleared, delay: { type: triangular, min: 0, mode: 2, max: 6 } }
  workloads:
    - { id: train, class: training, accelerators: [gb200], gpus: 50, window: { from: 2026-01, to: 2026-12 }, valuePerGpuHour: "5" }
  contracts:
    - id: msft
      parties: [openai, microsoft]
      effective: { from: 2026-01, to: 2027-12 }
      terms:
        - { id: to-msft, type: revenue-share, from: openai, to: microsoft, percent: 20, stream: OpenAI revenue }
        - { id: to-openai, type: revenue-share, from: microsoft, to: openai, percent: 20, stream: aoai }
  revenueStreams:
    - id: openai-revenue
      name: OpenAI revenue
      party: openai
      amounts:
        - { from: 2026-01, to: 2026-12, monthlyUSD: 1000 }
        - { from: 2027-01, to: 2027-12, monthlyUSD: 2000 }
    - { id: aoai, party: microsoft, amounts: [{ from: 2026-01, to: 2027-12, monthlyUSD: 500 }] }
`);
