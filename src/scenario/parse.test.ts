import { describe, expect, it } from 'vitest';
import { formatPeriod } from '../core/period.js';
import { dedent, parseInvalid, parseValid, poolOf } from '../test-support/unit-scenarios.js';
import { gpusFromPower } from './normalize.js';
import { parseScenario, parseScenarioOrThrow, validateScenario } from './parse.js';
import type { Problem } from './problems.js';
import { InvalidInputError, formatPath, formatProblem } from './problems.js';
import { generatedDocument } from '../test-support/generated.js';
import { COMPILE_FROM_WORKLOADS } from './validate.js';

/** A valid file that uses every section; the bad inputs below are small edits of it. */
const VALID = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: parse-test, description: A file for the parser tests }
  horizon: { start: 2026-01, end: 2027-12 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
    - { id: gb200, name: NVIDIA GB200, kwPerGpu: 1.8 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: stargate, name: Stargate, kind: owned }
  sites:
    - { id: azure-va, provider: azure, region: us-va }
    - { id: abilene, provider: stargate, region: us-tx, powerMW: 1200 }
  pools:
    - id: az-va
      provider: azure
      site: azure-va
      accelerator: h100
      gpus: 600
      window: { from: 2026-01, to: 2027-06 }
      pricePerGpuHour: "2.10"
    - { id: az-new, provider: azure, accelerator: gb200, gpus: 100, window: { from: 2026-03, to: 2027-12 }, pricePerGpuHour: 2.5, origin: new }
  buildings:
    - id: abilene-b1
      site: abilene
      sqft: 500000
      itMW: 1.2
      accelerator: h100
      capexUSD: 5e9
      constructionStart: 2025-06
      online: 2026-09
      pricePerGpuHour: "1.40"
    - { id: abilene-b2, site: abilene, itMW: 100, accelerator: gb200, gpus: 50000, online: 2027-01, pricePerGpuHour: "1.234567", origin: existing }
  workloads:
    - id: pretrain
      team: research
      class: training
      accelerators: [gb200, h100]
      gpus: 500
      window: { from: 2026-01, to: 2026-06 }
      valuePerGpuHour: "6.00"
      gang: true
    - { id: api, class: api, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2027-12 }, valuePerGpuHour: 5 }
  contracts:
    - id: msft-openai
      parties: [openai, microsoft]
      effective: { from: 2025-01, to: 2030-12 }
      terms:
        - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
        - { id: reserved, type: use-restriction, pools: { sites: [abilene] }, classes: [training] }
        - { id: azure-commit, type: commitment, provider: azure, minSpendUSD: "1000000.50", window: { from: 2026-01, to: 2026-12 } }
        - { id: first-refusal, type: rofr, holder: azure, responseDays: 30 }
        - { id: share, type: revenue-share, from: openai, to: microsoft, percent: 20, stream: api }
        - { id: ip, type: note, text: IP rights through 2030 }
`);

/** VALID with one exact piece of text replaced; fails if the text is not there exactly once. */
function edit(from: string, to: string, text = VALID): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(`test setup: expected exactly one ${JSON.stringify(from)}`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line of the first line holding `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`test setup: no line holds ${needle}`);
  return index + 1;
}

/** Problems as `path: message`, the way a user reads them (without lines). */
function listed(problems: readonly Problem[]): string[] {
  return problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

function problemsOf(text: string): string[] {
  return listed(parseInvalid(text));
}

describe('a valid file', () => {
  it('parses', () => {
    expect(parseScenario(VALID).ok).toBe(true);
  });

  it('keeps names, periods and money exactly', () => {
    const scenario = parseValid(VALID);
    expect(scenario.name).toBe('parse-test');
    expect(scenario.description).toBe('A file for the parser tests');
    expect(formatPeriod(scenario.horizon.from)).toBe('2026-01');
    expect(formatPeriod(scenario.horizon.to)).toBe('2027-12');
    expect(poolOf(scenario, 'az-va').pricePerGpuHour).toBe(2_100_000n);
    expect(poolOf(scenario, 'az-new').pricePerGpuHour).toBe(2_500_000n);
    expect(poolOf(scenario, 'abilene-b2').pricePerGpuHour).toBe(1_234_567n);
    expect(scenario.buildings.find((b) => b.id === 'abilene-b1')?.capex).toBe(
      5_000_000_000_000_000n,
    );
    // Workloads are sorted by id, like pools, whatever their order in the file.
    expect(scenario.workloads.map((w) => [w.id, w.valuePerGpuHour, w.gang])).toEqual([
      ['api', 5_000_000n, false],
      ['pretrain', 6_000_000n, true],
    ]);
  });

  it('lists explicit pools and building pools together, sorted by id', () => {
    const scenario = parseValid(VALID);
    expect(scenario.pools.map((p) => p.id)).toEqual([
      'abilene-b1',
      'abilene-b2',
      'az-new',
      'az-va',
    ]);
  });

  it('defaults a pool to existing capacity with rofr pending', () => {
    const scenario = parseValid(VALID);
    expect(poolOf(scenario, 'az-va')).toMatchObject({ origin: 'existing', rofr: 'pending' });
    expect(poolOf(scenario, 'az-va').building).toBeUndefined();
    expect(poolOf(scenario, 'az-new')).toMatchObject({ origin: 'new', rofr: 'pending' });
    expect(poolOf(scenario, 'az-new').site).toBeUndefined();
  });

  it('turns a building into a pool: provider from the site, window from online to the horizon end', () => {
    const pool = poolOf(parseValid(VALID), 'abilene-b1');
    expect(pool).toMatchObject({
      provider: 'stargate',
      site: 'abilene',
      accelerator: 'h100',
      pricePerGpuHour: 1_400_000n,
      origin: 'new',
      rofr: 'pending',
      building: 'abilene-b1',
    });
    expect(formatPeriod(pool.window.from)).toBe('2026-09');
    expect(formatPeriod(pool.window.to)).toBe('2027-12');
  });

  it('derives building GPUs from power exactly: 1.2 MW at 1.2 kW per GPU is 1,000', () => {
    const scenario = parseValid(VALID);
    expect(poolOf(scenario, 'abilene-b1').gpus).toBe(1000);
    // Given GPUs win over the power figure.
    expect(poolOf(scenario, 'abilene-b2').gpus).toBe(50000);
    expect(poolOf(scenario, 'abilene-b2').origin).toBe('existing');
  });

  it.each([
    [1.2, 1.2, 1000],
    [100, 1.8, 55555],
    [0.36, 1.8, 200],
    [0.3, 0.1, 3000],
    [1, 3, 333],
    [0.7, 0.7, 1000],
    [1200, 1.5, 800000],
  ])('gpusFromPower(%f MW, %f kW) is %i', (itMW, kwPerGpu, gpus) => {
    expect(gpusFromPower(itMW, kwPerGpu)).toBe(gpus);
  });

  it('reads terms, with the rofr selector defaulting to new capacity', () => {
    const [contract] = parseValid(VALID).contracts;
    expect(contract?.terms).toEqual([
      { type: 'exclusivity', id: 'api-on-azure', classes: ['api'], provider: 'azure' },
      {
        type: 'use-restriction',
        id: 'reserved',
        pools: { sites: ['abilene'] },
        classes: ['training'],
      },
      {
        type: 'commitment',
        id: 'azure-commit',
        provider: 'azure',
        minSpend: 1_000_000_500_000n,
        window: { from: 2026 * 12, to: 2026 * 12 + 11 },
      },
      {
        type: 'rofr',
        id: 'first-refusal',
        holder: 'azure',
        responseDays: 30,
        pools: { origin: 'new' },
      },
      {
        type: 'revenue-share',
        id: 'share',
        from: 'openai',
        to: 'microsoft',
        percent: 20,
        stream: 'api',
      },
      { type: 'note', id: 'ip', text: 'IP rights through 2030' },
    ]);
  });

  it('lets a building state rofr cleared', () => {
    const scenario = parseValid(
      edit('    pricePerGpuHour: "1.40"\n', '    pricePerGpuHour: "1.40"\n    rofr: cleared\n'),
    );
    expect(poolOf(scenario, 'abilene-b1')).toMatchObject({ origin: 'new', rofr: 'cleared' });
  });

  it('accepts the same term id in two contracts', () => {
    const text = `${VALID}  - id: other\n    parties: [openai, oracle]\n    effective: { from: 2026-01, to: 2026-12 }\n    terms:\n      - { id: ip, type: note, text: again }\n`;
    expect(parseValid(text).contracts.map((c) => c.id)).toEqual(['msft-openai', 'other']);
  });

  it('reads JSON too', () => {
    const json = JSON.stringify(
      {
        apiVersion: 'stargate/v1',
        kind: 'Scenario',
        metadata: { name: 'from-json' },
        horizon: { start: '2026-01', end: '2026-12' },
        accelerators: [{ id: 'h100', kwPerGpu: 1.2 }],
        providers: [{ id: 'azure', name: 'Azure', kind: 'hyperscaler' }],
        pools: [
          {
            id: 'az',
            provider: 'azure',
            accelerator: 'h100',
            gpus: 10,
            window: { from: '2026-01', to: '2026-12' },
            pricePerGpuHour: '2.10',
          },
        ],
        workloads: [
          {
            id: 'w',
            class: 'api',
            accelerators: ['h100'],
            gpus: 5,
            window: { from: '2026-02', to: '2026-03' },
            valuePerGpuHour: 4.5,
          },
        ],
      },
      null,
      2,
    );
    const scenario = parseValid(json);
    expect(scenario.name).toBe('from-json');
    expect(poolOf(scenario, 'az').pricePerGpuHour).toBe(2_100_000n);
    expect(scenario.workloads[0]?.valuePerGpuHour).toBe(4_500_000n);
    expect(scenario.contracts).toEqual([]);
    expect(scenario.buildings).toEqual([]);
  });

  it('validates an already-parsed document', () => {
    const result = validateScenario({ apiVersion: 'stargate/v1' });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : listed(result.problems)).toContain('kind: required: expected Scenario');
  });
});

describe('bad input', () => {
  it('reports an unknown top-level key', () => {
    expect(problemsOf(`${VALID}colour: blue\n`)).toEqual(['colour: unknown key']);
  });

  it('reports unknown nested keys', () => {
    expect(problemsOf(edit('    gpus: 600\n', '    gpus: 600\n    gpuz: 600\n'))).toEqual([
      'pools[0].gpuz: unknown key',
    ]);
    expect(
      problemsOf(
        edit('classes: [api], provider: azure }', 'classes: [api], provider: azure, until: 2027 }'),
      ),
    ).toEqual(['contracts[0].terms[0].until: unknown key']);
    expect(problemsOf(edit('pools: { sites: [abilene] }', 'pools: { site: [abilene] }'))).toEqual([
      'contracts[0].terms[1].pools.site: unknown key',
    ]);
  });

  it.each([
    ['2026-13', '"2026-13"'],
    ['2026-1', '"2026-1"'],
    ['2026-01-15', '"2026-01-15"'],
    ['202601', '202601'],
    ['Jan 2026', '"Jan 2026"'],
  ])('reports a bad period %j with its path and the value found', (bad, found) => {
    const text = edit(
      '    window: { from: 2026-01, to: 2026-06 }',
      `    window: { from: ${bad}, to: 2026-06 }`,
    );
    expect(problemsOf(text)).toEqual([`workloads[0].window.from: expected YYYY-MM, got ${found}`]);
    expect(formatProblem(parseInvalid(text)[0]!)).toBe(
      `workloads[0].window.from (line ${lineOf(text, bad)}): expected YYYY-MM, got ${found}`,
    );
  });

  it('reports bad periods wherever they are', () => {
    expect(
      problemsOf(
        edit(
          'horizon: { start: 2026-01, end: 2027-12 }',
          'horizon: { start: 2026-00, end: 2027-12 }',
        ),
      ),
    ).toEqual(['horizon.start: expected YYYY-MM, got "2026-00"']);
    expect(problemsOf(edit('online: 2026-09', 'online: 2026-9'))).toEqual([
      'buildings[0].online: expected YYYY-MM, got "2026-9"',
    ]);
  });

  it('reports windows that end before they start', () => {
    expect(
      problemsOf(
        edit('window: { from: 2026-01, to: 2026-06 }', 'window: { from: 2026-06, to: 2026-01 }'),
      ),
    ).toEqual(['workloads[0].window.to: expected a month no earlier than from 2026-06']);
    expect(
      problemsOf(
        edit(
          'horizon: { start: 2026-01, end: 2027-12 }',
          'horizon: { start: 2026-01, end: 2025-12 }',
        ),
      ),
    ).toEqual(['horizon.end: expected a month no earlier than start 2026-01']);
    expect(
      problemsOf(
        edit(
          'effective: { from: 2025-01, to: 2030-12 }',
          'effective: { from: 2025-01, to: 2024-12 }',
        ),
      ),
    ).toEqual(['contracts[0].effective.to: expected a month no earlier than from 2025-01']);
    expect(problemsOf(edit('constructionStart: 2025-06', 'constructionStart: 2026-10'))).toEqual([
      'buildings[0].online: expected a month no earlier than constructionStart 2026-10',
    ]);
  });

  it('reports a pool naming an unknown provider, site or accelerator', () => {
    const text = edit(
      '    provider: azure\n    site: azure-va\n    accelerator: h100\n',
      '    provider: aws\n    site: us-east\n    accelerator: h200\n',
    );
    expect(problemsOf(text)).toEqual([
      'pools[0].provider: unknown provider aws',
      'pools[0].site: unknown site us-east',
      'pools[0].accelerator: unknown accelerator h200',
    ]);
  });

  it('reports a workload naming an unknown accelerator', () => {
    expect(
      problemsOf(edit('accelerators: [gb200, h100]', 'accelerators: [gb200, tpu-v5]')),
    ).toEqual(['workloads[0].accelerators[1]: unknown accelerator tpu-v5']);
    expect(problemsOf(edit('accelerators: [gb200, h100]', 'accelerators: [h100, h100]'))).toEqual([
      'workloads[0].accelerators[1]: accelerator h100 listed twice',
    ]);
  });

  it('reports terms and selectors naming unknown providers, sites and accelerators', () => {
    expect(
      problemsOf(edit('classes: [api], provider: azure', 'classes: [api], provider: gcp')),
    ).toEqual(['contracts[0].terms[0].provider: unknown provider gcp']);
    expect(
      problemsOf(edit('type: commitment, provider: azure', 'type: commitment, provider: gcp')),
    ).toEqual(['contracts[0].terms[2].provider: unknown provider gcp']);
    expect(problemsOf(edit('holder: azure', 'holder: microsoft'))).toEqual([
      'contracts[0].terms[3].holder: unknown provider microsoft',
    ]);
    expect(
      problemsOf(
        edit(
          'pools: { sites: [abilene] }',
          'pools: { sites: [abilene, mars], accelerators: [tpu] }',
        ),
      ),
    ).toEqual([
      'contracts[0].terms[1].pools.accelerators[0]: unknown accelerator tpu',
      'contracts[0].terms[1].pools.sites[1]: unknown site mars',
    ]);
  });

  it('reports sites and buildings naming unknown providers and sites', () => {
    expect(
      problemsOf(edit('provider: stargate, region: us-tx', 'provider: crusoe, region: us-tx')),
    ).toEqual(['sites[1].provider: unknown provider crusoe']);
    expect(problemsOf(edit('    site: abilene\n    sqft', '    site: milam\n    sqft'))).toEqual([
      'buildings[0].site: unknown site milam',
    ]);
  });

  it('reports a pool on a site of another provider', () => {
    expect(problemsOf(edit('    site: azure-va\n', '    site: abilene\n'))).toEqual([
      'pools[0].site: site abilene belongs to provider stargate, not azure',
    ]);
  });

  it('reports duplicate ids', () => {
    expect(
      problemsOf(
        edit('  - { id: gb200, name', '  - { id: h100, kwPerGpu: 1 }\n  - { id: gb200, name'),
      ),
    ).toEqual(['accelerators[1].id: duplicate id h100 in accelerators']);
    expect(problemsOf(edit('  - { id: api, class: api', '  - { id: pretrain, class: api'))).toEqual(
      ['workloads[1].id: duplicate id pretrain in workloads'],
    );
    expect(problemsOf(edit('{ id: ip, type: note', '{ id: share, type: note'))).toEqual([
      'contracts[0].terms[5].id: duplicate id share in terms',
    ]);
  });

  it('reports a pool and a building sharing an id', () => {
    expect(problemsOf(edit('  - id: abilene-b1\n', '  - id: az-va\n'))).toEqual([
      'buildings[0].id: duplicate pool id az-va',
    ]);
  });

  it.each([
    ['-5', 'expected at least 0 GPUs, got -5'],
    ['1.5', 'expected a whole number of GPUs, got 1.5'],
    ['"600"', 'expected a whole number of GPUs, got "600"'],
    ['2e9', 'expected at most 1,000,000,000 GPUs, got 2000000000'],
  ])('reports a GPU count of %s', (bad, message) => {
    expect(problemsOf(edit('    gpus: 600\n', `    gpus: ${bad}\n`))).toEqual([
      `pools[0].gpus: ${message}`,
    ]);
  });

  it('reports bad GPU counts of workloads and buildings', () => {
    expect(problemsOf(edit('    gpus: 500\n', '    gpus: -500\n'))).toEqual([
      'workloads[0].gpus: expected at least 0 GPUs, got -500',
    ]);
    expect(problemsOf(edit('gpus: 50000', 'gpus: 0.5'))).toEqual([
      'buildings[1].gpus: expected a whole number of GPUs, got 0.5',
    ]);
  });

  it('reports an unknown term type', () => {
    expect(problemsOf(edit('type: exclusivity', 'type: exclusive'))).toEqual([
      'contracts[0].terms[0].type: unknown term type; expected exclusivity, use-restriction, commitment, rofr, revenue-share or note, got "exclusive"',
    ]);
  });

  it('reports prices with more than 6 decimals and amounts with more than 2', () => {
    expect(problemsOf(edit('pricePerGpuHour: "2.10"', 'pricePerGpuHour: "2.1000001"'))).toEqual([
      'pools[0].pricePerGpuHour: expected at most 6 decimals, got "2.1000001"',
    ]);
    expect(problemsOf(edit('valuePerGpuHour: 5 }', 'valuePerGpuHour: 5.1234567 }'))).toEqual([
      'workloads[1].valuePerGpuHour: expected at most 6 decimals, got 5.1234567',
    ]);
    expect(problemsOf(edit('minSpendUSD: "1000000.50"', 'minSpendUSD: "1000000.505"'))).toEqual([
      'contracts[0].terms[2].minSpendUSD: expected at most 2 decimals, got "1000000.505"',
    ]);
    expect(problemsOf(edit('capexUSD: 5e9', 'capexUSD: 1.001'))).toEqual([
      'buildings[0].capexUSD: expected at most 2 decimals, got 1.001',
    ]);
  });

  it('reports negative and unreadable money', () => {
    expect(problemsOf(edit('pricePerGpuHour: "2.10"', 'pricePerGpuHour: "-2.10"'))).toEqual([
      'pools[0].pricePerGpuHour: expected an amount of at least 0, got "-2.10"',
    ]);
    expect(problemsOf(edit('pricePerGpuHour: "2.10"', 'pricePerGpuHour: "$2.10"'))).toEqual([
      'pools[0].pricePerGpuHour: expected a USD amount: a number or a decimal string such as "2.35", got "$2.10"',
    ]);
  });

  it('reports rofr on capacity that is not new', () => {
    expect(
      problemsOf(
        edit('    pricePerGpuHour: "2.10"\n', '    pricePerGpuHour: "2.10"\n    rofr: cleared\n'),
      ),
    ).toEqual(['pools[0].rofr: rofr applies only to capacity of origin new']);
    expect(problemsOf(edit('origin: existing }', 'origin: existing, rofr: pending }'))).toEqual([
      'buildings[1].rofr: rofr applies only to capacity of origin new',
    ]);
  });

  it('reports a wrong apiVersion and kind', () => {
    expect(
      problemsOf(
        edit('apiVersion: stargate/v1\nkind: Scenario', 'apiVersion: stargate/v2\nkind: Plan'),
      ),
    ).toEqual([
      'apiVersion: expected stargate/v1, got "stargate/v2"',
      'kind: expected Scenario, got "Plan"',
    ]);
  });

  it('reports missing required fields', () => {
    expect(
      problemsOf(
        edit(
          '{ id: api, class: api, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2027-12 }, valuePerGpuHour: 5 }',
          '{ id: api, class: api, accelerators: [h100] }',
        ),
      ),
    ).toEqual([
      'workloads[1].gpus: required: expected a whole number of GPUs',
      'workloads[1].valuePerGpuHour: required: expected a USD amount: a number or a decimal string such as "2.35"',
      'workloads[1].window: required: expected a range of months: { from: YYYY-MM, to: YYYY-MM }',
    ]);
    expect(problemsOf(edit('horizon: { start: 2026-01, end: 2027-12 }\n', ''))).toEqual([
      'horizon: required: expected a range of months: { start: YYYY-MM, end: YYYY-MM }',
    ]);
  });

  it('reports ids that break the id pattern', () => {
    expect(problemsOf(edit('  - id: az-va\n', '  - id: Az_VA\n'))).toEqual([
      'pools[0].id: expected an id: lowercase letters, digits, . _ -, at most 63, got "Az_VA"',
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = edit('  - { id: azure, name', '  - { id: azure name: x, name');
    const problems = parseInvalid(text);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]?.path).toEqual([]);
    expect(problems[0]?.line).toBe(lineOf(text, 'azure name: x'));
    expect(problems[0]?.message).not.toBe('');
    expect(problems[0]?.message).not.toContain('\n');
  });

  it('reports an unclosed bracket and tabs with their lines', () => {
    const unclosed = 'apiVersion: stargate/v1\nkind: Scenario\nmetadata: { name: x\nhorizon: 1\n';
    expect(parseInvalid(unclosed)[0]?.line).toBe(4);
    const tabbed = 'apiVersion: stargate/v1\nkind: Scenario\n\tmetadata: { name: x }\n';
    expect(parseInvalid(tabbed)).toEqual([
      { path: [], message: 'Tabs are not allowed as indentation', line: 3 },
    ]);
  });

  it('reports a repeated key', () => {
    const text = edit('kind: Scenario\n', 'kind: Scenario\nkind: Scenario\n');
    expect(parseInvalid(text)).toEqual([
      { path: [], message: 'a key appears twice in one mapping (object); keep one', line: 3 },
    ]);
  });

  it('reports a key repeated in a valid JSON scenario, which JSON.parse would let pass', () => {
    const document = generatedDocument({ workloads: 5, pools: 3, months: 6, gangShare: 0 });
    const text = JSON.stringify(document, null, 2);
    expect(parseScenario(text).ok).toBe(true);
    const repeated = text.replace(
      '"kind": "Scenario",',
      '"kind": "Scenario",\n  "kind": "Scenario",',
    );
    expect(parseInvalid(repeated)).toEqual([
      { path: [], message: 'a key appears twice in one mapping (object); keep one', line: 4 },
    ]);
  });

  // From 1,000 workloads the schema runs compiled (zod's `compile`): the same document, valid
  // or not, must read the same as through the runtime parser.
  it('validates a large document compiled as a small one is, problems and all', () => {
    const small = generatedDocument({ workloads: 20, pools: 5, months: 6 });
    const large = generatedDocument({ workloads: COMPILE_FROM_WORKLOADS, pools: 20, months: 6 });
    expect(validateScenario(large).ok).toBe(true);
    const broken = (document: typeof small) => {
      const copy = structuredClone(document);
      const workload = copy.workloads[7] as unknown as Record<string, unknown>;
      workload.gpus = -3;
      workload.window = 'soon';
      return copy;
    };
    const smallResult = validateScenario(broken(small));
    const largeResult = validateScenario(broken(large));
    expect(smallResult.ok).toBe(false);
    expect(largeResult.ok).toBe(false);
    if (smallResult.ok || largeResult.ok) return;
    expect(largeResult.problems.map(formatProblem)).toEqual(
      smallResult.problems.map(formatProblem),
    );
    expect(largeResult.problems.map(formatProblem).join('\n')).toContain('workloads[7].gpus');
  });

  it('reports a JSON syntax error with its line', () => {
    const text = '{\n  "apiVersion": "stargate/v1",\n  "kind": "Scenario"\n  "metadata": {}\n}\n';
    const problems = parseInvalid(text);
    expect(problems[0]?.path).toEqual([]);
    expect(problems[0]?.line).toBe(4);
  });

  it.each([[''], ['\n\n'], ['# only a comment\n'], ['~\n']])('reports an empty file %j', (text) => {
    const problems = parseInvalid(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: [],
      message: 'expected a scenario document, got nothing',
    });
  });

  it('reports a document that is not a mapping', () => {
    expect(problemsOf('- 1\n- 2\n')).toEqual([
      '(root): expected a scenario: a mapping with apiVersion, kind, metadata, horizon, …, got a list of 2',
    ]);
  });

  it('gives the line of each problem in the file', () => {
    const text = edit('    gpus: 600\n', '    gpus: -1\n', edit('holder: azure', 'holder: ms'));
    expect(parseInvalid(text)).toEqual([
      {
        path: ['pools', 0, 'gpus'],
        message: 'expected at least 0 GPUs, got -1',
        line: lineOf(text, 'gpus: -1'),
      },
      {
        path: ['contracts', 0, 'terms', 3, 'holder'],
        message: 'unknown provider ms',
        line: lineOf(text, 'holder: ms'),
      },
    ]);
  });

  it('reports every problem of a file at once, in file order', () => {
    let text = VALID;
    text = edit(
      'horizon: { start: 2026-01, end: 2027-12 }',
      'horizon: { start: 2026-01, end: 2027-13 }',
      text,
    );
    text = edit(
      '    provider: azure\n    site: azure-va\n',
      '    provider: aws\n    site: azure-va\n',
      text,
    );
    text = edit('    gpus: 500\n', '    gpus: 2.5\n', text);
    text = edit('type: exclusivity', 'type: exclusive', text);
    text = `${text}extra: true\n`;
    const problems = parseInvalid(text);
    expect(listed(problems)).toEqual([
      'horizon.end: expected YYYY-MM, got "2027-13"',
      'pools[0].provider: unknown provider aws',
      'workloads[0].gpus: expected a whole number of GPUs, got 2.5',
      'contracts[0].terms[0].type: unknown term type; expected exclusivity, use-restriction, commitment, rofr, revenue-share or note, got "exclusive"',
      'extra: unknown key',
    ]);
    expect(problems.map((p) => p.line)).toEqual([
      lineOf(text, 'horizon:'),
      lineOf(text, 'provider: aws'),
      lineOf(text, 'gpus: 2.5'),
      lineOf(text, 'type: exclusive,'),
      lineOf(text, 'extra: true'),
    ]);
  });

  it('throws InvalidInputError with every problem from parseScenarioOrThrow', () => {
    const text = edit('holder: azure', 'holder: ms', `${VALID}extra: 1\n`);
    try {
      parseScenarioOrThrow(text, 'bad.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).message).toBe('bad.yaml is not valid: 2 problems');
      expect(listed((error as InvalidInputError).problems)).toEqual([
        'contracts[0].terms[3].holder: unknown provider ms',
        'extra: unknown key',
      ]);
    }
  });
});
