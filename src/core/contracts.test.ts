import { describe, expect, it } from 'vitest';
import { dedent, month, parseValid, poolOf, workloadOf } from '../test-support/unit-scenarios.js';
import type { Decision, Denial } from './contracts.js';
import { compileRules, describeSelector, listWords, matchesSelector } from './contracts.js';
import { explainWorkload } from './explain.js';
import type { Scenario } from './model.js';
import type { PeriodRange } from './period.js';
import { formatRange } from './period.js';

/**
 * A small world with every kind of pool a rule can tell apart: providers azure (the ROFR
 * holder), oracle and stargate; a pool with a site and one without; existing and new capacity,
 * pending and cleared; a building. `contracts` is appended as written.
 */
function world(contracts: string): Scenario {
  return parseValid(
    dedent(`
      apiVersion: stargate/v1
      kind: Scenario
      metadata: { name: rules }
      horizon: { start: 2026-01, end: 2026-12 }
      accelerators:
        - { id: h100, kwPerGpu: 1.2 }
        - { id: gb200, kwPerGpu: 1.8 }
      providers:
        - { id: azure, name: Microsoft Azure, kind: hyperscaler }
        - { id: oracle, name: Oracle, kind: partner }
        - { id: stargate, name: Stargate, kind: owned }
      sites:
        - { id: azure-va, provider: azure }
        - { id: abilene, provider: stargate }
      pools:
        - { id: az-va, provider: azure, site: azure-va, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.10" }
        - { id: az-cloud, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.20" }
        - { id: az-new, provider: azure, site: azure-va, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00", origin: new }
        - { id: oci, provider: oracle, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.90" }
        - { id: oci-new, provider: oracle, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.80", origin: new }
        - { id: oci-cleared, provider: oracle, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.85", origin: new, rofr: cleared }
        - { id: oci-late, provider: oracle, accelerator: h100, gpus: 100, window: { from: 2026-03, to: 2026-05 }, pricePerGpuHour: "1.95" }
      buildings:
        - { id: abilene-b1, site: abilene, itMW: 1.8, accelerator: gb200, online: 2026-07, pricePerGpuHour: "1.40" }
      workloads:
        - { id: api, class: api, accelerators: [h100, gb200], gpus: 10, window: { from: 2026-01, to: 2026-12 }, valuePerGpuHour: "5" }
        - { id: train, class: training, accelerators: [h100, gb200], gpus: 10, window: { from: 2026-01, to: 2026-12 }, valuePerGpuHour: "4" }
        - { id: research, class: research, accelerators: [h100], gpus: 10, window: { from: 2026-02, to: 2026-04 }, valuePerGpuHour: "3" }
      ${contracts.trim().replace(/\n/g, '\n      ')}
    `),
  );
}

const JAN = month('2026-01');

function denials(decision: Decision): readonly Denial[] {
  return decision.allowed ? [] : decision.denials;
}

function messages(decision: Decision): string[] {
  return denials(decision).map((d) => d.message);
}

function ranges(list: readonly PeriodRange[]): string[] {
  return list.map(formatRange);
}

/** decide() for a workload and pool by id, in January unless told. */
function decide(scenario: Scenario, workload: string, pool: string, period = JAN): Decision {
  return compileRules(scenario).decide(
    workloadOf(scenario, workload),
    poolOf(scenario, pool),
    period,
  );
}

function eligible(scenario: Scenario, workload: string, pool: string): string[] {
  return ranges(
    compileRules(scenario).eligibleRanges(workloadOf(scenario, workload), poolOf(scenario, pool)),
  );
}

describe('no contracts', () => {
  const scenario = world('');

  it('allows every pool whose accelerator and window fit', () => {
    expect(decide(scenario, 'api', 'oci-new')).toEqual({ allowed: true });
    expect(eligible(scenario, 'api', 'oci-new')).toEqual(['2026-01..2026-12']);
    expect(eligible(scenario, 'api', 'abilene-b1')).toEqual(['2026-07..2026-12']);
  });
});

describe('exclusivity', () => {
  const scenario = world(`
    contracts:
      - id: msft-openai
        parties: [openai, microsoft]
        effective: { from: 2025-01, to: 2030-12 }
        terms:
          - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
  `);

  it('keeps the class on the named provider', () => {
    expect(decide(scenario, 'api', 'az-va')).toEqual({ allowed: true });
    expect(decide(scenario, 'api', 'az-cloud')).toEqual({ allowed: true });
    expect(decide(scenario, 'api', 'az-new')).toEqual({ allowed: true });
  });

  it('denies the class elsewhere, naming the contract and the term', () => {
    const decision = decide(scenario, 'api', 'oci');
    expect(decision).toEqual({
      allowed: false,
      denials: [
        {
          kind: 'term',
          termType: 'exclusivity',
          contract: 'msft-openai',
          term: 'api-on-azure',
          during: { from: month('2026-01'), to: month('2026-12') },
          rule: 'exclusivity term api-on-azure of msft-openai allows only azure for class api',
          message:
            'exclusivity term api-on-azure of msft-openai allows only azure for class api; pool oci is oracle',
        },
      ],
    });
    expect(messages(decide(scenario, 'api', 'abilene-b1', month('2026-08')))).toEqual([
      'exclusivity term api-on-azure of msft-openai allows only azure for class api; pool abilene-b1 is stargate',
    ]);
    expect(eligible(scenario, 'api', 'oci')).toEqual([]);
  });

  it('leaves other classes alone', () => {
    expect(decide(scenario, 'train', 'oci')).toEqual({ allowed: true });
    expect(decide(scenario, 'research', 'oci', month('2026-02'))).toEqual({ allowed: true });
    expect(eligible(scenario, 'train', 'oci')).toEqual(['2026-01..2026-12']);
  });
});

describe('use-restriction', () => {
  function restricted(selector: string): Scenario {
    return world(`
      contracts:
        - id: oracle-deal
          parties: [openai, oracle]
          effective: { from: 2026-01, to: 2026-12 }
          terms:
            - { id: reserved, type: use-restriction, pools: ${selector}, classes: [training] }
    `);
  }

  it('reserves pools of a provider for the listed classes, naming contract and term', () => {
    const scenario = restricted('{ providers: [oracle] }');
    expect(messages(decide(scenario, 'api', 'oci'))).toEqual([
      'use-restriction term reserved of oracle-deal reserves pools of oracle for training, not api; pool oci matches',
    ]);
    const [denial] = denials(decide(scenario, 'api', 'oci'));
    expect(denial).toMatchObject({
      kind: 'term',
      termType: 'use-restriction',
      contract: 'oracle-deal',
      term: 'reserved',
    });
    expect(decide(scenario, 'train', 'oci')).toEqual({ allowed: true });
    expect(decide(scenario, 'api', 'az-va')).toEqual({ allowed: true });
  });

  it('requires every key of the selector to match', () => {
    const scenario = restricted('{ providers: [oracle], accelerators: [gb200] }');
    // oracle, but h100: the accelerators key does not match, so the pool is free.
    expect(decide(scenario, 'api', 'oci')).toEqual({ allowed: true });
    expect(messages(decide(scenario, 'api', 'oci-cleared'))).toEqual([
      'use-restriction term reserved of oracle-deal reserves pools of oracle with gb200 for training, not api; pool oci-cleared matches',
    ]);
    // gb200, but azure: the providers key does not match.
    expect(decide(scenario, 'api', 'az-new')).toEqual({ allowed: true });
  });

  it('selects by origin', () => {
    const scenario = restricted('{ origin: existing, providers: [oracle] }');
    expect(messages(decide(scenario, 'api', 'oci'))).toEqual([
      'use-restriction term reserved of oracle-deal reserves existing pools of oracle for training, not api; pool oci matches',
    ]);
    expect(decide(scenario, 'api', 'oci-cleared')).toEqual({ allowed: true });
  });

  it('selects by site; a pool without a site never matches a sites selector', () => {
    const scenario = restricted('{ sites: [azure-va] }');
    expect(messages(decide(scenario, 'api', 'az-va'))).toEqual([
      'use-restriction term reserved of oracle-deal reserves pools at azure-va for training, not api; pool az-va matches',
    ]);
    expect(decide(scenario, 'api', 'az-cloud')).toEqual({ allowed: true });
    expect(decide(scenario, 'api', 'oci')).toEqual({ allowed: true });
  });

  it('applies to the pools of buildings, which take their site from the building', () => {
    const scenario = restricted('{ sites: [abilene] }');
    expect(messages(decide(scenario, 'api', 'abilene-b1', month('2026-07')))).toEqual([
      'use-restriction term reserved of oracle-deal reserves pools at abilene for training, not api; pool abilene-b1 matches',
    ]);
    expect(decide(scenario, 'train', 'abilene-b1', month('2026-07'))).toEqual({ allowed: true });
  });
});

describe('rofr', () => {
  const scenario = world(`
    contracts:
      - id: msft-openai
        parties: [openai, microsoft]
        effective: { from: 2025-01, to: 2030-12 }
        terms:
          - { id: first-refusal, type: rofr, holder: azure, responseDays: 60 }
  `);

  it('denies new capacity of others while the refusal is pending', () => {
    expect(messages(decide(scenario, 'train', 'oci-new'))).toEqual([
      'rofr term first-refusal of msft-openai: new capacity oci-new (oracle) must first be offered to azure; the offer is still pending',
    ]);
    expect(denials(decide(scenario, 'train', 'oci-new'))[0]).toMatchObject({
      kind: 'term',
      termType: 'rofr',
      contract: 'msft-openai',
      term: 'first-refusal',
      rule: 'rofr term first-refusal of msft-openai: new capacity must first be offered to azure, and its refusal is still pending',
    });
    // A building is new capacity, pending unless the file says otherwise.
    expect(messages(decide(scenario, 'train', 'abilene-b1', month('2026-07')))).toEqual([
      'rofr term first-refusal of msft-openai: new capacity abilene-b1 (stargate) must first be offered to azure; the offer is still pending',
    ]);
    expect(eligible(scenario, 'train', 'oci-new')).toEqual([]);
  });

  it('allows new capacity once cleared', () => {
    expect(decide(scenario, 'train', 'oci-cleared')).toEqual({ allowed: true });
  });

  it("allows the holder's own new capacity", () => {
    expect(decide(scenario, 'train', 'az-new')).toEqual({ allowed: true });
  });

  it('allows existing capacity', () => {
    expect(decide(scenario, 'train', 'oci')).toEqual({ allowed: true });
  });

  it('covers only the pools of a custom selector', () => {
    const custom = world(`
      contracts:
        - id: msft-openai
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: first-refusal, type: rofr, holder: azure, responseDays: 60, pools: { providers: [stargate] } }
    `);
    expect(decide(custom, 'train', 'oci-new')).toEqual({ allowed: true });
    expect(messages(decide(custom, 'train', 'abilene-b1', month('2026-07')))).toEqual([
      'rofr term first-refusal of msft-openai: new capacity abilene-b1 (stargate) must first be offered to azure; the offer is still pending',
    ]);
  });

  it('never applies to existing capacity, even when its selector names existing pools', () => {
    const custom = world(`
      contracts:
        - id: msft-openai
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: first-refusal, type: rofr, holder: azure, responseDays: 60, pools: { origin: existing } }
    `);
    expect(decide(custom, 'train', 'oci')).toEqual({ allowed: true });
    expect(decide(custom, 'train', 'oci-new')).toEqual({ allowed: true });
  });
});

describe('terms bind only inside the contract effective range', () => {
  const scenario = world(`
    contracts:
      - id: msft-openai
        parties: [openai, microsoft]
        effective: { from: 2026-04, to: 2026-09 }
        terms:
          - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
      - id: expired
        parties: [openai, oracle]
        effective: { from: 2020-01, to: 2025-12 }
        terms:
          - { id: old-rofr, type: rofr, holder: oracle, responseDays: 30 }
  `);

  it('allows the pool before and after, denies it inside', () => {
    expect(decide(scenario, 'api', 'oci', month('2026-03'))).toEqual({ allowed: true });
    expect(decide(scenario, 'api', 'oci', month('2026-04')).allowed).toBe(false);
    expect(decide(scenario, 'api', 'oci', month('2026-09')).allowed).toBe(false);
    expect(decide(scenario, 'api', 'oci', month('2026-10'))).toEqual({ allowed: true });
    expect(denials(decide(scenario, 'api', 'oci', month('2026-06')))[0]).toMatchObject({
      contract: 'msft-openai',
      term: 'api-on-azure',
      during: { from: month('2026-04'), to: month('2026-09') },
    });
  });

  it('cuts the eligible ranges around the term', () => {
    expect(eligible(scenario, 'api', 'oci')).toEqual(['2026-01..2026-03', '2026-10..2026-12']);
  });

  it('ignores a contract that ended before the horizon', () => {
    // old-rofr would deny az-new (new, pending, not oracle's) if it still bound.
    expect(decide(scenario, 'train', 'az-new')).toEqual({ allowed: true });
    expect(eligible(scenario, 'train', 'az-new')).toEqual(['2026-01..2026-12']);
  });
});

describe('accelerator and windows', () => {
  const scenario = world('');

  it('denies a pool whose accelerator the workload does not list', () => {
    expect(decide(scenario, 'research', 'oci-new', month('2026-02'))).toEqual({
      allowed: false,
      denials: [
        {
          kind: 'accelerator',
          message: 'pool oci-new offers gb200; workload research runs only on h100',
        },
      ],
    });
    expect(eligible(scenario, 'research', 'oci-new')).toEqual([]);
  });

  it('denies periods outside the pool window', () => {
    expect(decide(scenario, 'train', 'oci-late', month('2026-02'))).toEqual({
      allowed: false,
      denials: [
        {
          kind: 'pool-window',
          message: 'pool oci-late is available 2026-03..2026-05 only, not in 2026-02',
        },
      ],
    });
    expect(decide(scenario, 'train', 'oci-late', month('2026-03'))).toEqual({ allowed: true });
    expect(decide(scenario, 'train', 'oci-late', month('2026-05'))).toEqual({ allowed: true });
    expect(decide(scenario, 'train', 'oci-late', month('2026-06')).allowed).toBe(false);
    expect(eligible(scenario, 'train', 'oci-late')).toEqual(['2026-03..2026-05']);
  });

  it('denies periods outside the workload window', () => {
    expect(messages(decide(scenario, 'research', 'oci', month('2026-05')))).toEqual([
      'workload research needs capacity 2026-02..2026-04 only, not in 2026-05',
    ]);
    expect(eligible(scenario, 'research', 'oci')).toEqual(['2026-02..2026-04']);
    expect(eligible(scenario, 'research', 'oci-late')).toEqual(['2026-03..2026-04']);
  });

  it('opens a building pool from online to the horizon end', () => {
    expect(messages(decide(scenario, 'train', 'abilene-b1', month('2026-06')))).toEqual([
      'pool abilene-b1 is available 2026-07..2026-12 only, not in 2026-06',
    ]);
  });

  it('gives every reason at once', () => {
    const scenario2 = world(`
      contracts:
        - id: msft-openai
          parties: [openai, microsoft]
          effective: { from: 2025-01, to: 2030-12 }
          terms:
            - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
            - { id: first-refusal, type: rofr, holder: azure, responseDays: 60 }
    `);
    expect(messages(decide(scenario2, 'api', 'abilene-b1', month('2026-01')))).toEqual([
      'pool abilene-b1 is available 2026-07..2026-12 only, not in 2026-01',
      'exclusivity term api-on-azure of msft-openai allows only azure for class api; pool abilene-b1 is stargate',
      'rofr term first-refusal of msft-openai: new capacity abilene-b1 (stargate) must first be offered to azure; the offer is still pending',
    ]);
  });
});

describe('selectors in words', () => {
  const pool = poolOf(world(''), 'az-va');

  it('matches when every given key matches', () => {
    expect(matchesSelector({}, pool)).toBe(true);
    expect(matchesSelector({ providers: ['azure'], sites: ['azure-va'] }, pool)).toBe(true);
    expect(matchesSelector({ providers: ['azure'], origin: 'new' }, pool)).toBe(false);
    expect(matchesSelector({ accelerators: ['gb200'] }, pool)).toBe(false);
  });

  it('describes a selector and lists words', () => {
    expect(describeSelector({ origin: 'new', providers: ['stargate'] })).toBe(
      'new pools of stargate',
    );
    expect(describeSelector({ sites: ['a', 'b'], accelerators: ['h100'] })).toBe(
      'pools at a and b with h100',
    );
    expect(listWords([])).toBe('');
    expect(listWords(['a'])).toBe('a');
    expect(listWords(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('explainWorkload', () => {
  const scenario = world(`
    contracts:
      - id: msft-openai
        parties: [openai, microsoft]
        effective: { from: 2026-04, to: 2026-09 }
        terms:
          - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
  `);
  const rules = compileRules(scenario);

  function row(explanation: ReturnType<typeof explainWorkload>, id: string) {
    const found = explanation.pools.find((p) => p.pool.id === id);
    if (!found) throw new Error(`no pool ${id} in the explanation`);
    return {
      eligible: ranges(found.eligible),
      denials: found.denials.map((d) => ({ message: d.message, periods: ranges(d.periods) })),
    };
  }

  it('explains every pool over the workload window, with the periods of each reason', () => {
    const explanation = explainWorkload(rules, workloadOf(scenario, 'api'));
    expect(explanation.periods).toEqual({ from: month('2026-01'), to: month('2026-12') });
    expect(explanation.pools.map((p) => p.pool.id)).toEqual(scenario.pools.map((p) => p.id));
    expect(row(explanation, 'az-va')).toEqual({ eligible: ['2026-01..2026-12'], denials: [] });
    expect(row(explanation, 'oci')).toEqual({
      eligible: ['2026-01..2026-03', '2026-10..2026-12'],
      denials: [
        {
          message:
            'exclusivity term api-on-azure of msft-openai allows only azure for class api; pool oci is oracle',
          periods: ['2026-04..2026-09'],
        },
      ],
    });
    // One line for the pool window, not one a month.
    expect(row(explanation, 'oci-late')).toEqual({
      eligible: ['2026-03'],
      denials: [
        {
          message: 'pool oci-late is available 2026-03..2026-05 only',
          periods: ['2026-01..2026-02', '2026-06..2026-12'],
        },
        {
          message:
            'exclusivity term api-on-azure of msft-openai allows only azure for class api; pool oci-late is oracle',
          // Every reason that holds in a period is given, the window's and the term's alike.
          periods: ['2026-04..2026-09'],
        },
      ],
    });
  });

  it('explains one period when asked', () => {
    const inJune = explainWorkload(rules, workloadOf(scenario, 'api'), month('2026-06'));
    expect(inJune.periods).toEqual({ from: month('2026-06'), to: month('2026-06') });
    expect(row(inJune, 'oci')).toEqual({
      eligible: [],
      denials: [
        {
          message:
            'exclusivity term api-on-azure of msft-openai allows only azure for class api; pool oci is oracle',
          periods: ['2026-06'],
        },
      ],
    });
    const inJanuary = explainWorkload(rules, workloadOf(scenario, 'api'), month('2026-01'));
    expect(row(inJanuary, 'oci')).toEqual({ eligible: ['2026-01'], denials: [] });
  });

  it('names the accelerator mismatch', () => {
    const explanation = explainWorkload(rules, workloadOf(scenario, 'research'));
    expect(explanation.periods).toEqual({ from: month('2026-02'), to: month('2026-04') });
    expect(row(explanation, 'oci-new')).toEqual({
      eligible: [],
      denials: [
        {
          message: 'pool oci-new offers gb200; workload research runs only on h100',
          periods: ['2026-02..2026-04'],
        },
      ],
    });
  });

  it('examines nothing for a workload outside the horizon', () => {
    const outside = parseValid(
      dedent(`
        apiVersion: stargate/v1
        kind: Scenario
        metadata: { name: outside }
        horizon: { start: 2026-01, end: 2026-12 }
        accelerators: [{ id: h100, kwPerGpu: 1.2 }]
        providers: [{ id: azure, name: Azure, kind: hyperscaler }]
        pools:
          - { id: az, provider: azure, accelerator: h100, gpus: 1, window: { from: 2026-01, to: 2030-12 }, pricePerGpuHour: 2 }
        workloads:
          - { id: later, class: api, accelerators: [h100], gpus: 1, window: { from: 2027-01, to: 2027-06 }, valuePerGpuHour: 5 }
      `),
    );
    const explanation = explainWorkload(compileRules(outside), workloadOf(outside, 'later'));
    expect(explanation.periods).toBeUndefined();
    expect(explanation.pools).toHaveLength(1);
    expect(explanation.pools[0]?.eligible).toEqual([]);
    expect(explanation.pools[0]?.denials).toEqual([]);
    expect(
      compileRules(outside).eligibleRanges(workloadOf(outside, 'later'), poolOf(outside, 'az')),
    ).toEqual([]);
  });
});
