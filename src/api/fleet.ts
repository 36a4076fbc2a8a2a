import { z } from 'zod';

/**
 * The API's responses for the fleet — inventory and nodes — as zod schemas: the CLI's client
 * types are inferred from them (src/cli/client/types.ts). Only `zod` is imported here.
 */

const unhealthyGpu = z.object({ gpu: z.number().int(), reasons: z.array(z.string()) });

/** `GET /v1/nodes`: one node, as its last heartbeat left it. */
export const nodeResponse = z.object({
  node: z.string(),
  site: z.string(),
  pool: z.string().optional(),
  accelerator: z.string().optional(),
  source: z.string().describe('What read the GPUs: nvidia-smi or DCGM'),
  driverVersion: z.string().optional(),
  cudaVersion: z.string().optional(),
  sequence: z.number().int(),
  intervalSeconds: z.number(),
  observedAt: z.string().describe('ISO 8601'),
  lastSeen: z.string().describe('ISO 8601, on the server’s clock'),
  firstSeen: z.string().describe('ISO 8601'),
  sentBy: z.string(),
  stale: z
    .boolean()
    .describe('Missed its heartbeats: its GPUs count as neither healthy nor delivered'),
  gpus: z.number().int(),
  healthy: z.number().int(),
  unhealthy: z.array(unhealthyGpu),
});

/** `GET /v1/nodes/{node}`: a node with each GPU's reading and verdict, and its history. */
export const nodeDetailResponse = nodeResponse.extend({
  gpuDetail: z.array(
    z.object({
      reading: z
        .object({
          index: z.number().int().describe("nvidia-smi's index (DCGM's `gpu` label)"),
          uuid: z.string().optional(),
          name: z.string().optional().describe('The product name, e.g. NVIDIA H100 80GB HBM3'),
          busId: z.string().optional(),
          memoryMiB: z.number().optional(),
          temperatureC: z.number().optional(),
          powerDrawW: z.number().optional(),
          powerLimitW: z.number().optional().describe('The power limit the GPU enforces now'),
          defaultPowerLimitW: z.number().optional(),
          eccUncorrectedVolatile: z.number().optional(),
          clockEventReasons: z.array(z.string()).optional(),
          remappedRowsPending: z.boolean().optional(),
          remappedRowsFailure: z.boolean().optional(),
          retiredPagesPending: z.boolean().optional(),
          xids: z.array(z.number().int()).optional(),
          unparsable: z.string().optional().describe('What could not be read, and why'),
        })
        .describe('What the node agent read'),
      healthy: z.boolean(),
      reasons: z.array(z.string()),
      checks: z.array(z.string()).optional().describe('The checks it failed'),
    }),
  ),
  history: z
    .array(
      z.object({
        receivedAt: z.string().describe('ISO 8601'),
        sequence: z.number().int(),
        sentBy: z.string(),
        pool: z.string().optional(),
        gpus: z.number().int(),
        healthy: z.number().int(),
        unhealthy: z.array(unhealthyGpu),
      }),
    )
    .describe('Newest first'),
});

const nodeCount = {
  nodes: z.number().int(),
  staleNodes: z.number().int(),
  gpus: z.number().int(),
  healthy: z.number().int(),
};

/** `GET /v1/inventory`. */
export const inventoryResponse = z.object({
  at: z.string().describe('ISO 8601'),
  thresholds: z.object({
    maxTemperatureC: z.number(),
    minPowerLimitFraction: z.number(),
    criticalXids: z.array(z.number().int()),
    staleAfterIntervals: z.number(),
  }),
  totals: z.object(nodeCount),
  groups: z.array(
    z.object({
      site: z.string(),
      pool: z.string().optional(),
      accelerator: z.string().optional(),
      ...nodeCount,
      unhealthy: z.number().int(),
    }),
  ),
  unhealthy: z.array(
    z.object({
      node: z.string(),
      site: z.string(),
      pool: z.string().optional(),
      gpu: z.number().int(),
      reasons: z.array(z.string()),
    }),
  ),
  stale: z.array(
    z.object({
      node: z.string(),
      site: z.string(),
      pool: z.string().optional(),
      lastSeen: z.string(),
      intervalSeconds: z.number(),
      gpus: z.number().int(),
    }),
  ),
  capacity: z.array(
    z.object({
      pool: z.string(),
      kind: z.string(),
      site: z.string(),
      accelerator: z.string(),
      promisedGpus: z.number().int(),
      from: z.string(),
      healthyNow: z.number().int(),
      deliveredThisMonth: z.number().int().optional(),
      state: z.string(),
    }),
  ),
});
