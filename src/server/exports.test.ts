import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { bufferIo } from '../cli/io.js';
import { run } from '../cli/main.js';
import { kueueCrdValidator } from '../export/crd-files.js';
import { loadScenarioFileWithHash } from '../scenario/load.js';
import { replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';
import { prefersYaml } from './routes/exports.js';

/** `GET /v1/plans/{id}/export/kueue`, end to end in process, on the example. */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const NOW = new Date('2026-01-10T00:00:00.000Z');
const TIMEOUT = 60_000;

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

let example: Record<string, unknown>;
beforeAll(async () => {
  example = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
});

for (const backend of testBackends()) {
  describe(`plan exports on ${backend.name}`, () => {
    let store: TestStore;
    let app: App;
    const secrets = new Map<Role, string>();

    async function call(role: Role, url: string, accept?: string, body?: object): Promise<Answer> {
      const response = await app.fastify.inject({
        method: body === undefined ? 'GET' : 'POST',
        url,
        headers: {
          authorization: `Bearer ${secrets.get(role) ?? ''}`,
          ...(accept === undefined ? {} : { accept }),
        },
        ...(body === undefined ? {} : { payload: body }),
      });
      return {
        status: response.statusCode,
        type: String(response.headers['content-type']),
        text: response.body,
      };
    }

    beforeEach(async () => {
      store = await backend.open();
      await store.db.transaction((tx) => replaceScenario(tx, structuredClone(example)));
      for (const role of ['admin', 'planner', 'viewer'] as const) {
        secrets.set(role, (await createToken(store.db, { role }, NOW)).secret);
      }
      secrets.set(
        'holder',
        (await createToken(store.db, { role: 'holder', providerId: 'azure' }, NOW)).secret,
      );
      app = buildApp({ store, clock: () => Promise.resolve(NOW), version: 'test', webRoot: false });
    }, TIMEOUT);
    afterEach(async () => {
      await app.fastify.close();
      await store.dispose();
    }, TIMEOUT);

    it(
      'exports a month of a stored plan as YAML or JSON, valid against the Kueue CRDs',
      async () => {
        const planned = await call('planner', '/v1/plans', undefined, { solver: 'fast' });
        expect(planned.status, planned.text).toBe(201);
        const id = (JSON.parse(planned.text) as { id: number }).id;
        const url = `/v1/plans/${id}/export/kueue?month=2027-06`;

        const yaml = await call('viewer', url, 'application/yaml');
        expect(yaml.status, yaml.text).toBe(200);
        expect(yaml.type).toBe('application/yaml; charset=utf-8');
        const documents = parseAllDocuments(yaml.text).map(
          (d) => d.toJS() as { kind: string; metadata: { annotations: Record<string, string> } },
        );
        expect(documents.filter((d) => d.kind === 'ClusterQueue').length).toBeGreaterThan(0);
        const validator = await kueueCrdValidator();
        for (const document of documents) {
          expect(validator.check(document)).toEqual([]);
          expect(document.metadata.annotations['stargate.dev/plan']).toBe(String(id));
        }

        const json = await call('planner', url);
        expect(json.type).toBe('application/json; charset=utf-8');
        expect((JSON.parse(json.text) as { items: unknown[] }).items).toEqual(documents);

        const old = await call(
          'admin',
          `${url}&apiVersion=v1beta1&perWorkload=true&namespaceOf=research=ml`,
          'text/yaml',
        );
        expect(old.status, old.text).toBe(200);
        expect(old.text).toContain('apiVersion: kueue.x-k8s.io/v1beta1');
        expect(old.text).toContain('namespace: ml');
        expect(old.text).toContain('name: research-2027-abilene');
      },
      TIMEOUT,
    );

    it(
      "stores the scenario's hash with the plan: the file's, so the CLI exports it too",
      async () => {
        const planned = await call('planner', '/v1/plans', undefined, { solver: 'fast' });
        const id = (JSON.parse(planned.text) as { id: number }).id;
        const stored = JSON.parse((await call('viewer', `/v1/plans/${id}`)).text) as {
          scenarioHash: string;
        };
        expect(stored.scenarioHash).toBe((await loadScenarioFileWithHash(EXAMPLE)).hash);
        const dir = await mkdtemp(join(tmpdir(), 'stargate-export-api-'));
        try {
          const file = join(dir, 'plan.json');
          await writeFile(file, (await call('viewer', `/v1/plans/${id}`)).text);
          const io = bufferIo();
          const status = await run(
            ['export', 'kueue', file, '--scenario', EXAMPLE, '--month', '2027-06'],
            io,
          );
          expect(io.stderr()).toBe('');
          expect(status).toBe(0);
          const fromApi = (
            await call('viewer', `/v1/plans/${id}/export/kueue?month=2027-06`, 'application/yaml')
          ).text;
          // The same objects, bar the plan's id: the stored plan's number, the file's digest.
          const unplanned = (text: string) => text.replace(/stargate\.dev\/plan: .*/g, '');
          expect(unplanned(io.stdout())).toBe(unplanned(fromApi));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
      TIMEOUT,
    );

    it(
      'answers a bad month, namespace, plan or role with the status and the field',
      async () => {
        const planned = await call('planner', '/v1/plans', undefined, { solver: 'fast' });
        const id = (JSON.parse(planned.text) as { id: number }).id;
        const outside = await call('viewer', `/v1/plans/${id}/export/kueue?month=2031-01`);
        expect(outside.status).toBe(400);
        expect(JSON.parse(outside.text)).toMatchObject({
          error: {
            code: 'invalid_request',
            problems: [
              {
                path: 'query.month',
                message: '2031-01 is outside the horizon 2025-01..2030-12 of stargate-2025',
              },
            ],
          },
        });
        const malformed = await call('viewer', `/v1/plans/${id}/export/kueue?month=2027-6`);
        expect(malformed.status).toBe(400);
        expect(malformed.text).toContain('query.month');
        const namespace = await call(
          'viewer',
          `/v1/plans/${id}/export/kueue?month=2027-06&namespaceOf=api`,
        );
        expect(namespace.status).toBe(400);
        expect(namespace.text).toContain('query.namespaceOf');
        const unknownClass = await call(
          'viewer',
          `/v1/plans/${id}/export/kueue?month=2027-06&namespaceOf=nope=ns`,
        );
        expect(unknownClass.status).toBe(400);
        expect(unknownClass.text).toContain('no workload has class nope');
        expect((await call('viewer', '/v1/plans/999/export/kueue?month=2027-06')).status).toBe(404);
        expect((await call('holder', `/v1/plans/${id}/export/kueue?month=2027-06`)).status).toBe(
          403,
        );
      },
      TIMEOUT,
    );
  });
}

describe('prefersYaml', () => {
  it('reads Accept as a client means it', () => {
    expect(prefersYaml(undefined)).toBe(false);
    expect(prefersYaml('*/*')).toBe(false);
    expect(prefersYaml('application/yaml')).toBe(true);
    expect(prefersYaml('text/x-yaml')).toBe(true);
    expect(prefersYaml('application/json, application/yaml;q=0.5')).toBe(false);
    expect(prefersYaml('application/json;q=0.5, application/yaml')).toBe(true);
    expect(prefersYaml('application/yaml;q=0')).toBe(false);
  });
});
