import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE } from '../test-support/finance-scenario.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

let dir: string;
let finance: string;
let plan: string;
const at = (name: string) => join(dir, name);

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-risk-test-'));
  finance = at('finance.yaml');
  await writeFile(finance, FINANCE);
  const planned = await cli('plan', finance, '--format', 'json');
  expect(planned.status).toBe(0);
  plan = at('finance.plan.json');
  await writeFile(plan, planned.stdout);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stargate risk', () => {
  it('reads a plan file and reports the same numbers as planning anew, in JSON', async () => {
    const fromFile = await cli(
      'risk',
      finance,
      '--plan',
      plan,
      '--runs',
      '200',
      '--format',
      'json',
    );
    expect(fromFile.status).toBe(0);
    const planned = await cli('risk', finance, '--runs', '200', '--format', 'json');
    const a = JSON.parse(fromFile.stdout) as Record<string, unknown>;
    const b = JSON.parse(planned.stdout) as Record<string, unknown>;
    expect(a['plan']).toBe(plan);
    expect(b['plan']).toBe('planned now (exact, optimal)');
    expect({ ...a, plan: '' }).toEqual({ ...b, plan: '' });
    expect(a).toMatchObject({
      scenario: 'finance-test',
      runs: 200,
      seed: 1,
      correlation: 0.3,
      slippingBuildings: 2,
      buildings: 2,
    });
    const byBuilding = a['byBuilding'] as { building: string; runsSlipped: number }[];
    expect(byBuilding.map((x) => x.building).sort()).toEqual(['b1', 'b2']);
    // b1 slips 3 months with probability 0.25.
    const b1 = byBuilding.find((x) => x.building === 'b1');
    expect(b1?.runsSlipped).toBeGreaterThan(25);
    expect(b1?.runsSlipped).toBeLessThan(75);
  });

  it('prints the answer first as text, and CSV rows', async () => {
    const text = await cli('risk', finance, '--plan', plan, '--runs', '100', '--seed', '3');
    expect(text.status).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(
      'Plan under slip risk for finance-test: 100 runs, seed 3, slip correlation 0.3; 2 of 2 buildings have a delay distribution',
    );
    expect(text.stdout).toMatch(/^Expected total cost \$[\d.]+[KMB]? \(nominal \$/m);
    const csv = await cli('risk', finance, '--plan', plan, '--runs', '100', '--format', 'csv');
    expect(csv.stdout.split('\n').slice(0, 3)).toEqual([
      'section,id,measure,value',
      'summary,,runs,100',
      'summary,,correlation,0.3',
    ]);
  });

  it('--hedge N compares the nominal plan and the hedged one on the held-out draws', async () => {
    const out = at('hedged.plan.json');
    const result = await cli(
      'risk',
      finance,
      '--runs',
      '100',
      '--hedge',
      '50',
      '--hedged-plan',
      out,
      '--format',
      'json',
    );
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as {
      totalUSD: { mean: number };
      hedge: {
        candidates: { slipPercentile: number }[];
        chosenSlipPercentile: number;
        heldOut: {
          nominal: { totalUSD: { mean: number } };
          hedged: { totalUSD: { mean: number } };
        };
      };
    };
    expect(report.hedge.candidates.map((c) => c.slipPercentile)).toEqual([0, 50, 75, 90]);
    // Held out = the report's own draws: the nominal plan's expected cost is the report's.
    expect(report.hedge.heldOut.nominal.totalUSD.mean).toBe(report.totalUSD.mean);
    expect([0, 50, 75, 90]).toContain(report.hedge.chosenSlipPercentile);
    const refused = await cli('risk', finance, '--hedged-plan', out);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--hedged-plan');
  });

  it('refuses a plan of another version of the scenario, and bad flags, with exit 2', async () => {
    const edited = at('edited.yaml');
    await writeFile(edited, FINANCE.replace('gpus: 100,', 'gpus: 90,'));
    const mismatch = await cli('risk', edited, '--plan', plan);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toContain('plan.scenarioHash');
    const runs = await cli('risk', finance, '--runs', '0');
    expect(runs.status).toBe(2);
    expect(runs.stderr).toContain('--runs: expected a whole number from 1 to 100000, got 0');
    const both = await cli('risk', finance, '--plan', plan, '--solver', 'fast');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--solver');
  });
});
