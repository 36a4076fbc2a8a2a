import { z } from 'zod';
import {
  amountSchema,
  horizonSchema,
  idSchema,
  periodSchema,
  rangeSchema,
  usdSchema,
} from './schema-primitives.js';
import { buildingExtensionShape, scenarioExtensionShape } from './schema-finance.js';

/**
 * The scenario file format v1 (`shared/spec/scenario-v1.md`) as zod schemas. The same
 * schemas validate files, derive the published JSON Schema (`stargate schema`) and, later,
 * the OpenAPI document. They check shape and value ranges; cross references are checked in
 * `references.ts`.
 */

export {
  ID_PATTERN,
  PERIOD_PATTERN,
  amountSchema,
  horizonSchema,
  idSchema,
  periodSchema,
  rangeSchema,
} from './schema-primitives.js';

export const pricePerGpuHourSchema = usdSchema(6, 'USD per GPU-hour, at most 6 decimals');

const gpuCountSchema = z
  .number({ error: 'expected a whole number of GPUs' })
  .int({ error: 'expected a whole number of GPUs' })
  .min(0, { error: 'expected at least 0 GPUs' })
  .max(1e9, { error: 'expected at most 1,000,000,000 GPUs' });

const positiveNumber = (what: string) =>
  z
    .number({ error: `expected ${what} (a number)` })
    .positive({ error: `expected ${what} above 0` });

const nonEmptyIds = (what: string) =>
  z.array(idSchema, { error: `expected a list of ${what}` }).min(1, {
    error: `expected at least one of ${what}`,
  });

const classList = z
  .array(z.string().min(1, { error: 'expected a class name' }), {
    error: 'expected a list of workload classes',
  })
  .min(1, { error: 'expected at least one workload class' });

export const originSchema = z
  .enum(['existing', 'new'], { error: 'expected existing or new' })
  .describe('existing, or new = capacity added after a contract was signed');
export const rofrStatusSchema = z
  .enum(['pending', 'cleared'], { error: 'expected pending or cleared' })
  .describe('Only for origin new: pending until the holder declines or lets the window lapse');

export const acceleratorSchema = z
  .object({
    id: idSchema,
    name: z.string().optional(),
    kwPerGpu: positiveNumber('kW per GPU').describe('All-in facility kW per GPU'),
  })
  .strict();

export const providerSchema = z
  .object({
    id: idSchema,
    name: z.string({ error: 'expected a name' }).min(1, { error: 'expected a name' }),
    kind: z.enum(['hyperscaler', 'owned', 'neocloud', 'partner'], {
      error: 'expected hyperscaler, owned, neocloud or partner',
    }),
  })
  .strict();

export const siteSchema = z
  .object({
    id: idSchema,
    provider: idSchema,
    name: z.string().optional(),
    region: z.string().optional(),
    powerMW: positiveNumber('power in MW').optional(),
    operator: z.string().optional().describe('Who builds and runs the site (free text)'),
  })
  .strict();

export const poolSchema = z
  .object({
    id: idSchema,
    provider: idSchema,
    site: idSchema.optional(),
    accelerator: idSchema,
    gpus: gpuCountSchema.describe('GPUs available in every period of the window'),
    window: rangeSchema,
    pricePerGpuHour: pricePerGpuHourSchema,
    origin: originSchema.optional().describe('Default existing'),
    rofr: rofrStatusSchema.optional().describe('Only for origin new; default pending'),
  })
  .strict();

export const buildingSchema = z
  .object({
    id: idSchema,
    site: idSchema,
    sqft: positiveNumber('floor area in sq ft').optional(),
    itMW: positiveNumber('IT power in MW'),
    accelerator: idSchema,
    gpus: gpuCountSchema.optional().describe('Default floor(itMW × 1000 / kwPerGpu)'),
    capexUSD: amountSchema.optional(),
    constructionStart: periodSchema.optional(),
    online: periodSchema.describe('The building pool is available from here to the horizon end'),
    pricePerGpuHour: pricePerGpuHourSchema,
    origin: originSchema.optional().describe('Default new: buildings are new capacity'),
    rofr: rofrStatusSchema.optional().describe('Default pending'),
    ...buildingExtensionShape,
  })
  .strict();

export const workloadSchema = z
  .object({
    id: idSchema,
    team: z.string().optional(),
    description: z.string().optional(),
    class: z.string({ error: 'expected a workload class' }).min(1, {
      error: 'expected a workload class',
    }),
    accelerators: nonEmptyIds('accelerator ids'),
    gpus: gpuCountSchema.describe('GPUs needed in every period of the window'),
    window: rangeSchema,
    valuePerGpuHour: pricePerGpuHourSchema.describe(
      'What serving one GPU-hour is worth; unmet demand costs this',
    ),
    gang: z
      .boolean({ error: 'expected true or false' })
      .optional()
      .describe('All or nothing on one site and accelerator; default false'),
  })
  .strict();

export const poolSelectorSchema = z
  .object({
    providers: nonEmptyIds('provider ids').optional(),
    origin: originSchema.optional(),
    sites: nonEmptyIds('site ids').optional(),
    accelerators: nonEmptyIds('accelerator ids').optional(),
  })
  .strict()
  .describe('Pools matching every key given');

export const termSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('exclusivity'),
        id: idSchema,
        classes: classList,
        provider: idSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal('use-restriction'),
        id: idSchema,
        pools: poolSelectorSchema,
        classes: classList,
      })
      .strict(),
    z
      .object({
        type: z.literal('commitment'),
        id: idSchema,
        provider: idSchema,
        minSpendUSD: amountSchema,
        window: rangeSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal('rofr'),
        id: idSchema,
        holder: idSchema,
        responseDays: z
          .number({ error: 'expected a whole number of days' })
          .int({ error: 'expected a whole number of days' })
          .positive({ error: 'expected at least 1 day' }),
        pools: poolSelectorSchema.optional().describe('Default { origin: new }'),
      })
      .strict(),
    z
      .object({
        type: z.literal('revenue-share'),
        id: idSchema,
        from: idSchema,
        to: idSchema,
        percent: z
          .number({ error: 'expected a percentage' })
          .min(0, { error: 'expected a percentage from 0 to 100' })
          .max(100, { error: 'expected a percentage from 0 to 100' }),
        stream: z.string({ error: 'expected a stream name' }).min(1),
      })
      .strict(),
    z
      .object({
        type: z.literal('note'),
        id: idSchema,
        text: z.string({ error: 'expected text' }).min(1),
      })
      .strict(),
  ],
  {
    error:
      'unknown term type; expected exclusivity, use-restriction, commitment, rofr, revenue-share or note',
  },
);

export const contractSchema = z
  .object({
    id: idSchema,
    name: z.string().optional(),
    parties: z.array(idSchema, { error: 'expected a list of party ids' }).min(2, {
      error: 'expected at least two parties',
    }),
    effective: rangeSchema,
    terms: z.array(termSchema, { error: 'expected a list of terms' }),
  })
  .strict();

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: `expected a list of ${what}` });

export const scenarioSchema = z
  .object(
    {
      apiVersion: z.literal('stargate/v1', { error: 'expected stargate/v1' }),
      kind: z.literal('Scenario', { error: 'expected Scenario' }),
      metadata: z
        .object(
          { name: idSchema, description: z.string().optional() },
          { error: 'expected metadata: { name, description? }' },
        )
        .strict(),
      horizon: horizonSchema,
      accelerators: list(acceleratorSchema, 'accelerators'),
      providers: list(providerSchema, 'providers'),
      sites: list(siteSchema, 'sites').optional(),
      pools: list(poolSchema, 'pools').optional(),
      buildings: list(buildingSchema, 'buildings').optional(),
      workloads: list(workloadSchema, 'workloads'),
      contracts: list(contractSchema, 'contracts').optional(),
      ...scenarioExtensionShape,
    },
    { error: 'expected a scenario: a mapping with apiVersion, kind, metadata, horizon, …' },
  )
  .strict()
  .describe('stargate scenario, format v1');

export type ScenarioInput = z.infer<typeof scenarioSchema>;

/** The JSON Schema (draft 2020-12) of the scenario file, derived from the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'stargate scenario v1',
  };
}
