import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScenarioFileWithHash } from '../scenario/load.js';
import type { PlanSource } from './export-plan.js';
import { exportSkypilot } from './export-plan.js';
import { infraCovers } from './skypilot-infra.js';
import { normalizeInfra } from './skypilot.js';
import { SKYPILOT_TASK_SCHEMA } from './skypilot-schema.js';

const examples = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

let source: PlanSource;

beforeAll(async () => {
  const { scenario, hash } = await loadScenarioFileWithHash(examples('stargate-2025.yaml'));
  const plan = JSON.parse(await readFile(examples('stargate-2025.plan.json'), 'utf8')) as unknown;
  source = { scenario, scenarioHash: hash, plan, planId: 'test-plan' };
});

function task(workload: string, infra: Record<string, string> = {}) {
  const made = exportSkypilot(source, workload, { infra: new Map(Object.entries(infra)) });
  if (!made.ok) throw new Error(made.problems.map((p) => p.message).join('\n'));
  return made.value;
}

const validate = new Ajv({ allErrors: true }).compile(SKYPILOT_TASK_SCHEMA);

describe('SkyPilot export', () => {
  it("lists the API's Azure places in the plan's order, in SkyPilot's task shape", () => {
    const made = task('api-2027');
    expect(made.task).toEqual({
      name: 'api-2027',
      resources: {
        ordered: [
          { infra: 'azure', accelerators: 'GB300:4' },
          { infra: 'azure', accelerators: 'GB200:4' },
        ],
      },
    });
    expect(made.places.map((p) => p.gpuMonths)).toEqual(
      [...made.places.map((p) => p.gpuMonths)].sort((a, b) => b - a),
    );
    expect(made.notes).toEqual([]);
    // The YAML reads back as the task, and the task fits SkyPilot's schema.
    expect(parse(made.yaml)).toEqual(made.task);
    expect(made.yaml).toContain('# plan test-plan');
    expect(validate(made.task), JSON.stringify(validate.errors)).toBe(true);
  });

  it('leaves out a provider SkyPilot cannot reach, with a note, until its sites are mapped', () => {
    const bare = task('research-2027');
    expect(bare.task.resources.ordered.every((r) => r.infra === 'azure')).toBe(true);
    expect(bare.notes).toContain(
      'provider stargate (abilene) has no SkyPilot mapping; left out (give --infra abilene=k8s/CONTEXT, or --infra stargate=CLOUD)',
    );
    const mapped = task('research-2027', { abilene: 'k8s/abilene' });
    expect(mapped.task.resources.ordered[0]).toEqual({
      infra: 'k8s/abilene',
      accelerators: 'GB200:4',
    });
    expect(validate(mapped.task)).toBe(true);
  });

  it('never lists a place that would also reach a pool the contract forbids', () => {
    // One context for every Stargate site: it holds Lordstown, whose new VR200 capacity waits
    // for Azure's right of first refusal, so no VR200 entry may point there.
    const made = task('research-2029', { stargate: 'k8s/stargate' });
    const entries = made.task.resources.ordered;
    expect(entries).not.toContainEqual(
      expect.objectContaining({ infra: 'k8s/stargate', accelerators: 'VR200:4' }),
    );
    expect(
      made.notes.some((n) =>
        /^k8s\/stargate \(VR200\) left out: it would also reach pool lordstown-b\d, where rofr term msft-rofr/.test(
          n,
        ),
      ),
    ).toBe(true);
    // Mapped site by site, the sites the plan uses are fine.
    const bySite = task('research-2029', {
      'dona-ana': 'k8s/dona-ana',
      shackelford: 'k8s/shackelford',
      lordstown: 'k8s/lordstown',
    });
    expect(bySite.task.resources.ordered.some((r) => r.infra === 'k8s/dona-ana')).toBe(true);
    expect(bySite.task.resources.ordered.some((r) => r.infra === 'k8s/lordstown')).toBe(false);
  });

  it('says what is wrong with the workload asked for', () => {
    const unknown = exportSkypilot(source, 'nope', { infra: new Map() });
    expect(!unknown.ok && unknown.problems[0]).toMatchObject({
      path: ['workload'],
      message: expect.stringMatching(
        /^unknown workload nope; the scenario has api-2025, /,
      ) as string,
    });
    const unplaced = exportSkypilot(source, 'pretrain-2029', { infra: new Map() });
    expect(!unplaced.ok && unplaced.problems[0]?.message).toMatch(
      /the plan places none of pretrain-2029's demand/,
    );
  });
});

describe('SkyPilot infra', () => {
  it('reads infra as SkyPilot does, without wildcards', () => {
    expect(normalizeInfra('azure')).toBe('azure');
    expect(normalizeInfra('Azure/eastus')).toBe('azure/eastus');
    expect(normalizeInfra('K8S/My-Context')).toBe('k8s/My-Context');
    expect(normalizeInfra('k8s/aws:eks:us-east-1:1:cluster/c')).toBe(
      'k8s/aws:eks:us-east-1:1:cluster/c',
    );
    expect(normalizeInfra('*')).toBeUndefined();
    expect(normalizeInfra('azure/*')).toBeUndefined();
    expect(normalizeInfra('nocloud')).toBeUndefined();
  });

  it('knows which place holds which', () => {
    expect(infraCovers('azure', 'azure/eastus')).toBe(true);
    expect(infraCovers('azure/eastus', 'azure')).toBe(false);
    expect(infraCovers('k8s', 'kubernetes/ctx')).toBe(true);
    expect(infraCovers('k8s/a', 'k8s/a/b')).toBe(false);
    expect(infraCovers('aws', 'azure')).toBe(false);
  });
});
