import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kueueCrdValidator } from '../export/crd-files.js';
import { dedent } from '../test-support/unit-scenarios.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

// `stargate export kueue` and `skypilot` as a user runs them, on the example and its golden
// plan (examples/stargate-2025.plan.json, which `stargate plan --format json` wrote).

const examples = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const EXAMPLE = examples('stargate-2025.yaml');
const PLAN = examples('stargate-2025.plan.json');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-export-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

const kueue = (...extra: string[]) => cli('export', 'kueue', PLAN, '--scenario', EXAMPLE, ...extra);

const exists = (path: string) =>
  readdir(path).then(
    () => true,
    () => false,
  );

describe('stargate export kueue', () => {
  it('writes the 2027-06 manifests as one YAML stream that validates against the CRDs', async () => {
    const result = await kueue('--month', '2027-06');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const documents = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string });
    expect(documents.map((d) => d.kind)).toEqual([
      ...Array<string>(3).fill('Cohort'),
      ...Array<string>(8).fill('ResourceFlavor'),
      ...Array<string>(5).fill('ClusterQueue'),
      ...Array<string>(5).fill('LocalQueue'),
    ]);
    const validator = await kueueCrdValidator();
    for (const document of documents) expect(validator.check(document)).toEqual([]);
    expect(result.stdout).toContain(
      `stargate.dev/scenario-hash: ${(JSON.parse(await readFile(PLAN, 'utf8')) as { scenarioHash: string }).scenarioHash}`,
    );

    const json = await kueue('--month', '2027-06', '--format', 'json');
    const list = JSON.parse(json.stdout) as { kind: string; items: unknown[] };
    expect(list.kind).toBe('List');
    expect(list.items).toEqual(documents);
  });

  it('refuses a month outside the horizon, and writes nothing', async () => {
    const out = join(dir, 'outside');
    const result = await kueue('--month', '2031-01', '--out', out);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      '--month: 2031-01 is outside the horizon 2025-01..2030-12 of stargate-2025',
    );
    expect(await exists(out)).toBe(false);
    const range = await kueue('--from', '2030-11', '--to', '2031-02', '--out', out);
    expect(range.status).toBe(2);
    expect(await exists(out)).toBe(false);
  });

  it('refuses a plan made from another version of the scenario', async () => {
    const edited = join(dir, 'edited.yaml');
    const text = await readFile(EXAMPLE, 'utf8');
    await writeFile(edited, text.replace('gpus: 250000', 'gpus: 250001'));
    const out = join(dir, 'edited-out');
    const result = await cli(
      'export',
      'kueue',
      PLAN,
      '--scenario',
      edited,
      '--month',
      '2027-06',
      '--out',
      out,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /the plan was made from another version of the scenario: the plan says sha256:[0-9a-f]{64}, the scenario is sha256:[0-9a-f]{64}; plan it again/,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(await exists(out)).toBe(false);

    // A plan without the hash (older) is checked for consistency instead.
    const older = JSON.parse(await readFile(PLAN, 'utf8')) as Record<string, unknown>;
    delete older['scenarioHash'];
    const olderFile = join(dir, 'older.plan.json');
    await writeFile(olderFile, JSON.stringify(older));
    expect(
      (await cli('export', 'kueue', olderFile, '--scenario', edited, '--month', '2027-06')).status,
    ).toBe(0);
    const foreign = join(dir, 'foreign.plan.json');
    await writeFile(
      foreign,
      JSON.stringify({
        ...older,
        scenario: 'other',
        assignments: [{ workload: 'w', pool: 'p', period: '2027-06', gpus: 1 }],
      }),
    );
    const mismatch = await cli(
      'export',
      'kueue',
      foreign,
      '--scenario',
      EXAMPLE,
      '--month',
      '2027-06',
    );
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toContain(
      '  scenario: the plan is for scenario other, not stargate-2025',
    );
    expect(mismatch.stderr).toContain('assignments[0].pool: the scenario has no pool p');
  });

  it('writes a directory per month for a GitOps repository, replacing only its own', async () => {
    const repo = join(dir, 'gitops');
    const result = await kueue('--from', '2027-05', '--to', '2027-07', '--out', repo);
    expect(result.status, result.stderr).toBe(0);
    expect(await readdir(repo)).toEqual(['2027-05', '2027-06', '2027-07']);
    const june = await readdir(join(repo, '2027-06'));
    expect(june).toContain('clusterqueue-research-abilene.yaml');
    expect(june).toContain('localqueue-research.research-abilene.yaml');
    expect(june).toContain('resourceflavor-abilene-b2.yaml');
    const queue = parse(
      await readFile(join(repo, '2027-06', 'clusterqueue-research-abilene.yaml'), 'utf8'),
    ) as { kind: string };
    expect(queue.kind).toBe('ClusterQueue');

    // One month's directory, written again with another month: what that month lacks is gone.
    const may = join(repo, '2027-05');
    expect(await readdir(may)).toContain('clusterqueue-consumer-azure-us-east.yaml');
    expect((await kueue('--month', '2027-06', '--out', may)).status).toBe(0);
    expect(await readdir(may)).toEqual(june);

    // A directory holding anything else is the user's: refused, untouched.
    await writeFile(join(may, 'notes.md'), 'mine');
    const refused = await kueue('--month', '2027-07', '--out', may);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('holds files stargate export kueue did not write (notes.md)');
    expect((await readdir(may)).sort()).toEqual([...june, 'notes.md'].sort());
  });

  it('compares two months as an operator reads it', async () => {
    const result = await kueue('--month', '2027-01', '--diff-month', '2027-02');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Kueue nominal quota of nvidia.com/gpu, 2027-01 -> 2027-02');
    expect(result.stdout).toMatch(/^ {2}api-azure-us-east +150,000 +70,000 +-80,000$/m);
    expect(result.stdout).toContain('ClusterQueues added: research-azure-us-east');
    const json = JSON.parse(
      (await kueue('--month', '2027-05', '--diff-plan', PLAN, '--format', 'json')).stdout,
    ) as { queues: unknown[] };
    expect(json.queues).toEqual([]);
  });

  it('names ids that are not Kubernetes names, and prints the mapping', async () => {
    const odd = join(dir, 'odd.yaml');
    await writeFile(
      odd,
      dedent(`
        apiVersion: stargate/v1
        kind: Scenario
        metadata: { name: odd }
        horizon: { start: 2026-01, end: 2026-01 }
        accelerators: [{ id: h100, kwPerGpu: 1.2 }]
        providers: [{ id: neo, name: Neo, kind: neocloud }]
        sites: [{ id: site_a, provider: neo }]
        pools:
          - { id: GPU_pool.1, provider: neo, site: site_a, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-01 }, pricePerGpuHour: "2" }
        workloads:
          - { id: chat, class: Inference API, accelerators: [h100], gpus: 60, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "9" }
        contracts: []
      `).replace('GPU_pool.1', 'gpu_pool.1'),
    );
    const planned = await cli('plan', odd, '--format', 'json');
    expect(planned.status, planned.stderr).toBe(0);
    const plan = join(dir, 'odd.plan.json');
    await writeFile(plan, planned.stdout);
    const first = await cli('export', 'kueue', plan, '--scenario', odd, '--month', '2026-01');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(
      /^stargate: class "Inference API" is not a Kubernetes name; its objects are named inference-api-[0-9a-f]{6}$/m,
    );
    expect(first.stderr).toMatch(
      /^stargate: pool "gpu_pool.1" is not a Kubernetes name; its objects are named gpu-pool-1-[0-9a-f]{6}$/m,
    );
    expect(first.stderr).toMatch(
      /^stargate: site "site_a" is not a Kubernetes name; its objects are named site-a-[0-9a-f]{6}$/m,
    );
    const again = await cli('export', 'kueue', plan, '--scenario', odd, '--month', '2026-01');
    expect(again).toEqual(first);
  });

  it('says what is wrong with the command line', async () => {
    const none = await kueue();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('--month YYYY-MM, or --from and --to');
    expect((await kueue('--month', '2027-6')).stderr).toContain(
      '--month: expected YYYY-MM, got 2027-6',
    );
    expect((await kueue('--from', '2027-01', '--to', '2027-02')).stderr).toContain(
      'give --out DIR',
    );
    expect((await kueue('--month', '2027-06', '--api-version', 'v1')).stderr).toContain(
      '--api-version: expected v1beta2, v1beta1, got v1',
    );
    const namespace = await kueue(
      '--month',
      '2027-06',
      '--namespace-of',
      'nope=ns',
      '--namespace-of',
      'api=Bad_NS',
    );
    expect(namespace.status).toBe(2);
    expect(namespace.stderr).toContain('--namespace-of: no workload has class nope');
    expect(namespace.stderr).toContain('--namespace-of: Bad_NS is not a Kubernetes namespace name');
    const missing = await cli(
      'export',
      'kueue',
      join(dir, 'missing.json'),
      '--scenario',
      EXAMPLE,
      '--month',
      '2027-06',
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('missing.json: no such file');
  });
});

describe('stargate export skypilot', () => {
  it('writes a task with the places the plan gives the workload, notes on stderr', async () => {
    const api = await cli(
      'export',
      'skypilot',
      PLAN,
      '--scenario',
      EXAMPLE,
      '--workload',
      'api-2027',
    );
    expect(api.status, api.stderr).toBe(0);
    expect(parse(api.stdout)).toEqual({
      name: 'api-2027',
      resources: {
        ordered: [
          { infra: 'azure', accelerators: 'GB300:4' },
          { infra: 'azure', accelerators: 'GB200:4' },
        ],
      },
    });
    const research = await cli(
      'export',
      'skypilot',
      PLAN,
      '--scenario',
      EXAMPLE,
      '--workload',
      'research-2027',
      '--infra',
      'abilene=k8s/abilene',
      '--gpus-per-node',
      '2',
    );
    expect(research.status).toBe(0);
    expect(
      (parse(research.stdout) as { resources: { ordered: unknown[] } }).resources.ordered[0],
    ).toEqual({ infra: 'k8s/abilene', accelerators: 'GB200:2' });
    expect(research.stderr).toBe(
      'stargate: note: accelerator vr200 has no known SkyPilot name; written as VR200\n',
    );
  });

  it('refuses an unknown workload or place', async () => {
    const unknown = await cli(
      'export',
      'skypilot',
      PLAN,
      '--scenario',
      EXAMPLE,
      '--workload',
      'nope',
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--workload: unknown workload nope');
    const place = await cli(
      'export',
      'skypilot',
      PLAN,
      '--scenario',
      EXAMPLE,
      '--workload',
      'api-2027',
      '--infra',
      'abilene=*',
    );
    expect(place.status).toBe(2);
    expect(place.stderr).toContain('--infra: * is not a SkyPilot infra');
    const site = await cli(
      'export',
      'skypilot',
      PLAN,
      '--scenario',
      EXAMPLE,
      '--workload',
      'api-2027',
      '--infra',
      'mars=aws',
    );
    expect(site.stderr).toContain(
      '--infra: mars is neither a site nor a provider of stargate-2025',
    );
    expect((await cli('export', 'skypilot', PLAN, '--scenario', EXAMPLE)).stderr).toContain(
      '--workload is required',
    );
  });
});

describe('stargate export', () => {
  it('still exports the stored scenario without kueue or skypilot', async () => {
    const result = await cli('export', '--format', 'xml');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--format: expected yaml, json, got xml');
    const help = await cli('export', '--help');
    expect(help.stdout).toContain('stargate export [--format yaml|json] [--data DIR]');
    expect(help.stdout).toContain('stargate export kueue PLAN.json');
    expect(help.stdout).toContain('stargate export skypilot PLAN.json --workload W');
  });

  it('reads the scenario from the store when no file is given', async () => {
    const data = join(dir, 'store');
    await mkdir(data);
    expect((await cli('import', EXAMPLE, '--data', data)).status).toBe(0);
    const fromStore = await cli('export', 'kueue', PLAN, '--data', data, '--month', '2027-06');
    expect(fromStore.status, fromStore.stderr).toBe(0);
    expect(fromStore.stdout).toBe((await kueue('--month', '2027-06')).stdout);
  }, 60_000);
});
