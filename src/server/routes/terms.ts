import { z } from 'zod';
import { describeContracts } from '../../core/term-sentences.js';
import { TERM_TYPES } from '../../core/model.js';
import type { Described } from '../described.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { idSchema, periodSchema } from '../schemas.js';
import { currentScenario } from './scenario.js';

const monthRange = z.object({ from: periodSchema, to: periodSchema });

/** The schema of `GET /v1/terms`, for the OpenAPI description; the body is checked against it. */
export const termsResponse = z.object({
  contracts: z.array(
    z.object({
      contract: idSchema,
      name: z.string().nullable(),
      parties: z.array(z.object({ id: z.string(), name: z.string().nullable() })),
      effective: monthRange,
      terms: z.array(
        z.object({
          term: idSchema,
          type: z.enum(TERM_TYPES as [string, ...string[]]),
          sentence: z.string().describe('The term in words'),
          effective: monthRange
            .nullable()
            .describe('When it binds; a commitment: its window within the effective range'),
          named: z.array(z.string()).describe('Providers and parties the term names'),
          poolScope: z.string().nullable().describe('The pools it speaks of, in words'),
          pools: z.array(idSchema).describe('Ids of the pools it touches'),
          classes: z.array(z.string()).describe('Workload classes it names'),
          excludedClasses: z
            .array(z.string())
            .describe("Classes of the scenario's workloads it keeps off its pools"),
          shapesPlacement: z
            .boolean()
            .describe('False for terms only recorded: revenue shares and notes'),
        }),
      ),
    }),
  ),
});

/** `GET /v1/terms`: every contract term in words, with the pools and classes it touches. */
export function termRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/v1/terms',
      tag: 'scenario',
      summary: 'Every contract term as a sentence, with the pools and classes it touches',
      roles: ['admin', 'planner', 'viewer'],
      response: termsResponse,
      handler: async ({ tx }) => {
        const body: Described<typeof termsResponse> = {
          contracts: describeContracts(await currentScenario(tx)),
        };
        return { body };
      },
    }),
  ];
}
