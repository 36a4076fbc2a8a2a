import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERM_TYPES } from '../core/model.js';
import { dedent } from '../test-support/unit-scenarios.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

const TINY = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: tiny }
  horizon: { start: 2026-01, end: 2026-03 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
    - { id: gb200, kwPerGpu: 1.8 }
  providers:
    - { id: azure, name: Azure, kind: hyperscaler }
    - { id: stargate, name: Stargate, kind: owned }
  sites:
    - { id: abilene, provider: stargate }
  pools:
    - { id: az, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-03 }, pricePerGpuHour: "2.10" }
  buildings:
    - { id: b1, site: abilene, itMW: 0.36, accelerator: gb200, online: 2026-02, pricePerGpuHour: "1.40", rofr: cleared }
    - { id: b2, site: abilene, itMW: 0.36, accelerator: gb200, online: 2026-01, pricePerGpuHour: "1.40" }
  workloads:
    - { id: api, class: api, accelerators: [h100, gb200], gpus: 80, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "5" }
    - { id: train, class: training, accelerators: [gb200, h100], gpus: 150, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "4", gang: true }
    - { id: research, class: research, accelerators: [gb200], gpus: 50, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "3" }
  contracts:
    - id: msft
      parties: [openai, microsoft]
      effective: { from: 2025-01, to: 2030-12 }
      terms:
        - { id: api-on-azure, type: exclusivity, classes: [api], provider: azure }
        - { id: rofr, type: rofr, holder: azure, responseDays: 30 }
        - { id: azure-commit, type: commitment, provider: azure, minSpendUSD: 500000, window: { from: 2026-01, to: 2026-12 } }
        - { id: ip, type: note, text: "IP rights to 2030" }
`);

/** TINY with three mistakes: a bad month, a dangling provider and an unknown key. */
const BROKEN = TINY.replace(
  'window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "5"',
  'window: { from: 2026-1, to: 2026-03 }, valuePerGpuHour: "5"',
)
  .replace('{ id: az, provider: azure,', '{ id: az, provider: aws,')
  .replace('metadata: { name: tiny }', 'metadata: { name: tiny }\nowner: me');

const SYNTAX = 'apiVersion: stargate/v1\nkind: Scenario\nmetadata: { name: x\nhorizon: 1\n';

let dir: string;
let tiny: string;
let broken: string;
let syntax: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-cli-test-'));
  tiny = join(dir, 'tiny.yaml');
  broken = join(dir, 'broken.yaml');
  syntax = join(dir, 'syntax.yaml');
  await writeFile(tiny, TINY);
  await writeFile(broken, BROKEN);
  await writeFile(syntax, SYNTAX);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain('internal error');
}

describe('validate', () => {
  it('prints ok and the counts of a valid file', async () => {
    expect(await cli('validate', tiny)).toEqual({
      status: 0,
      stdout:
        'ok: tiny: 2 accelerators, 2 providers, 1 site, 1 pool, 2 buildings, 3 workloads, 1 contract (4 terms)\n',
      stderr: '',
    });
  });

  it('prints every problem of a broken file with its path, exit 2, nothing on stdout', async () => {
    const result = await cli('validate', broken);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `${broken} is not valid: 3 problems`,
        '  owner (line 4): unknown key',
        '  pools[0].provider (line 15): unknown provider aws',
        '  workloads[0].window.from (line 20): expected YYYY-MM, got "2026-1"',
        '',
      ].join('\n'),
    );
    expectNoStackTrace(result.stderr);
  });

  it('reports a YAML syntax error with its line', async () => {
    const result = await cli('validate', syntax);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^${syntax.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid: 1 problem\n  \\(root\\) \\(line 4\\): `,
      ),
    );
    expectNoStackTrace(result.stderr);
  });

  it('reports a missing file, exit 2', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await cli('validate', missing)).toEqual({
      status: 2,
      stdout: '',
      stderr: `stargate: ${missing}: no such file\n`,
    });
  });

  it('reports a directory given as the file, exit 2', async () => {
    const result = await cli('validate', dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is a directory, expected a scenario file');
  });

  it('needs exactly one file', async () => {
    const none = await cli('validate');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('validate: expected 1 argument, got 0');
    const two = await cli('validate', tiny, tiny);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('validate: expected 1 argument, got 2');
  });
});

describe('the command line', () => {
  it('rejects an unknown command', async () => {
    expect(await cli('frobnicate', tiny)).toEqual({
      status: 2,
      stdout: '',
      stderr: "stargate: unknown command frobnicate\nRun 'stargate help' for usage.\n",
    });
  });

  it('rejects an unknown flag, naming it', async () => {
    const result = await cli('plan', tiny, '--frob');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stargate: plan: Unknown option '--frob'/);
    expect(result.stderr).toContain('Usage: stargate plan FILE');
    expectNoStackTrace(result.stderr);
  });

  it('rejects a flag without its value', async () => {
    const result = await cli('plan', tiny, '--format');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Option '--format <value>' argument missing");
  });

  it('rejects a bad --format', async () => {
    const result = await cli('plan', tiny, '--format', 'xml');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr:
        "stargate: --format: expected text, json, csv, got xml\nRun 'stargate help' for usage.\n",
    });
    const explain = await cli('explain', tiny, 'api', '--format', 'csv');
    expect(explain.status).toBe(2);
    expect(explain.stderr).toContain('--format: expected text, json, got csv');
  });

  it('rejects a bad --period', async () => {
    const result = await cli('explain', tiny, 'api', '--period', '2026-13');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: "stargate: --period: expected YYYY-MM, got 2026-13\nRun 'stargate help' for usage.\n",
    });
  });

  it('rejects a bad --time-limit', async () => {
    const result = await cli('plan', tiny, '--time-limit', 'soon');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--time-limit: expected a number above 0, got soon');
  });

  it('prints help and the version', async () => {
    const help = await cli('help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage:');
    expect(help.stdout).toContain('stargate plan FILE');
    const version = await cli('--version');
    expect(version).toEqual({ status: 0, stdout: 'stargate 0.1.0\n', stderr: '' });
    const commandHelp = await cli('plan', '--help');
    expect(commandHelp.status).toBe(0);
    expect(commandHelp.stdout).toMatch(/^Usage: stargate plan FILE/);
    // The API commands' usage lines come from their own module, loaded for help.
    expect(help.stdout).toContain('stargate requests list [--state');
    const apiHelp = await cli('offers', '--help');
    expect(apiHelp.stdout).toMatch(/^Usage: stargate offers list/);
  });

  it('exits 2 when no command is given', async () => {
    const result = await cli();
    expect(result.status).toBe(2);
    expect(result.stdout + result.stderr).toContain('Usage:');
  });
});

describe('schema', () => {
  it('prints the JSON Schema of the scenario format', async () => {
    const result = await cli('schema');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const schema = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties as object)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'horizon',
      'accelerators',
      'providers',
      'sites',
      'pools',
      'buildings',
      'workloads',
      'contracts',
      // The money-and-time extensions (docs/scenario-extensions.md).
      'parties',
      'programme',
      'revenueStreams',
    ]);
    expect(schema.required).toEqual(
      expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'horizon', 'workloads']),
    );
    // Every term type appears as the constant of a `type` field.
    const constants = new Set<unknown>();
    JSON.stringify(schema, (key, value: unknown) => {
      if (key === 'const') constants.add(value);
      return value;
    });
    for (const type of TERM_TYPES) expect(constants).toContain(type);
    expect(TERM_TYPES).toHaveLength(6);
  });

  it('takes no arguments', async () => {
    const result = await cli('schema', 'extra');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('schema: expected 0 arguments, got 1');
  });
});

describe('explain', () => {
  it('names the contract term that denies a pool', async () => {
    const result = await cli('explain', tiny, 'api');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines).toContain('az (azure, h100, 100 GPUs at $2.10/GPU-hour): ELIGIBLE');
    expect(lines).toContain(
      '  - exclusivity term api-on-azure of msft allows only azure for class api; pool b2 is stargate [2026-01..2026-03]',
    );
    expect(lines).toContain(
      '  - rofr term rofr of msft: new capacity b2 (stargate) must first be offered to azure; the offer is still pending [2026-01..2026-03]',
    );
    expect(lines).toContain('1 of 3 pools eligible in some period examined.');
  });

  it('writes the same as JSON, for one period', async () => {
    const result = await cli(
      'explain',
      tiny,
      'research',
      '--period',
      '2026-02',
      '--format',
      'json',
    );
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as {
      workload: string;
      periods: unknown;
      pools: { pool: string; eligible: unknown[]; denials: { reason: string }[] }[];
    };
    expect(json.workload).toBe('research');
    expect(json.periods).toEqual({ from: '2026-02', to: '2026-02' });
    expect(json.pools.map((p) => [p.pool, p.eligible.length > 0])).toEqual([
      ['az', false],
      ['b1', true],
      ['b2', false],
    ]);
    expect(json.pools.find((p) => p.pool === 'b2')?.denials.map((d) => d.reason)).toEqual([
      'rofr term rofr of msft: new capacity b2 (stargate) must first be offered to azure; the offer is still pending',
    ]);
  });

  it('rejects an unknown workload, listing the known ones', async () => {
    const result = await cli('explain', tiny, 'nope');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'unknown workload nope; the scenario has api, research and train',
    );
  });
});

describe('plan', () => {
  it('writes the spec JSON document', async () => {
    const result = await cli('plan', tiny, '--format', 'json');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'scenario',
        'objective',
        'bound',
        'assignments',
        'unmet',
        'commitments',
        'byProvider',
      ]),
    );
    expect(json.scenario).toBe('tiny');
    // api: 80 × 2,160 h × $2.10 on azure = $362,880; research on b1 in Feb–Mar: 50 × 1,416 h ×
    // $1.40 = $99,120; the commitment is $137,120 short of $500,000; unmet: research in Jan
    // (50 × 744 h × $3 = $111,600) and the whole gang (150 × 2,160 h × $4 = $1,296,000).
    expect(json.objective).toEqual({
      totalUSD: 2_006_720,
      computeUSD: 462_000,
      shortfallUSD: 137_120,
      unmetUSD: 1_407_600,
    });
    expect(json.bound).toEqual({
      lowerBoundUSD: expect.any(Number) as number,
      gap: expect.any(Number) as number,
    });
    const bound = json.bound as { lowerBoundUSD: number; gap: number };
    expect(bound.lowerBoundUSD).toBeLessThanOrEqual(2_006_720);
    expect(bound.gap).toBeGreaterThanOrEqual(0);
    expect(bound.gap).toBeLessThan(1e-4);
    expect(json.assignments).toEqual([
      { workload: 'api', pool: 'az', period: '2026-01', gpus: 80 },
      { workload: 'api', pool: 'az', period: '2026-02', gpus: 80 },
      { workload: 'api', pool: 'az', period: '2026-03', gpus: 80 },
      { workload: 'research', pool: 'b1', period: '2026-02', gpus: 50 },
      { workload: 'research', pool: 'b1', period: '2026-03', gpus: 50 },
    ]);
    const unmet = json.unmet as {
      workload: string;
      period: string;
      gpus: number;
      reasons: string[];
    }[];
    expect(unmet.map((u) => `${u.workload} ${u.period} ${u.gpus}`)).toEqual([
      'research 2026-01 50',
      'train 2026-01 150',
      'train 2026-02 150',
      'train 2026-03 150',
    ]);
    expect(unmet[0]?.reasons).toContain(
      'rofr term rofr of msft: new capacity must first be offered to azure, and its refusal is still pending (excludes b2)',
    );
    expect(json.commitments).toEqual([
      {
        contract: 'msft',
        term: 'azure-commit',
        provider: 'azure',
        minSpendUSD: 500_000,
        spendUSD: 362_880,
        shortfallUSD: 137_120,
      },
    ]);
    expect(json.byProvider).toEqual([
      { provider: 'azure', period: '2026-01', gpus: 80, capacityGpus: 100, computeUSD: 124_992 },
      { provider: 'azure', period: '2026-02', gpus: 80, capacityGpus: 100, computeUSD: 112_896 },
      { provider: 'azure', period: '2026-03', gpus: 80, capacityGpus: 100, computeUSD: 124_992 },
      { provider: 'stargate', period: '2026-01', gpus: 0, capacityGpus: 200, computeUSD: 0 },
      { provider: 'stargate', period: '2026-02', gpus: 50, capacityGpus: 400, computeUSD: 47_040 },
      { provider: 'stargate', period: '2026-03', gpus: 50, capacityGpus: 400, computeUSD: 52_080 },
    ]);
  });

  it('writes the same bytes twice', async () => {
    const first = await cli('plan', tiny, '--format', 'json');
    const second = await cli('plan', tiny, '--format', 'json');
    expect(second.stdout).toBe(first.stdout);
  });

  it('writes CSV with the documented header', async () => {
    const result = await cli('plan', tiny, '--format', 'csv');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'workload,pool,provider,site,accelerator,period,gpus,costUSD',
        'api,az,azure,,h100,2026-01,80,124992.00',
        'api,az,azure,,h100,2026-02,80,112896.00',
        'api,az,azure,,h100,2026-03,80,124992.00',
        'research,b1,stargate,abilene,gb200,2026-02,50,47040.00',
        'research,b1,stargate,abilene,gb200,2026-03,50,52080.00',
        '',
      ].join('\n'),
    );
  });

  it('writes a summary for people by default', async () => {
    const result = await cli('plan', tiny);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Plan for tiny: 2026-01\.\.2026-03 \(3 months\)/);
    expect(result.stdout).toMatch(/total\s+\$2,006,720\.00/);
    expect(result.stdout).toMatch(
      /msft\s+azure-commit\s+azure\s+\$500,000\.00\s+\$362,880\.00\s+\$137,120\.00\s+SHORT/,
    );
  });

  it('draws GPUs placed by provider against capacity as SVG with --chart', async () => {
    const chart = join(dir, 'plan.svg');
    const result = await cli('plan', tiny, '--chart', chart);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Plan for tiny/);
    expect(result.stderr).toBe(`chart: ${chart} (GPUs placed by provider against capacity)\n`);
    const svg = await readFile(chart, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*width="100%" viewBox="0 0 1280 720"/);
    expect(svg).toContain(
      '<title>GPUs placed by provider against capacity, per quarter, 2026</title>',
    );
    for (const name of ['Azure placed', 'Stargate placed', 'Capacity, all providers', '2026'])
      expect(svg).toContain(`>${name}</text>`);

    const missing = await cli('plan', tiny, '--chart', join(dir, 'none', 'plan.svg'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--chart: cannot write');
    expect(missing.stderr).toContain('does not exist');
    expect(missing.stdout).toBe('');
  });

  it('refuses a broken file with exit 2 and no plan', async () => {
    const result = await cli('plan', broken, '--format', 'json');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('pools[0].provider (line 15): unknown provider aws');
    expectNoStackTrace(result.stderr);
  });
});

describe('the built binary', () => {
  // `npm test` builds dist/ before it runs the tests.
  const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

  function spawn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('exits 2 without a stack trace on a broken file', async () => {
    const result = await spawn('plan', broken);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${broken} is not valid: 3 problems`);
    expect(result.stderr).toContain('workloads[0].window.from (line 20): expected YYYY-MM');
    expectNoStackTrace(result.stderr);
  });

  it('exits 0 with a plan on a valid file', async () => {
    const result = await spawn('plan', tiny, '--format', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { scenario: string; objective: { totalUSD: number } };
    expect(json.scenario).toBe('tiny');
    expect(json.objective.totalUSD).toBe(2_006_720);
  });
});
