import { z } from 'zod';
import { lateDeliveryResponse } from './procurement.js';

/**
 * The API's responses for stored plans, as zod schemas: the CLI's client types are inferred
 * from them (src/cli/client/types.ts). Only `zod` and its siblings are imported here.
 */

/** A stored plan as lists show it (`GET /v1/plans`, and the answer to `POST /v1/plans`). */
export const planSummaryResponse = z.object({
  id: z.number().int(),
  createdAt: z.string().describe('ISO 8601'),
  createdBy: z.string(),
  solver: z.string(),
  status: z.string(),
  totalUSD: z.number(),
  gap: z.number(),
});

/** A commitment of the plan: its minimum spend, what the plan spends, and the shortfall. */
export const commitmentRow = z.object({
  contract: z.string(),
  term: z.string(),
  provider: z.string(),
  minSpendUSD: z.number(),
  spendUSD: z.number(),
  shortfallUSD: z.number(),
});

const objective = z.object({
  totalUSD: z.number(),
  computeUSD: z.number(),
  shortfallUSD: z.number(),
  unmetUSD: z.number(),
});

/** `GET /v1/plans/{id}`: the spec's plan document, with the server's late deliveries. */
export const planDocumentResponse = z.object({
  scenario: z.string(),
  scenarioHash: z
    .string()
    .optional()
    .describe('`sha256:<hex>` of the scenario document the plan was made from'),
  objective,
  bound: z.object({ lowerBoundUSD: z.number(), gap: z.number() }),
  assignments: z.array(
    z.object({ workload: z.string(), pool: z.string(), period: z.string(), gpus: z.number() }),
  ),
  unmet: z.array(
    z.object({
      workload: z.string(),
      period: z.string(),
      gpus: z.number(),
      reasons: z.array(z.string()),
    }),
  ),
  commitments: z.array(commitmentRow),
  byProvider: z.array(
    z.object({
      provider: z.string(),
      period: z.string(),
      gpus: z.number(),
      capacityGpus: z.number().describe("What the provider's pools hold, placed or idle"),
      computeUSD: z.number(),
    }),
  ),
  solver: z.object({
    method: z.string(),
    status: z.string(),
    boundSource: z.string(),
    note: z.string().optional(),
    exact: z.object({ status: z.string(), totalUSD: z.number().optional() }).optional(),
  }),
  lateDeliveries: z.array(lateDeliveryResponse).optional(),
});

/** A number in plan `a`, in plan `b`, and the change from one to the other. */
const change = z.object({ a: z.number(), b: z.number(), change: z.number() });

/** `GET /v1/plans/{a}/diff/{b}`. */
export const planDiffResponse = z.object({
  a: z.number().int(),
  b: z.number().int(),
  objective: z.object({
    totalUSD: change,
    computeUSD: change,
    shortfallUSD: change,
    unmetUSD: change,
  }),
  providers: z.array(z.object({ provider: z.string(), gpuMonths: change })),
  commitments: z.array(z.object({ contract: z.string(), term: z.string(), shortfallUSD: change })),
  unmet: z.array(z.object({ workload: z.string(), gpuMonths: change })),
  moved: z.array(z.object({ workload: z.string(), pool: z.string(), gpuMonths: change })),
});
