import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileRules, matchesSelector } from '../core/contracts.js';
import type { Scenario } from '../core/model.js';
import type { Period } from '../core/period.js';
import { parsePeriod } from '../core/period.js';
import { loadScenarioFileWithHash } from '../scenario/load.js';
import type { PlanPlacements } from '../scenario/plan-placements.js';
import { readPlanPlacements } from '../scenario/plan-placements.js';
import { dedent, parseValid } from '../test-support/unit-scenarios.js';
import { kueueCrdValidator } from './crd-files.js';
import type { PlanSource } from './export-plan.js';
import { exportKueue } from './export-plan.js';
import { QUANTITY, isDnsLabel } from './kube-names.js';
import type { KubeObject, KueueExport, KueueOptions } from './kueue.js';
import { kueueManifests } from './kueue.js';
import type { ManifestValidator } from './kueue-validator.js';
import { manifestsYaml } from './render.js';

const examples = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const CRD_DIR = new URL('./crds/', import.meta.url);
const JUNE_2027 = month('2027-06');

function month(text: string): Period {
  const period = parsePeriod(text);
  if (period === undefined) throw new Error(`not a month: ${text}`);
  return period;
}

let scenario: Scenario;
let hash: string;
let plan: PlanPlacements;
let source: PlanSource;
let validator: ManifestValidator;

beforeAll(async () => {
  ({ scenario, hash } = await loadScenarioFileWithHash(examples('stargate-2025.yaml')));
  const document = JSON.parse(
    await readFile(examples('stargate-2025.plan.json'), 'utf8'),
  ) as unknown;
  const read = readPlanPlacements(document);
  if (!read.ok) throw new Error('the golden plan reads');
  plan = read.plan;
  source = { scenario, scenarioHash: hash, plan: document, planId: 'test-plan' };
  validator = await kueueCrdValidator();
});

const OPTIONS: Omit<KueueOptions, 'month'> = {
  apiVersion: 'v1beta2',
  perWorkload: false,
  namespaces: new Map(),
  planId: 'test-plan',
  scenarioHash: 'sha256:test',
};

function exported(
  at: Period,
  options: Partial<KueueOptions> = {},
  of = scenario,
  placed = plan,
): KueueExport {
  const made = kueueManifests(of, placed, compileRules(of), { ...OPTIONS, month: at, ...options });
  if (!made.ok) throw new Error(made.problems.map((p) => p.message).join('\n'));
  return made.result;
}

const ofKind = (objects: readonly KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind);

interface Flavor {
  name: string;
  resources: {
    name: string;
    nominalQuota: number;
    borrowingLimit?: number;
    lendingLimit?: number;
  }[];
}
const flavorsOf = (queue: KubeObject) =>
  (queue.spec['resourceGroups'] as { coveredResources: string[]; flavors: Flavor[] }[])[0]
    ?.flavors ?? [];

/** Every CRD version's schema, compiled by a plain Ajv: a second opinion on our validator. */
async function plainSchemas(): Promise<Map<string, ReturnType<Ajv['compile']>>> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const schemas = new Map<string, ReturnType<Ajv['compile']>>();
  for (const name of (await readdir(CRD_DIR)).filter((n) => n.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(await readFile(new URL(name, CRD_DIR), 'utf8'))) {
      const crd = doc.toJS() as {
        spec: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema: { openAPIV3Schema: object } }[];
        };
      };
      for (const version of crd.spec.versions) {
        schemas.set(
          `${crd.spec.group}/${version.name} ${crd.spec.names.kind}`,
          ajv.compile(version.schema.openAPIV3Schema),
        );
      }
    }
  }
  return schemas;
}

describe('Kueue export of the example plan, 2027-06', () => {
  it('validates against the Kueue CRD schemas of v1beta2, every object', async () => {
    const { objects } = exported(JUNE_2027);
    expect(validator.served).toEqual([
      'kueue.x-k8s.io/v1beta1 ClusterQueue',
      'kueue.x-k8s.io/v1beta1 Cohort',
      'kueue.x-k8s.io/v1beta1 LocalQueue',
      'kueue.x-k8s.io/v1beta1 ResourceFlavor',
      'kueue.x-k8s.io/v1beta2 ClusterQueue',
      'kueue.x-k8s.io/v1beta2 Cohort',
      'kueue.x-k8s.io/v1beta2 LocalQueue',
      'kueue.x-k8s.io/v1beta2 ResourceFlavor',
    ]);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set(['Cohort', 'ResourceFlavor', 'ClusterQueue', 'LocalQueue']),
    );
    for (const object of objects) {
      expect(object.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
      expect(validator.check(object)).toEqual([]);
      expect(isDnsLabel(object.metadata.name), object.metadata.name).toBe(true);
      if (object.metadata.namespace !== undefined)
        expect(isDnsLabel(object.metadata.namespace)).toBe(true);
    }
    // The same objects as YAML, read back, against each CRD's schema compiled by a plain Ajv.
    const schemas = await plainSchemas();
    const documents = parseAllDocuments(manifestsYaml(objects)).map((d) => d.toJS() as KubeObject);
    expect(documents).toHaveLength(objects.length);
    for (const document of documents) {
      const validate = schemas.get(`${document.apiVersion} ${document.kind}`);
      expect(validate, document.kind).toBeDefined();
      expect(validate?.(document), JSON.stringify(validate?.errors)).toBe(true);
    }
  });

  it('gives each class on each site the GPUs the plan gives it there, pool by pool', () => {
    const { objects, quotas } = exported(JUNE_2027);
    const workloads = new Map(scenario.workloads.map((w) => [w.id, w]));
    const pools = new Map(scenario.pools.map((p) => [p.id, p]));
    const expected = new Map<string, number>();
    for (const row of plan.assignments.filter((r) => r.period === JUNE_2027)) {
      const pool = pools.get(row.pool);
      const key = `${workloads.get(row.workload)?.class ?? ''}-${pool?.site ?? ''} ${row.pool}`;
      expected.set(key, (expected.get(key) ?? 0) + row.gpus);
    }
    const given = new Map<string, number>();
    for (const queue of ofKind(objects, 'ClusterQueue')) {
      for (const flavor of flavorsOf(queue)) {
        const gpus = flavor.resources[0]?.nominalQuota ?? 0;
        if (gpus > 0) given.set(`${queue.metadata.name} ${flavor.name}`, gpus);
      }
    }
    expect(given).toEqual(expected);
    for (const gpus of given.values()) expect(QUANTITY.test(String(gpus))).toBe(true);
    expect(quotas.map((q) => `${q.queue} ${q.flavor}`).sort()).toEqual([...expected.keys()].sort());
    // One ResourceFlavor per pool with work that month, selecting its nodes.
    expect(ofKind(objects, 'ResourceFlavor').map((f) => f.metadata.name)).toEqual(
      [
        ...new Set(plan.assignments.filter((r) => r.period === JUNE_2027).map((r) => r.pool)),
      ].sort(),
    );
    const h100 = objects.find(
      (o) => o.metadata.name === 'azure-h100' && o.kind === 'ResourceFlavor',
    );
    expect(h100?.spec).toEqual({
      nodeLabels: {
        'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
        'stargate.dev/pool': 'azure-h100',
      },
    });
  });

  it('fences pools a use-restriction reserves: no borrowing, no lending, and names the clause', () => {
    const { objects } = exported(JUNE_2027);
    const restriction = scenario.contracts
      .flatMap((c) => c.terms)
      .find((t) => t.type === 'use-restriction' && t.id === 'new-capacity-use');
    if (restriction?.type !== 'use-restriction') throw new Error('the example reserves new pools');
    const pools = new Map(scenario.pools.map((p) => [p.id, p]));
    let fenced = 0;
    for (const queue of ofKind(objects, 'ClusterQueue')) {
      for (const flavor of flavorsOf(queue)) {
        const pool = pools.get(flavor.name);
        if (!pool) throw new Error(`flavor ${flavor.name} is a pool`);
        const reserved = matchesSelector(restriction.pools, pool);
        const [gpu] = flavor.resources;
        expect(gpu?.borrowingLimit, `${queue.metadata.name} ${flavor.name}`).toBe(
          reserved ? 0 : undefined,
        );
        expect(gpu?.lendingLimit).toBe(reserved ? 0 : undefined);
        if (reserved) {
          fenced++;
          expect(queue.metadata.annotations['stargate.dev/clause']).toContain(
            'msft-openai-2025/new-capacity-use',
          );
          expect(restriction.classes).toContain(queue.metadata.annotations['stargate.dev/class']);
        }
      }
    }
    expect(fenced).toBeGreaterThan(0);
  });

  it('keeps a class under exclusivity on its provider, and lists idle pools it may borrow', () => {
    const { objects } = exported(JUNE_2027);
    const api = ofKind(objects, 'ClusterQueue').filter(
      (q) => q.metadata.annotations['stargate.dev/class'] === 'api',
    );
    expect(api.length).toBeGreaterThan(0);
    for (const queue of api) {
      expect(queue.metadata.annotations['stargate.dev/provider']).toBe('azure');
      expect(queue.metadata.annotations['stargate.dev/clause']).toBe(
        'msft-openai-2025/api-on-azure',
      );
    }
    // Research has quota on azure-gb200 only, and may borrow idle H100s beside it.
    const research = objects.find((o) => o.metadata.name === 'research-azure-us-east');
    expect(research && flavorsOf(research)).toEqual([
      { name: 'azure-gb200', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 80_000 }] },
      { name: 'azure-h100', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 0 }] },
    ]);
  });

  it("refers only to objects it writes, and admits each LocalQueue's namespace", () => {
    const { objects } = exported(JUNE_2027, { namespaces: new Map([['research', 'ml-research']]) });
    const names = (kind: string) => new Set(ofKind(objects, kind).map((o) => o.metadata.name));
    for (const queue of ofKind(objects, 'ClusterQueue')) {
      expect(names('Cohort').has(String(queue.spec['cohortName']))).toBe(true);
      for (const flavor of flavorsOf(queue))
        expect(names('ResourceFlavor').has(flavor.name)).toBe(true);
    }
    for (const local of ofKind(objects, 'LocalQueue')) {
      const queue = objects.find(
        (o) => o.kind === 'ClusterQueue' && o.metadata.name === local.spec['clusterQueue'],
      );
      expect(queue?.spec['namespaceSelector']).toEqual({
        matchLabels: { 'kubernetes.io/metadata.name': local.metadata.namespace },
      });
    }
    expect(
      ofKind(objects, 'LocalQueue').map((l) => `${l.metadata.namespace ?? ''}/${l.metadata.name}`),
    ).toEqual([
      'api/api-azure-us-central',
      'api/api-azure-us-east',
      'consumer/consumer-azure-us-east',
      'ml-research/research-abilene',
      'ml-research/research-azure-us-east',
    ]);
  });

  it('is the same, byte for byte, every time', () => {
    expect(manifestsYaml(exported(JUNE_2027).objects)).toBe(
      manifestsYaml(exported(JUNE_2027).objects),
    );
  });

  it('writes v1beta1 for older clusters, valid there and not as v1beta2', () => {
    const { objects } = exported(JUNE_2027, { apiVersion: 'v1beta1' });
    expect(ofKind(objects, 'Cohort')).toEqual([]);
    for (const object of objects) {
      expect(object.apiVersion).toBe('kueue.x-k8s.io/v1beta1');
      expect(validator.check(object)).toEqual([]);
    }
    const queue = ofKind(objects, 'ClusterQueue')[0];
    if (!queue) throw new Error('a ClusterQueue');
    expect(queue.spec['cohort']).toBeDefined();
    expect(validator.check({ ...queue, apiVersion: 'kueue.x-k8s.io/v1beta2' })).toEqual([
      `ClusterQueue ${queue.metadata.name}: /spec: unknown field cohort`,
    ]);
  });

  it('gives each workload its queues with --per-workload', () => {
    const { objects } = exported(JUNE_2027, { perWorkload: true });
    expect(ofKind(objects, 'ClusterQueue').map((q) => q.metadata.name)).toEqual([
      'api-2027-azure-us-central',
      'api-2027-azure-us-east',
      'chatgpt-2027-azure-us-east',
      'research-2027-abilene',
      'research-2027-azure-us-east',
    ]);
    for (const object of objects) expect(validator.check(object)).toEqual([]);
  });
});

describe('the manifest validator', () => {
  it('refuses what the API server or Kueue would', () => {
    const queue = ofKind(exported(JUNE_2027).objects, 'ClusterQueue').find(
      (q) => q.metadata.name === 'research-abilene',
    );
    if (!queue) throw new Error('research-abilene');
    const [group] = queue.spec['resourceGroups'] as {
      coveredResources: string[];
      flavors: Flavor[];
    }[];
    if (!group) throw new Error('a resource group');
    const withQuota = (resource: Record<string, unknown>) => ({
      ...queue,
      spec: {
        ...queue.spec,
        resourceGroups: [
          {
            ...group,
            flavors: [{ name: 'abilene-b2', resources: [{ name: 'nvidia.com/gpu', ...resource }] }],
          },
        ],
      },
    });
    const errors = (object: unknown) => validator.check(object).join('\n');
    expect(errors(withQuota({ nominalQuota: '12x' }))).toMatch(/nominalQuota: must match pattern/);
    expect(errors(withQuota({ nominalQuota: 1.5 }))).toMatch(/nominalQuota/);
    expect(errors(withQuota({ nominalQuota: -1 }))).toMatch(/nominalQuota: must not be negative/);
    expect(errors(withQuota({ nominalQuota: 5, lendingLimit: 6 }))).toMatch(
      /lendingLimit: must not exceed nominalQuota/,
    );
    expect(errors(withQuota({}))).toMatch(/must have required property 'nominalQuota'/);
    const alone: Record<string, unknown> = { ...queue.spec };
    delete alone['cohortName'];
    expect(errors({ ...queue, spec: alone })).toMatch(
      /borrowingLimit and lendingLimit need a cohort/,
    );
    expect(errors({ ...queue, metadata: { ...queue.metadata, name: 'Research_Abilene' } })).toMatch(
      /not a DNS-1123 label/,
    );
    expect(errors({ ...queue, metadata: { ...queue.metadata, namespace: 'x' } })).toMatch(
      /cluster-scoped/,
    );
    expect(errors({ ...queue, kind: 'Workload' })).toMatch(
      /no CRD defines kueue.x-k8s.io\/v1beta2 Workload/,
    );
    const twice = { ...group, flavors: [...group.flavors, ...group.flavors] };
    expect(errors({ ...queue, spec: { ...queue.spec, resourceGroups: [twice] } })).toMatch(
      /same key/,
    );
  });
});

describe('ids that are not Kubernetes names', () => {
  const ODD = parseValid(
    dedent(`
      apiVersion: stargate/v1
      kind: Scenario
      metadata: { name: odd }
      horizon: { start: 2026-01, end: 2026-02 }
      accelerators: [{ id: h100, kwPerGpu: 1.2 }]
      providers:
        - { id: neo_cloud, name: Neo, kind: neocloud }
        - { id: azure, name: Azure, kind: hyperscaler }
      sites: [{ id: site_a., provider: neo_cloud }]
      pools:
        - { id: gpu_pool.1, provider: neo_cloud, site: site_a., accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-02 }, pricePerGpuHour: "2" }
        - { id: gpu-pool-1, provider: neo_cloud, site: site_a., accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-02 }, pricePerGpuHour: "2" }
        - { id: az, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-02 }, pricePerGpuHour: "3" }
      workloads:
        - { id: chat_bot, class: Inference API, accelerators: [h100], gpus: 250, window: { from: 2026-01, to: 2026-02 }, valuePerGpuHour: "9" }
      contracts: []
    `),
  );
  const PLACED: PlanPlacements = {
    scenario: 'odd',
    assignments: [
      { workload: 'chat_bot', pool: 'gpu_pool.1', period: month('2026-01'), gpus: 100 },
      { workload: 'chat_bot', pool: 'gpu-pool-1', period: month('2026-01'), gpus: 100 },
      { workload: 'chat_bot', pool: 'az', period: month('2026-01'), gpus: 50 },
    ],
  };

  it('turns them into names, deterministically, says which, and the objects validate', () => {
    const made = exported(month('2026-01'), { perWorkload: false }, ODD, PLACED);
    expect(made.renames.map((r) => `${r.what} ${r.id} -> ${r.name}`)).toEqual([
      expect.stringMatching(/^class Inference API -> inference-api-[0-9a-f]{6}$/),
      expect.stringMatching(/^pool gpu_pool\.1 -> gpu-pool-1-[0-9a-f]{6}$/),
      expect.stringMatching(/^site site_a\. -> site-a-[0-9a-f]{6}$/),
    ]);
    expect(exported(month('2026-01'), {}, ODD, PLACED)).toEqual(made);
    for (const object of made.objects) expect(validator.check(object)).toEqual([]);
    // gpu_pool.1 and gpu-pool-1 stay two flavors; the original ids stay in the annotations.
    const flavors = ofKind(made.objects, 'ResourceFlavor');
    expect(flavors.map((f) => f.metadata.annotations['stargate.dev/pool'])).toEqual(
      expect.arrayContaining(['gpu_pool.1', 'gpu-pool-1', 'az']),
    );
    expect(new Set(flavors.map((f) => f.metadata.name)).size).toBe(3);
    // A pool without a site shares a cohort with its provider's other siteless pools.
    expect(ofKind(made.objects, 'Cohort').map((c) => c.metadata.name)).toEqual([
      'provider-azure',
      expect.stringMatching(/^site-a-[0-9a-f]{6}$/),
    ]);
  });

  it("refuses a queue over Kueue's 64 flavors", () => {
    const many: PlanPlacements = {
      scenario: 'odd',
      assignments: Array.from({ length: 65 }, (_, i) => ({
        workload: 'chat_bot',
        pool: `p${i}`,
        period: month('2026-01'),
        gpus: 1,
      })),
    };
    const wide = { ...ODD, pools: many.assignments.map((a) => ({ ...ODD.pools[1]!, id: a.pool })) };
    const made = kueueManifests(wide, many, compileRules(wide), {
      ...OPTIONS,
      month: month('2026-01'),
    });
    expect(made.ok).toBe(false);
    expect(!made.ok && made.problems[0]?.message).toMatch(
      /quota on 65 pools .* Kueue allows 64 flavors/,
    );
  });
});

describe('exportKueue', () => {
  it('refuses a month outside the horizon, a plan of another scenario, an unknown class', () => {
    const request = {
      months: [JUNE_2027],
      monthField: 'month',
      apiVersion: 'v1beta2',
      perWorkload: false,
      namespaces: new Map<string, string>(),
    } as const;
    const outside = exportKueue(source, { ...request, months: [month('2031-01')] }, validator);
    expect(outside).toEqual({
      ok: false,
      problems: [
        {
          path: ['month'],
          message: '2031-01 is outside the horizon 2025-01..2030-12 of stargate-2025',
        },
      ],
    });
    const other = exportKueue(
      { ...source, scenarioHash: `sha256:${'0'.repeat(64)}` },
      request,
      validator,
    );
    expect(!other.ok && other.problems[0]?.message).toMatch(
      /the plan was made from another version of the scenario/,
    );
    // An older plan, without the hash, is checked for consistency instead.
    const older = JSON.parse(JSON.stringify(source.plan)) as Record<string, unknown>;
    delete older['scenarioHash'];
    expect(
      exportKueue({ ...source, plan: older, scenarioHash: 'sha256:x' }, request, validator).ok,
    ).toBe(true);
    const renamed = exportKueue(
      { ...source, plan: { ...older, scenario: 'other' } },
      request,
      validator,
    );
    expect(!renamed.ok && renamed.problems.map((p) => p.message)).toEqual([
      'the plan is for scenario other, not stargate-2025',
    ]);
    const badClass = exportKueue(
      source,
      {
        ...request,
        namespaces: new Map([
          ['nope', 'ns'],
          ['api', 'Bad_NS'],
        ]),
      },
      validator,
    );
    expect(!badClass.ok && badClass.problems.map((p) => p.path[0])).toEqual([
      'namespace-of',
      'namespace-of',
    ]);
  });
});
