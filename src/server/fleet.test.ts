import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listEvents } from '../store/events.js';
import { replaceScenario } from '../store/scenario-store.js';
import * as t from '../store/schema.js';
import { createToken } from '../store/tokens.js';
import { EXAMPLE } from '../test-support/server-process.js';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';
import { DEFAULT_FLEET_SETTINGS } from '../store/fleet.js';

/**
 * The fleet through the API, on a clock the test moves: heartbeats judged and stored
 * idempotently, the site binding of operator tokens, inventory and stale nodes, the month's
 * delivery read from the agents' observations, and late deliveries and plans that use it.
 */

const T0 = new Date('2026-12-03T10:00:00.000Z');
const HOOK_TIMEOUT = 60_000;

/** The real H100 of the fixtures, as the agent reads it (src/agent/fixtures/nvidia-smi-h100). */
const H100 = {
  index: 0,
  uuid: 'GPU-4337529d-7956-3dfb-5b95-828a478c72ac',
  name: 'NVIDIA H100 80GB HBM3',
  busId: '00000000:00:06.0',
  memoryMiB: 81559,
  temperatureC: 39,
  powerDrawW: 92.07,
  powerLimitW: 700,
  defaultPowerLimitW: 700,
  eccUncorrectedVolatile: 0,
  clockEventReasons: ['gpu_idle'],
  remappedRowsPending: false,
  remappedRowsFailure: false,
};

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown> & {
    error?: { message: string; problems?: { path: string; message: string }[] };
  };
}

for (const backend of testBackends()) {
  describe(`the fleet (${backend.name})`, () => {
    let store: TestStore;
    let app: App;
    let now = T0;
    const tokens: Record<string, string> = {};

    const call = async (
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      token: string | undefined,
      body?: unknown,
    ): Promise<Answer> => {
      const response = await app.fastify.inject({
        method,
        url,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return {
        status: response.statusCode,
        json: response.body === '' ? {} : response.json<Answer['json']>(),
      };
    };

    let sequence = 0;
    /** A heartbeat of `node` at azure-us-east (pool azure-h100 by default: its one H100 pool). */
    const beat = (node: string, gpus: readonly Record<string, unknown>[], extra = {}) =>
      call('POST', '/v1/heartbeats', tokens['azureOps'], {
        node,
        site: 'azure-us-east',
        sequence: ++sequence,
        intervalSeconds: 30,
        observedAt: now.toISOString(),
        reading: { source: 'nvidia-smi', driverVersion: '580.159.04', gpus },
        ...extra,
      });
    const eight = (overrides: Record<number, Record<string, unknown>> = {}) =>
      Array.from({ length: 8 }, (_, index) => ({ ...H100, index, ...overrides[index] }));

    beforeAll(async () => {
      store = await backend.open();
      const example = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
      await store.db.transaction((tx) => replaceScenario(tx, example));
      app = buildApp({ store, clock: () => Promise.resolve(now), version: 'test' });
      const made = async (grant: Parameters<typeof createToken>[1]) =>
        (await createToken(store.db, grant, T0)).secret;
      tokens['admin'] = await made({ role: 'admin' });
      tokens['planner'] = await made({ role: 'planner' });
      tokens['funder'] = await made({ role: 'funder' });
      tokens['azureOps'] = await made({ role: 'operator', siteIds: ['azure-us-east'] });
      tokens['abileneOps'] = await made({ role: 'operator', siteIds: ['abilene'] });
    }, HOOK_TIMEOUT);
    afterAll(async () => {
      await app.fastify.close();
      await store.dispose();
    });

    it('judges each GPU, places the node in its pool and audits who sent it', async () => {
      const answer = await beat('node-a', eight({ 3: { eccUncorrectedVolatile: 2 } }));
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        node: 'node-a',
        site: 'azure-us-east',
        pool: 'azure-h100',
        accelerator: 'h100',
        gpus: 8,
        healthy: 7,
        stale: false,
        duplicate: false,
        unhealthy: [{ gpu: 3, reasons: ['2 uncorrectable ECC errors since the driver loaded'] }],
      });
      const [event] = await listEvents(store.db, {
        entityType: 'node',
        entityId: 'node-a',
        limit: 10,
      });
      expect(event).toMatchObject({ action: 'node.register' });
      expect(event?.actor).toMatch(/^operator:azure-us-east\/tok_/);
    });

    it('acknowledges a repeated sequence and changes nothing', async () => {
      const first = await beat('node-r', eight());
      const before = await store.db.select().from(t.fleetNodes);
      const repeat = await call('POST', '/v1/heartbeats', tokens['azureOps'], {
        node: 'node-r',
        site: 'azure-us-east',
        sequence: sequence, // the same as the heartbeat just sent
        intervalSeconds: 30,
        observedAt: now.toISOString(),
        reading: { source: 'nvidia-smi', gpus: eight({ 0: { eccUncorrectedVolatile: 9 } }) },
      });
      expect(first.status).toBe(200);
      expect(repeat.status).toBe(200);
      expect(repeat.json).toMatchObject({ duplicate: true, healthy: 8 });
      expect(await store.db.select().from(t.fleetNodes)).toEqual(before);
    });

    it('refuses a heartbeat for a site the token is not for, and changes nothing', async () => {
      const events = (await listEvents(store.db, { limit: 1000 })).length;
      const answer = await call('POST', '/v1/heartbeats', tokens['abileneOps'], {
        node: 'intruder',
        site: 'azure-us-east',
        sequence: 1,
        intervalSeconds: 30,
        observedAt: now.toISOString(),
        reading: { source: 'nvidia-smi', gpus: [H100] },
      });
      expect(answer.status).toBe(403);
      expect(answer.json.error?.message).toBe(
        'this operator token is for site abilene; it may not report for site azure-us-east',
      );
      expect((await listEvents(store.db, { limit: 1000 })).length).toBe(events);
      expect(await call('GET', '/v1/nodes/intruder', tokens['admin'])).toMatchObject({
        status: 404,
      });
    });

    it('names the field of every bad heartbeat', async () => {
      const unknownPart = await beat('node-x', [{ index: 0, name: 'NVIDIA L4' }]);
      expect(unknownPart.status).toBe(400);
      expect(unknownPart.json.error?.problems).toEqual([
        {
          path: 'body.reading.gpus[0].name',
          message:
            'unknown GPU part "NVIDIA L4": map it to an accelerator with stargate serve --gpu-parts FILE (docs/agent.md)',
        },
      ]);
      const wrongPool = await beat('node-x', [H100], { pool: 'azure-gb200' });
      expect(wrongPool.json.error?.problems).toEqual([
        { path: 'body.pool', message: "pool azure-gb200 is gb200, but the node's GPUs are h100" },
      ]);
      const a100 = await beat('node-x', [{ index: 0, name: 'NVIDIA A100-SXM4-80GB' }]);
      expect(a100.json.error?.problems).toEqual([
        {
          path: 'body.reading.gpus[0].name',
          message:
            '"NVIDIA A100-SXM4-80GB" is accelerator a100, which the scenario does not have (it has gb200, gb300, h100, vr200)',
        },
      ]);
      const nowhere = await call('POST', '/v1/heartbeats', tokens['admin'], {
        node: 'node-x',
        site: 'atlantis',
        sequence: 1,
        intervalSeconds: 30,
        observedAt: now.toISOString(),
        reading: { source: 'nvidia-smi', gpus: [H100] },
      });
      expect(nowhere.json.error?.problems).toEqual([
        { path: 'body.site', message: 'expected a site of the scenario, got atlantis' },
      ]);
      const empty = await beat('node-x', []);
      expect(empty.status).toBe(400);
      expect(empty.json.error?.problems?.[0]?.path).toBe('body.reading.gpus');
      const twice = await beat('node-x', [H100, H100]);
      expect(twice.json.error?.problems).toEqual([
        {
          path: 'body.reading.gpus[1].index',
          message: 'expected each GPU index once, got 0 twice',
        },
      ]);
      expect(await call('GET', '/v1/nodes/node-x', tokens['admin'])).toMatchObject({
        status: 404,
      });
    });

    it('counts an unparsable GPU, a pending row remap, a critical XID, heat and a lowered power limit as unhealthy', async () => {
      const answer = await beat(
        'node-b',
        eight({
          1: { unparsable: 'expected 10 fields, got 4' },
          2: { remappedRowsPending: true },
          4: { xids: [13, 79] },
          5: { temperatureC: 91 },
          6: { powerLimitW: 350 },
          7: { xids: [13], clockEventReasons: ['sw_power_cap'] },
        }),
      );
      expect(answer.json['unhealthy']).toEqual([
        { gpu: 1, reasons: ['its reading could not be parsed: expected 10 fields, got 4'] },
        { gpu: 2, reasons: ['a row remap is pending (needs a GPU reset)'] },
        { gpu: 4, reasons: ['critical XID 79'] },
        { gpu: 5, reasons: ['runs hot: 91 °C (limit 87 °C)'] },
        { gpu: 6, reasons: ['power-capped: limit 350 W of its default 700 W'] },
      ]);
      expect(answer.json['healthy']).toBe(3);
    });

    it('shows the inventory by site and pool, and a node as stale after three missed intervals', async () => {
      const fresh = await call('GET', '/v1/inventory', tokens['planner']);
      expect(fresh.json['groups']).toEqual([
        {
          site: 'azure-us-east',
          pool: 'azure-h100',
          accelerator: 'h100',
          nodes: 3,
          staleNodes: 0,
          gpus: 24,
          healthy: 18,
          unhealthy: 6,
        },
      ]);
      // node-a and node-r report again; node-b falls silent past 3 × 30 s.
      now = new Date(T0.getTime() + 91_000);
      await beat('node-a', eight({ 3: { eccUncorrectedVolatile: 2 } }));
      await beat('node-r', eight());
      const later = await call('GET', '/v1/inventory', tokens['planner']);
      expect(later.json['stale']).toEqual([
        {
          node: 'node-b',
          site: 'azure-us-east',
          pool: 'azure-h100',
          lastSeen: T0.toISOString(),
          intervalSeconds: 30,
          gpus: 8,
        },
      ]);
      expect(later.json['totals']).toEqual({ nodes: 3, staleNodes: 1, gpus: 16, healthy: 15 });
      // An operator sees only its sites; a funder reads the inventory but not the nodes.
      expect((await call('GET', '/v1/inventory', tokens['abileneOps'])).json['groups']).toEqual([]);
      expect((await call('GET', '/v1/inventory', tokens['funder'])).status).toBe(200);
      expect((await call('GET', '/v1/nodes', tokens['funder'])).status).toBe(403);
    });

    it('records the month’s delivery as the median of the daily maxima, and late deliveries and plans use it', async () => {
      // Day 1 (today): 15 healthy. Day 2: 16. Day 3: 8 (node-a only).
      await app.housekeeping();
      now = new Date('2026-12-04T10:00:00.000Z');
      await beat('node-a', eight());
      await beat('node-r', eight());
      await app.housekeeping();
      now = new Date('2026-12-05T10:00:00.000Z');
      await beat('node-a', eight());
      await app.housekeeping();
      const deliveries = await call('GET', '/v1/deliveries?pool=azure-h100', tokens['planner']);
      expect(deliveries.json).toEqual([
        expect.objectContaining({
          pool: 'azure-h100',
          month: '2026-12',
          gpus: 15,
          source: 'agent',
        }),
      ]);
      const late = await call('GET', '/v1/procurement/late', tokens['planner']);
      expect(late.json).toEqual(
        expect.arrayContaining([
          {
            pool: 'azure-h100',
            provider: 'azure',
            site: 'azure-us-east',
            source: 'agent',
            promisedGpus: 250_000,
            promisedBy: '2025-01',
            deliveredGpus: 15,
            shortGpus: 249_985,
            monthsLate: 24,
          },
        ]),
      );
      const events = await listEvents(store.db, {
        entityType: 'pool',
        entityId: 'azure-h100',
        limit: 100,
      });
      expect(events.map((e) => e.action)).toContain('delivery.agent');
      // A delivery typed in for a pool the agents watch is refused (it is not procured either).
      expect(
        (
          await call('POST', '/v1/deliveries', tokens['planner'], {
            pool: 'azure-h100',
            month: '2026-12',
            gpus: 5,
          })
        ).status,
      ).toBe(409);
      const plan = await call('POST', '/v1/plans', tokens['planner'], { solver: 'fast' });
      expect(plan.status).toBe(201);
      const stored = (await call('GET', `/v1/plans/${String(plan.json['id'])}`, tokens['planner']))
        .json as { lateDeliveries?: { pool: string; source: string }[] };
      expect(stored.lateDeliveries).toEqual(
        expect.arrayContaining([expect.objectContaining({ pool: 'azure-h100', source: 'agent' })]),
      );
    });

    it('reports the fleet per site in /metrics', async () => {
      const response = await app.fastify.inject({ method: 'GET', url: '/metrics' });
      expect(response.body).toContain('stargate_fleet_gpus_healthy{site="azure-us-east"} 8');
      expect(response.body).toContain('stargate_fleet_nodes_reporting{site="azure-us-east"} 1');
      expect(response.body).toContain('stargate_fleet_nodes_stale{site="azure-us-east"} 2');
    });

    it('audits a change of health, not a hot GPU whose temperature moves by a degree', async () => {
      const hot = (temperatureC: number, sequenceNumber: number) =>
        call('POST', '/v1/heartbeats', tokens['admin'], {
          node: 'gb-1',
          site: 'abilene',
          pool: 'abilene-b1',
          sequence: sequenceNumber,
          intervalSeconds: 30,
          observedAt: now.toISOString(),
          reading: { source: 'dcgm', gpus: [{ index: 0, name: 'NVIDIA GB200', temperatureC }] },
        });
      await hot(90, 1);
      await hot(91, 2);
      await hot(40, 3);
      const actions = (
        await listEvents(store.db, { entityType: 'node', entityId: 'gb-1', limit: 10 })
      ).map((event) => event.action);
      expect(actions).toEqual(['node.register', 'node.change']);
    });

    it('records 0 for a day when every node of a pool has gone silent, not "no news"', async () => {
      // gb-1 (abilene-b1) last reported above; a day later it is long stale.
      await app.housekeeping();
      const before = await store.db.select().from(t.fleetPoolDays);
      expect(before.find((d) => d.poolId === 'abilene-b1')?.healthyMax).toBe(1);
      now = new Date(now.getTime() + 86_400_000);
      await app.housekeeping();
      const days = await store.db.select().from(t.fleetPoolDays);
      const day = now.toISOString().slice(0, 10);
      expect(days.find((d) => d.poolId === 'abilene-b1' && d.day === day)?.healthyMax).toBe(0);
    });

    it('answers two first heartbeats of one node at once: one registers, the other is a repeat', async () => {
      const first = () =>
        call('POST', '/v1/heartbeats', tokens['azureOps'], {
          node: 'racer',
          site: 'azure-us-east',
          sequence: 5,
          intervalSeconds: 30,
          observedAt: now.toISOString(),
          reading: { source: 'nvidia-smi', gpus: [H100] },
        });
      const answers = await Promise.all([first(), first()]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.map((a) => a.json['duplicate']).sort()).toEqual([false, true]);
      const registered = await listEvents(store.db, {
        entityType: 'node',
        entityId: 'racer',
        limit: 10,
      });
      expect(registered.map((e) => e.action)).toEqual(['node.register']);
    });

    it('records no delivery for a pool left out by --agent-deliveries, though it observes it', async () => {
      const rollout = buildApp({
        store,
        clock: () => Promise.resolve(now),
        version: 'test',
        fleet: { ...DEFAULT_FLEET_SETTINGS, agentDeliveries: ['abilene-b1'] },
      });
      now = new Date('2027-01-04T10:00:00.000Z');
      await beat('node-a', eight());
      await rollout.housekeeping();
      const january = async () =>
        (await store.db.select().from(t.deliveries)).filter(
          (d) => d.poolId === 'azure-h100' && d.month === '2027-01',
        );
      expect(await january()).toEqual([]);
      const observed = await store.db.select().from(t.fleetPoolDays);
      expect(
        observed.find((d) => d.poolId === 'azure-h100' && d.day === '2027-01-04')?.healthyMax,
      ).toBe(8);
      await app.housekeeping();
      expect((await january()).map((d) => d.gpus)).toEqual([8]);
      await rollout.fastify.close();
    });
  });
}
