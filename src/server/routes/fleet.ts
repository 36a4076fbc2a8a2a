import { z } from 'zod';
import { inventoryResponse, nodeDetailResponse, nodeResponse } from '../../api/fleet.js';
import { CLOCK_EVENT_REASONS, NODE_NAME_PATTERN } from '../../core/fleet/readings.js';
import { HttpError } from '../../store/errors.js';
import { watchedCapacity } from '../../store/fleet-capacity.js';
import {
  inventory,
  listNodes,
  nodeDetail,
  recordHeartbeat,
  recordHeartbeatAtOnce,
  removeNode,
} from '../../store/fleet.js';
import type { Principal } from '../../store/tokens.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { idSchema } from '../schemas.js';

/** A node's name as its agent gives it (a hostname by default). */
export const nodeName = z.string({ error: 'expected a node name' }).regex(NODE_NAME_PATTERN, {
  error:
    'expected a node name: letters, digits, . _ -, starting with a letter or digit, at most 253',
});

const count = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what} as a whole number` })
    .min(0, { error: `expected ${what} of at least 0` });

const measure = (what: string, max: number) =>
  z
    .number({ error: `expected ${what} as a number` })
    .min(-300, { error: `expected ${what} of at least -300` })
    .max(max, { error: `expected ${what} of at most ${max}` });

export const gpuReadingSchema = z
  .object({
    index: count('the GPU index').max(1023, { error: 'expected a GPU index of at most 1023' }),
    uuid: z.string().max(128).optional(),
    name: z.string().max(200).optional(),
    busId: z.string().max(64).optional(),
    memoryMiB: measure('memory in MiB', 1e7).optional(),
    temperatureC: measure('a temperature in °C', 300).optional(),
    powerDrawW: measure('power in W', 1e5).optional(),
    powerLimitW: measure('a power limit in W', 1e5).optional(),
    defaultPowerLimitW: measure('a default power limit in W', 1e5).optional(),
    eccUncorrectedVolatile: count('an ECC error count').optional(),
    clockEventReasons: z
      .array(
        z.enum(CLOCK_EVENT_REASONS, { error: `expected one of ${CLOCK_EVENT_REASONS.join(', ')}` }),
      )
      .max(CLOCK_EVENT_REASONS.length)
      .optional(),
    remappedRowsPending: z.boolean().optional(),
    remappedRowsFailure: z.boolean().optional(),
    retiredPagesPending: z.boolean().optional(),
    xids: z.array(count('an XID')).max(64).optional(),
    unparsable: z.string().max(1000).optional(),
  })
  .strict();

export const heartbeatBody = z
  .object({
    node: nodeName,
    site: idSchema,
    pool: idSchema
      .optional()
      .describe(
        "A pool or building of the site; default the site's one pool of the node's GPU kind",
      ),
    sequence: z
      .number({ error: 'expected a sequence number' })
      .int({ error: 'expected a whole sequence number' })
      .min(1, { error: 'expected a sequence of at least 1' })
      .max(Number.MAX_SAFE_INTEGER, { error: 'expected a sequence below 2^53' })
      .describe('Increases with every heartbeat of the node; a repeat is acknowledged and ignored'),
    intervalSeconds: z
      .number({ error: 'expected the interval in seconds' })
      .int({ error: 'expected whole seconds' })
      .min(1, { error: 'expected an interval of at least 1 s' })
      .max(3600, { error: 'expected an interval of at most 3600 s' }),
    observedAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }),
    reading: z
      .object({
        source: z.enum(['nvidia-smi', 'dcgm'], { error: 'expected nvidia-smi or dcgm' }),
        driverVersion: z.string().max(64).optional(),
        cudaVersion: z.string().max(64).optional(),
        warnings: z.array(z.string().max(1000)).max(16).optional(),
        gpus: z
          .array(gpuReadingSchema)
          .min(1, {
            error: 'expected at least one GPU: a node that reads none must not report 0 GPUs',
          })
          .max(64, { error: 'expected at most 64 GPUs on one node' }),
      })
      .strict(),
  })
  .strict()
  .superRefine((body, context) => {
    const seen = new Set<number>();
    body.reading.gpus.forEach((gpu, index) => {
      if (seen.has(gpu.index)) {
        context.addIssue({
          code: 'custom',
          path: ['reading', 'gpus', index, 'index'],
          message: `expected each GPU index once, got ${gpu.index} twice`,
        });
      }
      seen.add(gpu.index);
    });
  });

const siteQuery = z.object({ site: idSchema.optional() }).strict();

/** The sites a caller may see, narrowed to `?site=` when given. */
function sitesOf(principal: Principal, site: string | undefined): readonly string[] | undefined {
  const own = principal.role === 'operator' ? principal.siteIds : undefined;
  if (site === undefined) return own;
  return own === undefined || own.includes(site) ? [site] : [];
}

export function fleetRoutes(): Route[] {
  return [
    route({
      method: 'POST',
      path: '/v1/heartbeats',
      tag: 'fleet',
      summary: "A node agent's reading of its GPUs (operators: their sites)",
      description:
        'Idempotent on (node, sequence). The server judges each GPU healthy or not (docs/agent.md) and answers with its verdict.',
      roles: ['admin', 'operator'],
      body: heartbeatBody,
      bodyLimit: 256 * 1024,
      idempotent: false,
      // A known node's heartbeat that changes nothing audited: a read and a guarded update.
      atOnce: async ({ db, principal, body, now, actor, fleet }) => {
        if (principal.role === 'operator' && !principal.siteIds.includes(body.site)) {
          return undefined;
        }
        const answer = await recordHeartbeatAtOnce(db, body, {
          sentBy: actor,
          now,
          settings: fleet,
        });
        return answer && { body: answer };
      },
      handler: async ({ tx, principal, body, now, audit, fleet, actor }) => {
        if (principal.role === 'operator' && !principal.siteIds.includes(body.site)) {
          throw new HttpError(
            403,
            'forbidden',
            `this operator token is for site ${principal.siteIds.join(', ') || '(none)'}; it may not report for site ${body.site}`,
          );
        }
        return {
          body: await recordHeartbeat(tx, body, { sentBy: actor, now, settings: fleet, audit }),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/inventory',
      tag: 'fleet',
      summary:
        'GPUs reporting, healthy and unhealthy per site, pool and accelerator; unhealthy GPUs with reasons; stale nodes; delivered vs promised',
      roles: ['admin', 'planner', 'viewer', 'operator', 'funder'],
      query: siteQuery,
      response: inventoryResponse,
      handler: async ({ tx, principal, query, now, fleet }) => {
        const sites = sitesOf(principal, query.site);
        const state = await inventory(tx, { sites }, now, fleet);
        return { body: { ...state, capacity: await watchedCapacity(tx, state.groups, now) } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/nodes',
      tag: 'fleet',
      summary: 'Every node reporting, with its GPUs healthy and not (operators: their sites)',
      roles: ['admin', 'planner', 'viewer', 'operator'],
      query: siteQuery,
      response: z.array(nodeResponse),
      handler: async ({ tx, principal, query, now, fleet }) => ({
        body: await listNodes(tx, { sites: sitesOf(principal, query.site) }, now, fleet),
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/nodes/{node}',
      tag: 'fleet',
      summary: "One node: each GPU's reading and verdict, and its recent history",
      roles: ['admin', 'planner', 'viewer', 'operator'],
      params: z.object({ node: nodeName }).strict(),
      response: nodeDetailResponse,
      handler: async ({ tx, principal, params, now, fleet }) => ({
        body: await nodeDetail(
          tx,
          params.node,
          { sites: sitesOf(principal, undefined) },
          now,
          fleet,
        ),
      }),
    }),
    route({
      method: 'DELETE',
      path: '/v1/nodes/{node}',
      tag: 'fleet',
      summary: 'Forget a node (e.g. before it moves to another site)',
      roles: ['admin'],
      params: z.object({ node: nodeName }).strict(),
      successStatus: 204,
      handler: async ({ tx, params, audit }) => {
        await removeNode(tx, params.node, audit);
        return { status: 204, body: undefined };
      },
    }),
  ];
}
