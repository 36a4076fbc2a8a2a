import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { run } from '../cli/main.js';
import { bufferIo } from '../cli/io.js';
import { buildProblem } from '../core/planner/problem.js';
import { planProblem } from '../core/planner/planner.js';
import { seededRandom } from '../core/random.js';
import { generateScenario } from './generate.js';
import { FAMILIES } from './generate-families.js';
import type { Family } from './generate-families.js';
import { parseScenarioOrThrow } from './parse.js';
import type { ScenarioInput } from './schema.js';

interface Size {
  readonly workloads: number;
  readonly pools: number;
  readonly months: number;
}
const SMALL: Size = { workloads: 100, pools: 20, months: 12 };
const MEDIUM: Size = { workloads: 400, pools: 60, months: 36 };
const TINY: Size = { workloads: 30, pools: 8, months: 6 };

function generate(family: Family, size: Size, seed = 1, gangShare = 0.1): ScenarioInput {
  return generateScenario({ ...size, gangShare, family, random: seededRandom(seed) });
}

const text = (document: ScenarioInput) => `${JSON.stringify(document)}\n`;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Month index of a YYYY-MM period (year × 12 + month − 1). */
function monthIndex(period: string): number {
  const [year = 0, month = 1] = period.split('-').map(Number);
  return year * 12 + month - 1;
}

/** Demand and capacity in GPU-months over the horizon, as the generator sizes them. */
function gpuMonths(document: ScenarioInput): { demand: number; capacity: number } {
  const end = monthIndex(document.horizon.end);
  const kw = new Map(document.accelerators.map((a) => [a.id, a.kwPerGpu]));
  let capacity = 0;
  for (const pool of document.pools ?? []) {
    capacity += pool.gpus * (monthIndex(pool.window.to) - monthIndex(pool.window.from) + 1);
  }
  for (const building of document.buildings ?? []) {
    const gpus = Math.floor((building.itMW * 1000) / (kw.get(building.accelerator) ?? 1));
    capacity += gpus * (end - monthIndex(building.online) + 1);
  }
  let demand = 0;
  for (const workload of document.workloads) {
    const months = Math.min(end, monthIndex(workload.window.to)) - monthIndex(workload.window.from);
    demand += workload.gpus * (months + 1);
  }
  return { demand, capacity };
}

const gangShare = (document: ScenarioInput) =>
  document.workloads.filter((w) => w.gang === true).length / document.workloads.length;

describe('generateScenario families', () => {
  it('keeps the standard family byte for byte the generator it was', () => {
    // Hashes of `stargate gen --format json` before families existed: the benchmark's ladder
    // and tests depend on these documents.
    expect(sha256(text(generate('standard', SMALL)))).toBe(
      '4ffb9fd71471a86b73009df9fd40e0c9b196264cedd20333abc98a2bff69f72c',
    );
    expect(sha256(text(generate('standard', TINY, 7)))).toBe(
      '82068f29eed509c779acfefb73cd507398851bf2c5966c26985a81345519e2bc',
    );
    expect(sha256(text(generate('standard', MEDIUM, 1, 0.44)))).toBe(
      '9f84fcc8c7297b0af3382f7ebefb475d46aea311dd319ff58ff95fd8d76b5b49',
    );
    const omitted = generateScenario({ ...SMALL, gangShare: 0.1, random: seededRandom(1) });
    expect(text(omitted)).toBe(text(generate('standard', SMALL)));
  });

  it.each(FAMILIES)('%s: validates, and the same seed gives the same bytes', (family) => {
    for (const size of [TINY, SMALL, MEDIUM]) {
      const document = generate(family, size);
      expect(() => parseScenarioOrThrow(text(document))).not.toThrow();
      expect(text(generate(family, size))).toBe(text(document));
      expect(text(generate(family, size, 2))).not.toBe(text(document));
    }
  });

  it('gang-heavy: at least 40 % of workloads are gangs at every size', () => {
    for (const size of [TINY, SMALL, MEDIUM]) {
      expect(gangShare(generate('gang-heavy', size))).toBeGreaterThanOrEqual(0.4);
      expect(gangShare(generate('standard', size))).toBeLessThan(0.2);
    }
    // A larger --gang-share is kept.
    expect(gangShare(generate('gang-heavy', SMALL, 1, 0.7))).toBeCloseTo(0.7, 2);
  });

  it('tight: demand is about twice the capacity, where the standard mix has slack', () => {
    for (const size of [TINY, SMALL, MEDIUM]) {
      const { demand, capacity } = gpuMonths(generate('tight', size));
      expect(demand / capacity).toBeGreaterThan(1.9);
      expect(demand / capacity).toBeLessThan(2.1);
      const standard = gpuMonths(generate('standard', size));
      expect(standard.demand / standard.capacity).toBeLessThan(1.2);
    }
  });

  it('long-gangs: every gang window is 12 to 24 months (or the whole horizon)', () => {
    for (const size of [SMALL, MEDIUM]) {
      const document = generate('long-gangs', size);
      const gangs = document.workloads.filter((w) => w.gang === true);
      expect(gangs.length / document.workloads.length).toBeGreaterThanOrEqual(0.25);
      for (const gang of gangs) {
        const months = monthIndex(gang.window.to) - monthIndex(gang.window.from) + 1;
        expect(months).toBeGreaterThanOrEqual(Math.min(12, size.months));
        expect(months).toBeLessThanOrEqual(24);
      }
    }
  });

  it('many-accelerators: every workload accepts three or four accelerators', () => {
    const document = generate('many-accelerators', MEDIUM);
    for (const workload of document.workloads) {
      expect(workload.accelerators.length).toBeGreaterThanOrEqual(3);
      expect(new Set(workload.accelerators).size).toBe(workload.accelerators.length);
    }
    const standard = generate('standard', MEDIUM).workloads;
    expect(standard.every((w) => w.accelerators.length <= 2)).toBe(true);
  });

  it('rofr-pending: most new capacity waits on the right of first refusal', () => {
    const pending = (document: ScenarioInput) => {
      const all = [...(document.pools ?? []), ...(document.buildings ?? [])];
      return all.filter((pool) => pool.rofr === 'pending').length / all.length;
    };
    expect(pending(generate('rofr-pending', MEDIUM))).toBeGreaterThan(0.4);
    expect(pending(generate('standard', MEDIUM))).toBeLessThan(0.2);
  });

  it('binding-commitments: without its commitments the plan buys less than the minimum', () => {
    for (const size of [SMALL, MEDIUM]) {
      const document = generate('binding-commitments', size);
      const contract = document.contracts?.[0];
      if (!contract) throw new Error('no contract');
      const commitments = contract.terms.filter((term) => term.type === 'commitment');
      expect(commitments.map((term) => term.id)).toEqual([
        'azure-commitment',
        'coreweave-commitment',
        'oracle-commitment',
      ]);
      const free: ScenarioInput = {
        ...document,
        contracts: [{ ...contract, terms: contract.terms.filter((t) => t.type !== 'commitment') }],
      };
      const plan = planProblem(buildProblem(parseScenarioOrThrow(JSON.stringify(free))), {
        planner: 'fast',
      });
      const coreweave = commitments.find((term) => term.provider === 'coreweave');
      if (coreweave?.type !== 'commitment') throw new Error('no coreweave commitment');
      const spent = plan.byProvider
        .filter((row) => row.provider === 'coreweave')
        .reduce((sum, row) => sum + Number(row.compute) / 1e6, 0);
      expect(spent).toBeLessThan(0.75 * Number(coreweave.minSpendUSD));
    }
  });

  it('mixed: gangs, long windows, many accelerators and binding commitments at once', () => {
    const document = generate('mixed', MEDIUM);
    expect(gangShare(document)).toBeGreaterThanOrEqual(0.35);
    const terms = document.contracts?.[0]?.terms ?? [];
    expect(terms.filter((term) => term.type === 'commitment')).toHaveLength(3);
    const mean =
      document.workloads.reduce((sum, w) => sum + w.accelerators.length, 0) /
      document.workloads.length;
    expect(mean).toBeGreaterThan(2.5);
  });
});

describe('stargate gen --family', () => {
  it('writes the family asked for, and refuses an unknown one', async () => {
    const io = bufferIo();
    const args = ['gen', '--workloads', '100', '--pools', '20', '--months', '12'];
    expect(await run([...args, '--family', 'tight', '--format', 'json'], io)).toBe(0);
    expect(io.stdout()).toBe(text(generate('tight', SMALL)));
    const bad = bufferIo();
    expect(await run([...args, '--family', 'nope'], bad)).not.toBe(0);
    expect(bad.stderr()).toContain('--family: expected standard, gang-heavy');
  });
});
