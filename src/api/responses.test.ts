import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PlanJsonDiff } from '../core/diff/plan-json-diff.js';
import type { PlanJson } from '../core/planner/plan-json.js';
import { readScenarioDocument } from '../scenario/load.js';
import type { App } from '../server/app.js';
import { buildApp } from '../server/app.js';
import type { Store } from '../store/db.js';
import { openStore } from '../store/db.js';
import type { inventory, nodeDetail, nodeView } from '../store/fleet.js';
import { replaceScenario } from '../store/scenario-store.js';
import { createToken } from '../store/tokens.js';
import type { Described } from './described.js';
import { inventoryResponse, nodeDetailResponse, nodeResponse } from './fleet.js';
import { planDiffResponse, planDocumentResponse, planSummaryResponse } from './plans.js';
import {
  awardResponse,
  deliveryResponse,
  lateDeliveryResponse,
  offerResponse,
  quoteResponse,
  requestDetailResponse,
  requestResponse,
} from './procurement.js';

/**
 * The API's response schemas against what the server sends: one walk through the API, and
 * every answer read back through its schema. Parsing drops keys a schema does not name, so an
 * answer equal to its parse has no field the schema (and the CLI's types) left out; a field of
 * the wrong type, or one missing, fails the parse.
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

/** The real H100 of the agent's fixtures, as the agent reads it. */
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

let store: Store;
let app: App;
let now = new Date('2026-01-10T00:00:00.000Z');
const tokens: Record<'admin' | 'planner' | 'azure' | 'operator', string> = {
  admin: '',
  planner: '',
  azure: '',
  operator: '',
};

async function call(
  method: 'GET' | 'POST',
  url: string,
  token: keyof typeof tokens,
  body?: object,
): Promise<unknown> {
  const response = await app.fastify.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[token]}` },
    ...(body === undefined ? {} : { payload: body }),
  });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json();
}

/** The body, once it has been checked to be exactly what `schema` describes. */
function described<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.parse(body);
  expect(parsed).toStrictEqual(body);
  return parsed;
}

/** `true` where a `Sent` value may be given as a `Schema` value: else a `true` does not fit. */
type Fits<Sent, Schema> = [Sent] extends [Schema] ? true : false;

const list = <S extends z.ZodType>(schema: S, body: unknown): z.output<S>[] => {
  expect(Array.isArray(body)).toBe(true);
  expect((body as unknown[]).length).toBeGreaterThan(0);
  return (body as unknown[]).map((row) => described(schema, row));
};

beforeAll(async () => {
  store = await openStore({ kind: 'memory' });
  const doc = await readScenarioDocument(EXAMPLE);
  await store.db.transaction((tx) => replaceScenario(tx, doc));
  const made = async (grant: Parameters<typeof createToken>[1]) =>
    (await createToken(store.db, grant, now)).secret;
  tokens.admin = await made({ role: 'admin' });
  tokens.planner = await made({ role: 'planner' });
  tokens.azure = await made({ role: 'holder', providerId: 'azure' });
  tokens.operator = await made({ role: 'operator', siteIds: ['azure-us-east'] });
  app = buildApp({ store, version: 'test', clock: () => Promise.resolve(now) });
}, 60_000);

afterAll(async () => {
  await app.fastify.close();
  await store.close();
});

describe('the API answers as its schemas say', () => {
  it('for plans: made, listed, read and compared', async () => {
    const first = described(
      planSummaryResponse,
      await call('POST', '/v1/plans', 'planner', { solver: 'fast' }),
    );
    await call('POST', '/v1/plans', 'planner', { solver: 'fast' });
    expect(list(planSummaryResponse, await call('GET', '/v1/plans', 'admin'))).toHaveLength(2);
    const plan = described(
      planDocumentResponse,
      await call('GET', `/v1/plans/${first.id}`, 'admin'),
    );
    expect(plan.assignments.length).toBeGreaterThan(0);
    expect(plan.unmet.length).toBeGreaterThan(0);
    described(planDiffResponse, await call('GET', '/v1/plans/1/diff/2', 'admin'));
  });

  it('for procurement: requests, offers as the holder and others see them, quotes, awards, deliveries', async () => {
    const body = {
      accelerator: 'vr200',
      gpus: 100_000,
      window: { from: '2029-01', to: '2030-12' },
      workloadClass: 'research',
      reason: 'research-2029 is short of GPUs',
    };
    const declined = described(
      requestDetailResponse,
      await call('POST', '/v1/requests', 'planner', body),
    );
    const taken = described(
      requestDetailResponse,
      await call('POST', '/v1/requests', 'planner', { ...body, gpus: 50_000 }),
    );
    expect(declined.offers).toHaveLength(1);
    list(requestResponse, await call('GET', '/v1/requests', 'admin'));

    const asHolder = list(offerResponse, await call('GET', '/v1/offers', 'azure'));
    expect(asHolder[0]?.requested).toEqual({
      id: declined.id,
      accelerator: 'vr200',
      window: body.window,
    });
    const asAdmin = list(offerResponse, await call('GET', '/v1/offers', 'admin'));
    expect(asAdmin[0]?.requested).toMatchObject({ state: 'offered', gpus: 100_000 });

    const [first] = declined.offers;
    const [second] = taken.offers;
    if (first === undefined || second === undefined) throw new Error('no offer');
    described(
      offerResponse,
      await call('POST', `/v1/offers/${first.id}/decline`, 'azure', { note: 'not this year' }),
    );
    const accepted = described(
      offerResponse,
      await call('POST', `/v1/offers/${second.id}/accept`, 'azure', {
        gpus: 20_000,
        pricePerGpuHour: '3.80',
        deliveryMonth: '2029-03',
      }),
    );
    expect(accepted.pool).toBeDefined();

    const quote = described(
      quoteResponse,
      await call('POST', '/v1/quotes', 'planner', {
        request: declined.id,
        provider: 'stargate',
        site: 'abilene',
        gpus: 100_000,
        pricePerGpuHour: '2.00',
        deliveryMonth: '2029-01',
      }),
    );
    list(quoteResponse, await call('GET', '/v1/quotes', 'admin'));
    const award = described(
      awardResponse,
      await call('POST', '/v1/awards', 'planner', { quote: quote.id }),
    );
    list(awardResponse, await call('GET', '/v1/awards', 'admin'));
    const detail = described(
      requestDetailResponse,
      await call('GET', `/v1/requests/${declined.id}`, 'admin'),
    );
    expect(detail.awards).toHaveLength(1);
    expect(detail.history.length).toBeGreaterThan(1);

    now = new Date('2029-04-02T00:00:00.000Z');
    described(
      deliveryResponse,
      await call('POST', '/v1/deliveries', 'admin', {
        pool: award.pool,
        month: '2029-01',
        gpus: 1_000,
      }),
    );
    list(deliveryResponse, await call('GET', '/v1/deliveries', 'admin'));
    const late = list(lateDeliveryResponse, await call('GET', '/v1/procurement/late', 'admin'));
    expect(late.map((row) => row.pool)).toContain(award.pool);
  });

  it('for the fleet: nodes, one node, and the inventory with a stale node', async () => {
    const beat = (node: string, sequence: number, gpus: object[]) =>
      call('POST', '/v1/heartbeats', 'operator', {
        node,
        site: 'azure-us-east',
        sequence,
        intervalSeconds: 30,
        observedAt: now.toISOString(),
        reading: { source: 'nvidia-smi', driverVersion: '580.159.04', gpus },
      });
    const eight = Array.from({ length: 8 }, (_, index) => ({
      ...H100,
      index,
      ...(index === 3 ? { eccUncorrectedVolatile: 9 } : {}),
    }));
    await beat('gpu-a', 1, eight);
    await beat('gpu-b', 1, eight);
    now = new Date(now.getTime() + 10 * 60_000);
    await beat('gpu-a', 2, eight);

    const nodes = list(nodeResponse, await call('GET', '/v1/nodes', 'admin'));
    expect(nodes.map((node) => [node.node, node.stale])).toEqual([
      ['gpu-a', false],
      ['gpu-b', true],
    ]);
    const node = described(nodeDetailResponse, await call('GET', '/v1/nodes/gpu-a', 'admin'));
    expect(node.gpuDetail[3]?.checks).toEqual(['ecc']);
    expect(node.history.length).toBeGreaterThan(0);
    const state = described(inventoryResponse, await call('GET', '/v1/inventory', 'admin'));
    expect(state.unhealthy).toHaveLength(1);
    expect(state.stale).toHaveLength(1);
    expect(state.capacity.length).toBeGreaterThan(0);
  });

  it('and the types of the views that make those answers fit the schemas', () => {
    // Checked by the type checker (tests are type-checked): a view that gains, loses or
    // retypes a field no longer fits, and `tsc` fails before any client sees it.
    const fitting: [
      Fits<PlanJson, Described<typeof planDocumentResponse>>,
      Fits<PlanJsonDiff & { a: number; b: number }, Described<typeof planDiffResponse>>,
      Fits<ReturnType<typeof nodeView>, Described<typeof nodeResponse>>,
      Fits<Awaited<ReturnType<typeof nodeDetail>>, Described<typeof nodeDetailResponse>>,
      Fits<
        Awaited<ReturnType<typeof inventory>>,
        Omit<Described<typeof inventoryResponse>, 'capacity'>
      >,
      Fits<{ gpus: string }, Described<typeof nodeResponse>>,
    ] = [true, true, true, true, true, false];
    expect(fitting).toEqual([true, true, true, true, true, false]);
  });
});
