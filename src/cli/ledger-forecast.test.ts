import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE } from '../test-support/finance-scenario.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

let dir: string;
let finance: string;
let financePlan: string;
const at = (name: string) => join(dir, name);

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain('internal error');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-ledger-test-'));
  finance = at('finance.yaml');
  await writeFile(finance, FINANCE);
  const plan = await cli('plan', finance, '--format', 'json');
  expect(plan.status).toBe(0);
  financePlan = at('finance.plan.json');
  await writeFile(financePlan, plan.stdout);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stargate ledger', () => {
  it('answers the seed questions on the example: capital called against $100B and $500B', async () => {
    const { status, stdout, stderr } = await cli('ledger', EXAMPLE);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('Called $203.0B of $500.0B total (40.6%) by 2030-12');
    expect(stdout).toContain('The $100.0B initial commitment was fully called by 2027-12.');
    expect(stdout).toMatch(/^ {2}openai +40% +\$81\.2B +40\.00%$/m);
    expect(stdout).toMatch(/^ {2}openai +microsoft +revenue share( +\$[\d.]+[BM]){6} +\$74\.4B$/m);
    expect(stdout).toMatch(
      /Every transaction balances: \d+ transactions, \d+ postings; debits (\$[\d,.]+) = credits \1\./,
    );
  });

  it('reads the example’s golden plan, amounts in the billions to the cent', async () => {
    const golden = fileURLToPath(
      new URL('../../examples/stargate-2025.plan.json', import.meta.url),
    );
    const plan = JSON.parse(await readFile(golden, 'utf8')) as {
      byProvider: { provider: string; computeUSD: number }[];
      commitments: { shortfallUSD: number }[];
    };
    const { status, stdout, stderr } = await cli(
      'ledger',
      EXAMPLE,
      '--plan',
      golden,
      '--format',
      'json',
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const json = JSON.parse(stdout) as {
      flows: { from: string; to: string; kind: string; totalUSD: number }[];
      commitments: { shortfallUSD: number; planShortfallUSD: number }[];
    };
    const cents = (usd: number) => Math.round(usd * 100);
    const azure = plan.byProvider
      .filter((row) => row.provider === 'azure')
      .reduce((sum, row) => sum + cents(row.computeUSD), 0);
    const paid = json.flows.find(
      (f) => f.from === 'openai' && f.to === 'microsoft' && f.kind === 'compute',
    );
    expect(cents(paid?.totalUSD ?? NaN)).toBe(azure);
    // The ledger's own take-or-pay, from the invoices, agrees with the plan's.
    expect(json.commitments[0]?.shortfallUSD).toBe(plan.commitments[0]?.shortfallUSD);
    expect(json.commitments[0]?.planShortfallUSD).toBe(plan.commitments[0]?.shortfallUSD);
  });

  it('reads a plan written by stargate plan --format json, and books it as if planned now', async () => {
    const planned = await cli('ledger', finance, '--format', 'json');
    const fromFile = await cli('ledger', finance, '--plan', financePlan, '--format', 'json');
    expect(fromFile.stderr).toBe('');
    expect(fromFile.status).toBe(0);
    const a = JSON.parse(planned.stdout) as { plan: unknown };
    const b = JSON.parse(fromFile.stdout) as { plan: unknown };
    expect(b.plan).toEqual({ source: 'file', file: financePlan });
    expect({ ...b, plan: null }).toEqual({ ...a, plan: null });
  });

  it('writes JSON with the capital plan, flows, balances and the whole journal', async () => {
    const { status, stdout } = await cli(
      'ledger',
      finance,
      '--plan',
      financePlan,
      '--format',
      'json',
      '--by',
      'quarter',
    );
    expect(status).toBe(0);
    const json = JSON.parse(stdout) as {
      by: string;
      capital: { calledUSD: number; initialCalledBy: string; periods: { period: string }[] };
      transactions: { postings: { amountUSD: number }[] }[];
      totals: { debitsUSD: number; creditsUSD: number };
      balances: { balanceUSD: number }[];
    };
    expect(json.by).toBe('quarter');
    expect(json.capital.calledUSD).toBe(1_000_000.01);
    expect(json.capital.initialCalledBy).toBe('2026-06');
    expect(json.capital.periods.map((p) => p.period)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
      '2027-Q1',
      '2027-Q2',
      '2027-Q3',
      '2027-Q4',
    ]);
    const cents = (usd: number) => Math.round(usd * 100);
    for (const t of json.transactions) {
      expect(t.postings.reduce((sum, p) => sum + cents(p.amountUSD), 0)).toBe(0);
    }
    expect(json.totals.debitsUSD).toBe(json.totals.creditsUSD);
    expect(json.balances.reduce((sum, b) => sum + cents(b.balanceUSD), 0)).toBe(0);
  });

  it('writes one tidy CSV table with every section', async () => {
    const { status, stdout } = await cli(
      'ledger',
      finance,
      '--plan',
      financePlan,
      '--format',
      'csv',
    );
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('section,period,party,counterparty,item,ref,amountUSD');
    const sections = new Set(lines.slice(1).map((line) => line.split(',')[0]));
    expect([...sections]).toEqual(['capital', 'flow', 'balance', 'posting']);
    expect(lines).toContain('capital,2026,sg,,called,,1000000.00');
    expect(lines).toContain('flow,2026,external,openai,revenue,,12000.00');
  });

  it('shows flows one row per period when there are many periods', async () => {
    const { status, stdout } = await cli('ledger', finance, '--plan', financePlan, '--by', 'month');
    expect(status).toBe(0);
    expect(stdout).toContain('  By month');
    expect(stdout).toMatch(/^ {2}2026-01 +external +openai +revenue +\$1\.0K$/m);
  });

  it('draws capital called against committed and the flows between parties as SVG', async () => {
    const chart = at('ledger.svg');
    const golden = fileURLToPath(
      new URL('../../examples/stargate-2025.plan.json', import.meta.url),
    );
    const { status, stderr, stdout } = await cli(
      'ledger',
      EXAMPLE,
      '--plan',
      golden,
      '--chart',
      chart,
    );
    expect(status).toBe(0);
    expect(stdout).toContain('Called $203.0B of $500.0B total');
    expect(stderr).toBe(
      `chart: ${chart} (capital called against committed, per funder)\nchart: ${at('ledger-flows.svg')} (flows between parties, all periods)\n`,
    );
    const capital = await readFile(chart, 'utf8');
    expect(capital).toMatch(/^<svg [^>]*width="100%" viewBox="0 0 1280 720"/);
    for (const name of [
      'OpenAI called (40%)',
      'SoftBank called (40%)',
      'Oracle called (10%)',
      'MGX called (10%)',
      'Committed, all funders',
    ])
      expect(capital).toContain(`>${name}</text>`);
    expect(capital).toContain('>$500.0B</text>');
    const flows = await readFile(at('ledger-flows.svg'), 'utf8');
    expect(flows).toContain('<title>Money between parties, 2025-01 to 2030-12</title>');
    expect(flows).toMatch(/>OpenAI pays \$[\d.]+B<\/text>/);
    expect(flows).toMatch(/>Microsoft receives \$[\d.]+B<\/text>/);

    const missing = await cli('ledger', finance, '--chart', at('nowhere/ledger.svg'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(
      `--chart: cannot write ${at('nowhere/ledger.svg')}: the folder`,
    );
    expect(missing.stdout).toBe('');
    expectNoStackTrace(missing.stderr);
  });

  it('refuses a bad flag with exit 2', async () => {
    const result = await cli('ledger', finance, '--by', 'week');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--by: expected month, quarter, year, got week');
    expect(result.stdout).toBe('');
  });

  it('reports every problem of a bad plan file with its path, exit 2, no stack trace', async () => {
    const plan = JSON.parse(await readFile(financePlan, 'utf8')) as {
      scenario: string;
      byProvider: { provider: string; period: string; computeUSD: unknown }[];
      commitments: unknown[];
    };
    const bad = structuredClone(plan);
    bad.scenario = 'someone-else';
    bad.byProvider[0] = { ...plan.byProvider[0]!, provider: 'aws' };
    bad.byProvider[1] = { ...plan.byProvider[1]!, period: '2031-01' };
    bad.byProvider.push({ ...plan.byProvider[2]! });
    await writeFile(at('bad.plan.json'), JSON.stringify(bad));
    const result = await cli('ledger', finance, '--plan', at('bad.plan.json'));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `${at('bad.plan.json')} is not valid: 4 problems`,
        '  byProvider[0].provider: unknown provider aws',
        '  byProvider[1].period: 2031-01 is outside the horizon 2026-01..2027-12',
        `  byProvider[${bad.byProvider.length - 1}]: a second row for ${plan.byProvider[2]!.provider} in ${plan.byProvider[2]!.period}`,
        '  scenario: the plan is for scenario someone-else, not finance-test',
        '',
      ].join('\n'),
    );
    expectNoStackTrace(result.stderr);

    const shape = structuredClone(plan) as Record<string, unknown>;
    delete shape.commitments;
    (shape.byProvider as Record<string, unknown>[])[0]!.computeUSD = '12';
    (shape.byProvider as Record<string, unknown>[])[1]!.computeUSD = 1.234;
    await writeFile(at('shape.plan.json'), JSON.stringify(shape));
    const wrong = await cli('ledger', finance, '--plan', at('shape.plan.json'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe(
      [
        `${at('shape.plan.json')} is not valid: 3 problems`,
        '  byProvider[0].computeUSD: expected an amount in USD (a number)',
        '  byProvider[1].computeUSD: expected an amount in whole cents',
        '  commitments: required: expected a list of commitments',
        '',
      ].join('\n'),
    );
  });

  it('says plainly when a plan file is missing or not JSON', async () => {
    const missing = await cli('ledger', finance, '--plan', at('nope.json'));
    expect(missing).toEqual({
      status: 2,
      stdout: '',
      stderr: `stargate: ${at('nope.json')}: no such file\n`,
    });
    await writeFile(at('text.json'), 'not json');
    const text = await cli('ledger', finance, '--plan', at('text.json'));
    expect(text.status).toBe(2);
    expect(text.stderr).toMatch(
      new RegExp(
        `^stargate: ${at('text.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: `,
      ),
    );
    expectNoStackTrace(text.stderr);
  });
});

describe('stargate forecast', () => {
  it('answers the seed question on the example: Stargate’s share in 2030 with its range', async () => {
    const { status, stdout, stderr } = await cli(
      'forecast',
      EXAMPLE,
      '--runs',
      '1000',
      '--seed',
      '1',
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain(
      '1,000 Monte Carlo runs, seed 1, slip correlation 0.5; 25 of 25 buildings have a delay distribution',
    );
    expect(stdout).toMatch(
      /Stargate Project's share of GPUs online over 2030 \(all its quarters\): \d+\.\d% \(p10 \d+\.\d%, p90 \d+\.\d%\); 64\.6% as scheduled/,
    );
    expect(stdout).toContain("Stargate Project's share of GPUs online in 2030-Q4 (2030-12):");
  });

  it('gives the same numbers for the same seed, and writes JSON and CSV', async () => {
    const a = await cli('forecast', finance, '--runs', '300', '--seed', '9', '--format', 'json');
    const b = await cli('forecast', finance, '--runs', '300', '--seed', '9', '--format', 'json');
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const json = JSON.parse(a.stdout) as {
      focus: string;
      simulation: { runs: number; seed: number; correlation: number };
      quarters: { quarter: string; simulated: { focusShare: { p10: number; p90: number } } }[];
      years: { year: number }[];
    };
    expect(json.focus).toBe('stargate');
    expect(json.simulation).toEqual({
      runs: 300,
      seed: 9,
      correlation: 0.3,
      slippingBuildings: 2,
      buildings: 2,
    });
    expect(json.quarters).toHaveLength(8);
    expect(json.years.map((y) => y.year)).toEqual([2026, 2027]);
    const csv = await cli('forecast', finance, '--runs', '50', '--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'quarter,month,provider,gpus,mw,share,gpus_p10,gpus_p50,gpus_p90,share_p10,share_p50,share_p90',
    );
    expect(lines).toHaveLength(1 + 8 * 3); // azure, stargate and total per quarter
    expect(lines[1]).toBe('2026-Q1,2026-03,azure,100,0.2,1,100,100,100,1,1,1');
  });

  it('writes SVG charts of GPUs, share and MW by provider, each with its legend', async () => {
    const chart = at('chart.svg');
    const { status, stderr } = await cli(
      'forecast',
      EXAMPLE,
      '--runs',
      '200',
      '--seed',
      '1',
      '--chart',
      chart,
    );
    expect(status).toBe(0);
    expect(stderr).toBe(
      [
        `chart: ${chart} (GPUs online by provider)`,
        `chart: ${at('chart-share.svg')} (share of GPUs online by provider)`,
        `chart: ${at('chart-mw.svg')} (MW online by provider, as scheduled)`,
        '',
      ].join('\n'),
    );
    const gpus = await readFile(chart, 'utf8');
    const share = await readFile(at('chart-share.svg'), 'utf8');
    const mw = await readFile(at('chart-mw.svg'), 'utf8');
    for (const svg of [gpus, share, mw]) {
      // Scales to its container: a viewBox of a slide's size, the width of its box.
      expect(svg).toMatch(/^<svg [^>]*width="100%" viewBox="0 0 1280 720"/);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      for (const year of ['2025', '2026', '2027', '2028', '2029', '2030'])
        expect(svg).toContain(`>${year}</text>`);
    }
    for (const svg of [gpus, share])
      expect(svg).toContain('200 runs of construction slips, seed 1, slip correlation 0.5');
    expect(mw).toContain('as scheduled, no slips · stargate forecast');
    expect(gpus).toContain("<title>OpenAI's GPUs online by provider, 2025–2030</title>");
    // Each provider apart, each line in the legend (the schedule's too).
    for (const name of [
      'Stargate Project p10–p90',
      'Stargate Project median (p50)',
      'Stargate Project as scheduled',
      'Microsoft Azure as scheduled (no slips)',
      'CoreWeave as scheduled (no slips)',
    ])
      expect(gpus).toContain(`>${name}</text>`);
    expect(share).toContain(
      "<title>Each provider's share of OpenAI's GPUs online, 2025–2030</title>",
    );
    for (const name of [
      'Microsoft Azure p10–p90',
      'CoreWeave median (p50)',
      'Stargate Project as scheduled',
    ])
      expect(share).toContain(`>${name}</text>`);
    // The share axis is fitted: the data stays under 80 %, so does the axis.
    expect(share).toContain('>80%</text>');
    expect(share).not.toContain('>100%</text>');
    expect(mw).toContain('>MW online</text>');
    for (const name of ['Microsoft Azure', 'CoreWeave', 'Stargate Project'])
      expect(mw).toContain(`>${name}</text>`);
  });

  it('gives the schedule alone with --runs 0, as documented: no draws, no percentiles', async () => {
    const table = await cli('forecast', finance, '--runs', '0');
    expect(table).toMatchObject({ status: 0, stderr: '' });
    expect(table.stdout).toContain('\nAs scheduled only (no Monte Carlo runs).\n');
    expect(table.stdout).not.toMatch(/p10|p90|Monte Carlo runs,/);
    const json = await cli('forecast', finance, '--runs', '0', '--format', 'json');
    const doc = JSON.parse(json.stdout) as {
      simulation: unknown;
      quarters: { simulated: unknown }[];
      years: { simulated: unknown }[];
    };
    expect(doc.simulation).toBeNull();
    expect(doc.quarters.map((q) => q.simulated)).toEqual(doc.quarters.map(() => null));
    expect(doc.years.map((y) => y.simulated)).toEqual(doc.years.map(() => null));
    const csv = await cli('forecast', finance, '--runs', '0', '--format', 'csv');
    expect(csv.stdout.split('\n')[1]).toBe('2026-Q1,2026-03,azure,100,0.2,1,,,,,,');
  });

  it('refuses bad flags with exit 2', async () => {
    const runs = await cli('forecast', finance, '--runs', 'many');
    expect(runs.status).toBe(2);
    expect(runs.stderr).toContain('--runs: expected a whole number from 0 to 1000000, got many');
    const tooMany = await cli('forecast', finance, '--runs', '1000001');
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toContain(
      '--runs: expected a whole number from 0 to 1000000, got 1000001',
    );
    // A negative number is the flag's value, and its check says what is wrong with it.
    const negative = await cli('forecast', finance, '--runs', '-1');
    expect(negative.status).toBe(2);
    expect(negative.stderr).toContain('--runs: expected a whole number from 0 to 1000000, got -1');
    const correlation = await cli('forecast', finance, '--correlation', '2');
    expect(correlation.stderr).toContain('--correlation: expected a number from 0 to 1, got 2');
    const provider = await cli('forecast', finance, '--provider', 'aws');
    expect(provider.status).toBe(2);
    expect(provider.stderr).toContain(
      '--provider: unknown provider aws; the scenario has azure, stargate and coreweave',
    );
    const chart = await cli(
      'forecast',
      finance,
      '--runs',
      '10',
      '--chart',
      at('no/such/dir/x.svg'),
    );
    expect(chart.status).toBe(2);
    expect(chart.stderr).toContain(
      `--chart: cannot write ${at('no/such/dir/x.svg')}: the folder ${at('no/such/dir')} does not exist`,
    );
    expectNoStackTrace(chart.stderr);
  });
});

describe('stargate diff', () => {
  it('shows two scenarios side by side', async () => {
    const pricier = at('pricier.yaml');
    await writeFile(
      pricier,
      FINANCE.replace('name: finance-test', 'name: finance-pricier').replace(
        'pricePerGpuHour: "3.00"',
        'pricePerGpuHour: "9.00"',
      ),
    );
    const { status, stdout, stderr } = await cli('diff', finance, pricier);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain(`A: ${finance} (scenario finance-test; plan exact, optimal)`);
    expect(stdout).toMatch(/^total +\$[\d.]+[KM] +\$[\d.]+[KM] +\+\$[\d.]+[KM]$/m);
    expect(stdout).toMatch(/^ {2}PROVIDER +A SHARE +B SHARE +CHANGE +A COST +B COST +B − A$/m);
    const json = await cli('diff', finance, pricier, '--format', 'json');
    const parsed = JSON.parse(json.stdout) as {
      a: { scenario: string; objective: { totalUSD: number } };
      b: { scenario: string; objective: { totalUSD: number } };
      providers: { provider: string; a: { share: number }; b: { share: number } }[];
    };
    expect(parsed.a.scenario).toBe('finance-test');
    expect(parsed.b.scenario).toBe('finance-pricier');
    expect(parsed.b.objective.totalUSD).toBeGreaterThan(parsed.a.objective.totalUSD);
    for (const side of ['a', 'b'] as const) {
      const shares = parsed.providers.reduce((sum, p) => sum + p[side].share, 0);
      expect(shares).toBeCloseTo(1, 5);
    }
  });

  it('plans a scenario beside itself with a change (--patch), as the what-if of the API', async () => {
    const pricier = at('pricier.yaml');
    await writeFile(pricier, FINANCE.replace('pricePerGpuHour: "3.00"', 'pricePerGpuHour: "9.00"'));
    await writeFile(
      at('pricier.json'),
      JSON.stringify({ pools: [{ id: 'az', pricePerGpuHour: '9.00' }] }),
    );
    const patched = await cli('diff', finance, '--patch', at('pricier.json'), '--format', 'json');
    expect(patched.stderr).toBe('');
    const files = await cli('diff', finance, pricier, '--format', 'json');
    // The same comparison as with the changed file written out, but for B's name.
    const withoutFile = (text: string) => {
      const json = JSON.parse(text) as { b: { file?: string } };
      delete json.b.file;
      return json;
    };
    expect(withoutFile(patched.stdout)).toEqual(withoutFile(files.stdout));
    expect((JSON.parse(patched.stdout) as { b: { file: string } }).b.file).toBe(
      `${finance} with ${at('pricier.json')}`,
    );

    await writeFile(
      at('bad-patch.json'),
      JSON.stringify({ pools: [{ id: 'az', pricePerGpuHour: 'x' }, { gpus: 1 }] }),
    );
    const bad = await cli('diff', finance, '--patch', at('bad-patch.json'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('pools[1].id: expected an object with an "id" naming the pool');
    await writeFile(
      at('bad-value.json'),
      JSON.stringify({ pools: [{ id: 'az', pricePerGpuHour: 'x' }] }),
    );
    const invalid = await cli('diff', finance, '--patch', at('bad-value.json'));
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toMatch(/^ {2}pools\[0\]\.pricePerGpuHour: .*"x"/m);
    expect((await cli('diff', finance, pricier, '--patch', at('pricier.json'))).status).toBe(2);
    expectNoStackTrace(invalid.stderr);
  });

  it('needs two files, and reports a broken one', async () => {
    expect((await cli('diff', finance)).status).toBe(2);
    await writeFile(at('broken.yaml'), FINANCE.replace('company: sg', 'company: nobody'));
    const broken = await cli('diff', finance, at('broken.yaml'));
    expect(broken.status).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/programme\.company \(line \d+\): unknown party nobody/);
    expectNoStackTrace(broken.stderr);
  });
});

describe('a scenario with broken extensions', () => {
  it('gets every problem with its path and line from every command, exit 2', async () => {
    const broken = at('broken-extensions.yaml');
    await writeFile(
      broken,
      FINANCE.replace('roles: [funder], equityPercent: 60', 'roles: [funder], equityPercent: 50')
        .replace('probability: 0.75', 'probability: 0.7')
        .replace('percent: 33.34', 'percent: 30'),
    );
    for (const command of ['validate', 'ledger', 'forecast']) {
      const result = await cli(command, broken);
      expect(result.status, command).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.replace(/ \(line \d+\)/g, '')).toBe(
        [
          `${broken} is not valid: 3 problems`,
          "  parties: the funders' equity shares add up to 90%, expected 100%",
          '  buildings[0].capexSchedule: the instalments add up to 96.66% of the capex, expected 100%',
          '  buildings[0].delay.outcomes: the probabilities add up to 0.95, expected 1',
          '',
        ].join('\n'),
      );
      expectNoStackTrace(result.stderr);
    }
  });
});

describe('validate', () => {
  it('counts the extension sections when a file has them', async () => {
    const { status, stdout } = await cli('validate', finance);
    expect(status).toBe(0);
    expect(stdout).toBe(
      'ok: finance-test: 1 accelerator, 3 providers, 1 site, 1 pool, 2 buildings, 1 workload, 1 contract (2 terms), 4 parties, a programme, 2 revenue streams\n',
    );
  });
});

describe('help', () => {
  it('lists the new commands', async () => {
    const { stdout } = await cli('help');
    expect(stdout).toContain('stargate ledger FILE [--plan PLAN.json]');
    expect(stdout).toMatch(/stargate ledger FILE .*\[--chart OUT\.svg\]/);
    expect(stdout).toMatch(/stargate plan FILE .*\[--chart OUT\.svg\]/);
    expect(stdout).toContain('stargate forecast FILE [--runs N] [--seed S]');
    expect(stdout).toContain('stargate diff A.yaml (B.yaml | --patch CHANGE.json)');
  });
});
