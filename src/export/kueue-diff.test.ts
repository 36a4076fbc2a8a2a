import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Period } from '../core/period.js';
import { parsePeriod } from '../core/period.js';
import { loadScenarioFileWithHash } from '../scenario/load.js';
import { kueueCrdValidator } from './crd-files.js';
import type { PlanSource } from './export-plan.js';
import { exportKueue } from './export-plan.js';
import type { KueueExport } from './kueue.js';
import { diffKueue } from './kueue-diff.js';

const examples = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

let source: PlanSource;

beforeAll(async () => {
  const { scenario, hash } = await loadScenarioFileWithHash(examples('stargate-2025.yaml'));
  const plan = JSON.parse(await readFile(examples('stargate-2025.plan.json'), 'utf8')) as unknown;
  source = { scenario, scenarioHash: hash, plan, planId: 'test-plan' };
});

async function at(text: string, plan = source): Promise<KueueExport> {
  const made = exportKueue(
    plan,
    {
      months: [parsePeriod(text) as Period],
      monthField: 'month',
      apiVersion: 'v1beta2',
      perWorkload: false,
      namespaces: new Map(),
    },
    await kueueCrdValidator(),
  );
  if (!made.ok || !made.value[0]) throw new Error('the example exports');
  return made.value[0].result;
}

describe('diffKueue', () => {
  it('shows which queues gain or lose quota from one month to the next, and by how much', async () => {
    const diff = diffKueue(await at('2027-01'), await at('2027-02'), {
      from: '2027-01',
      to: '2027-02',
    });
    expect(diff.queues).toEqual([
      { queue: 'api-azure-us-central', before: 170_000, after: 250_000, change: 80_000 },
      { queue: 'api-azure-us-east', before: 150_000, after: 70_000, change: -80_000 },
      { queue: 'research-azure-us-central', before: 80_000, after: 0, change: -80_000 },
      { queue: 'research-azure-us-east', before: 0, after: 80_000, change: 80_000 },
    ]);
    // Within a queue, quota moves between flavors: research at Abilene, building by building.
    expect(diff.quotas).toContainEqual({
      queue: 'research-abilene',
      flavor: 'abilene-b5',
      before: 0,
      after: 50_000,
      change: 50_000,
    });
    // Every change adds up to the change of the total.
    const sum = diff.quotas.reduce((total, q) => total + q.change, 0);
    expect(sum).toBe(diff.totalGpus.after - diff.totalGpus.before);
    expect(diff.clusterQueues).toEqual({
      added: ['research-azure-us-east'],
      removed: ['research-azure-us-central'],
    });
  });

  it('finds nothing between a month and itself', async () => {
    const june = await at('2027-06');
    const diff = diffKueue(june, june, { from: 'a', to: 'b' });
    expect(diff.queues).toEqual([]);
    expect(diff.quotas).toEqual([]);
    expect(diff.resourceFlavors).toEqual({ added: [], removed: [] });
  });
});
