import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/load.js';
import { dedent, parseValid } from '../test-support/unit-scenarios.js';
import type { Scenario } from './model.js';
import type { ContractView, TermView } from './term-sentences.js';
import { describeContracts, termSentence } from './term-sentences.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

function termOf(contracts: readonly ContractView[], contract: string, term: string): TermView {
  const found = contracts
    .find((entry) => entry.contract === contract)
    ?.terms.find((entry) => entry.term === term);
  if (!found) throw new Error(`no term ${contract}/${term}`);
  return found;
}

describe('the example contracts in words', () => {
  let example: Scenario;
  let contracts: ContractView[];
  beforeAll(async () => {
    example = await loadScenarioFile(EXAMPLE);
    contracts = describeContracts(example);
  });

  it('lists every contract with its parties by name and its effective range', () => {
    expect(contracts.map((contract) => contract.contract)).toEqual([
      'msft-openai-2025',
      'stargate-jv',
    ]);
    const msa = contracts[0];
    expect(msa?.parties).toEqual([
      { id: 'openai', name: 'OpenAI' },
      { id: 'microsoft', name: 'Microsoft' },
    ]);
    expect(msa?.effective).toEqual({ from: '2025-01', to: '2030-12' });
    expect(msa?.terms.map((term) => term.term)).toEqual(
      example.contracts[0]?.terms.map((term) => term.id),
    );
  });

  it('says API work is exclusive to Azure, on every Azure pool', () => {
    const term = termOf(contracts, 'msft-openai-2025', 'api-on-azure');
    expect(term.sentence).toBe('Workloads of class api run only on pools of azure.');
    expect(term.classes).toEqual(['api']);
    expect(term.pools).toEqual(
      example.pools.filter((pool) => pool.provider === 'azure').map((pool) => pool.id),
    );
    expect(term.pools.length).toBeGreaterThan(0);
    expect(term.shapesPlacement).toBe(true);
  });

  it('names azure as the holder of the right of first refusal on new capacity of others', () => {
    const term = termOf(contracts, 'msft-openai-2025', 'msft-rofr');
    expect(term.sentence).toBe(
      'azure has the right of first refusal on new pools of providers other than azure: each is first offered to azure, which has 30 days to answer; it is not planned until azure declines.',
    );
    expect(term.named).toEqual(['azure']);
    const newOfOthers = example.pools
      .filter((pool) => pool.origin === 'new' && pool.provider !== 'azure')
      .map((pool) => pool.id);
    expect(term.pools).toEqual([...newOfOthers].sort());
    expect(term.pools).toContain('abilene-b1');
  });

  it('reserves new Stargate and CoreWeave capacity for training and research', () => {
    const term = termOf(contracts, 'msft-openai-2025', 'new-capacity-use');
    expect(term.sentence).toBe(
      'New pools of stargate and coreweave host only workloads of classes training and research; other classes may not use them.',
    );
    expect(term.classes).toEqual(['training', 'research']);
    // The example's other classes are the ones it keeps off those pools.
    expect(term.excludedClasses).toContain('api');
    expect(term.excludedClasses).not.toContain('training');
    expect(term.pools.every((id) => !id.startsWith('azure'))).toBe(true);
  });

  it('states the Azure commitment with its minimum spend in the project format', () => {
    const term = termOf(contracts, 'msft-openai-2025', 'azure-commitment');
    expect(term.sentence).toBe(
      'At least $110.0B is spent on azure from 2025-01 to 2030-12; a shortfall is paid anyway (take-or-pay).',
    );
    expect(term.effective).toEqual({ from: '2025-01', to: '2030-12' });
    expect(term.shapesPlacement).toBe(true);
  });

  it('records revenue shares and notes without shaping placement', () => {
    const share = termOf(contracts, 'msft-openai-2025', 'revenue-share-to-microsoft');
    expect(share.sentence).toBe('openai pays microsoft 20% of OpenAI revenue, every month.');
    expect(share.named).toEqual(['openai', 'microsoft']);
    expect(share.shapesPlacement).toBe(false);
    const note = termOf(contracts, 'stargate-jv', 'capital');
    expect(note.sentence).toMatch(/^\$100B deployed at once/);
    expect(note).toMatchObject({ shapesPlacement: false, pools: [], classes: [] });
  });
});

describe('termSentence', () => {
  const scenario = parseValid(
    dedent(`
      apiVersion: stargate/v1
      kind: Scenario
      metadata: { name: words }
      horizon: { start: 2026-01, end: 2026-12 }
      accelerators:
        - { id: h100, kwPerGpu: 1.2 }
        - { id: gb200, kwPerGpu: 1.8 }
      providers:
        - { id: azure, name: Microsoft Azure, kind: hyperscaler }
        - { id: oracle, name: Oracle, kind: partner }
      sites:
        - { id: abilene, provider: oracle }
      pools:
        - { id: oci-abilene, provider: oracle, site: abilene, accelerator: gb200, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00", origin: new }
        - { id: oci-cloud, provider: oracle, accelerator: h100, gpus: 10, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "2.00" }
      workloads:
        - { id: w, class: research, accelerators: [h100], gpus: 1, window: { from: 2026-01, to: 2026-02 }, valuePerGpuHour: "5.00" }
      contracts:
        - id: deal
          parties: [lab, oracle]
          effective: { from: 2026-01, to: 2026-06 }
          terms:
            - { id: quick, type: rofr, holder: azure, responseDays: 1, pools: { providers: [oracle], sites: [abilene] } }
            - { id: late, type: commitment, provider: oracle, minSpendUSD: 2500000, window: { from: 2027-01, to: 2027-12 } }
            - { id: partly, type: commitment, provider: oracle, minSpendUSD: 999.5, window: { from: 2026-04, to: 2026-09 } }
            - { id: gb-only, type: use-restriction, pools: { accelerators: [gb200] }, classes: [training] }
            - { id: two, type: exclusivity, classes: [api, consumer], provider: azure }
    `),
  );
  const contract = scenario.contracts[0];
  if (!contract) throw new Error('no contract');
  const words = (id: string) => {
    const term = contract.terms.find((entry) => entry.id === id);
    if (!term) throw new Error(`no term ${id}`);
    return termSentence(term, contract);
  };

  it('writes a right of first refusal on named pools, and one day in the singular', () => {
    expect(words('quick')).toBe(
      'azure has the right of first refusal on pools of oracle at abilene: each is first offered to azure, which has 1 day to answer; it is not planned until azure declines.',
    );
  });

  it('bounds a commitment by the contract, and says when it never binds', () => {
    expect(words('partly')).toBe(
      'At least $999.50 is spent on oracle from 2026-04 to 2026-06; a shortfall is paid anyway (take-or-pay).',
    );
    expect(words('late')).toBe(
      "At least $2.5M on oracle from 2027-01 to 2027-12, outside the contract's effective range 2026-01..2026-06: it never binds.",
    );
    const views = describeContracts(scenario)[0]?.terms ?? [];
    expect(views.find((view) => view.term === 'late')?.effective).toBeNull();
    expect(views.find((view) => view.term === 'partly')?.effective).toEqual({
      from: '2026-04',
      to: '2026-06',
    });
  });

  it('writes selectors by accelerator and several classes', () => {
    expect(words('gb-only')).toBe(
      'Pools with gb200 host only workloads of class training; other classes may not use them.',
    );
    expect(words('two')).toBe('Workloads of classes api and consumer run only on pools of azure.');
  });

  it('gives parties without a name in the scenario by id alone', () => {
    expect(describeContracts(scenario)[0]?.parties).toEqual([
      { id: 'lab', name: null },
      { id: 'oracle', name: 'Oracle' },
    ]);
  });

  it('touches only the pools its selector matches', () => {
    const views = describeContracts(scenario)[0]?.terms ?? [];
    expect(views.find((view) => view.term === 'quick')?.pools).toEqual(['oci-abilene']);
    expect(views.find((view) => view.term === 'gb-only')).toMatchObject({
      pools: ['oci-abilene'],
      excludedClasses: ['research'],
    });
  });
});
