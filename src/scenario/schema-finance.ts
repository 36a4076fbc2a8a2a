import { z } from 'zod';
import { amountSchema, idSchema, periodSchema } from './schema-primitives.js';

/**
 * The money-and-time extensions of the scenario format (docs/scenario-extensions.md):
 * parties, the buildout programme, revenue streams, and the buildings' milestones, capex
 * schedules and delay distributions. Every section and field is optional, so a format v1 file
 * without them stays valid and means what it meant. Cross references (parties, milestones,
 * streams) and sums (equity, percentages, probabilities) are checked in
 * `references-finance.ts`.
 */

const percentSchema = (what: string) =>
  z
    .number({ error: `expected ${what} in percent (a number)` })
    .min(0, { error: `expected ${what} from 0 to 100` })
    .max(100, { error: `expected ${what} from 0 to 100` });

const monthsSchema = (what: string) =>
  z
    .number({ error: `expected ${what} in months (a number)` })
    .min(0, { error: `expected ${what} of at least 0 months` })
    .max(240, { error: `expected ${what} of at most 240 months` });

export const partyRoleSchema = z.enum(['lab', 'provider', 'funder', 'operator'], {
  error: 'expected lab, provider, funder or operator',
});

export const partySchema = z
  .object({
    id: idSchema,
    name: z.string({ error: 'expected a name' }).min(1, { error: 'expected a name' }),
    roles: z
      .array(partyRoleSchema, { error: 'expected a list of roles' })
      .min(1, { error: 'expected at least one role' }),
    providers: z
      .array(idSchema, { error: 'expected a list of provider ids' })
      .min(1, { error: 'expected at least one provider id' })
      .optional()
      .describe('Role provider: the provider ids this party sells capacity as'),
    equityPercent: percentSchema('an equity share')
      .refine((value) => value > 0, { error: 'expected an equity share above 0' })
      .optional()
      .describe('Role funder: equity share in percent; capital calls are pro rata to it'),
  })
  .strict();

export const trancheSchema = z
  .object({
    id: idSchema.optional(),
    month: periodSchema.describe('From this month the amount is committed and may be called'),
    amountUSD: amountSchema,
  })
  .strict();

export const programmeSchema = z
  .object(
    {
      name: z.string().optional(),
      company: idSchema.describe('Party that receives the capital and pays the capex'),
      contractor: idSchema
        .optional()
        .describe('Party paid for construction; default: outside parties'),
      start: periodSchema
        .optional()
        .describe('Month of the initial commitment; default horizon start'),
      initialUSD: amountSchema.describe('Committed at start'),
      totalUSD: amountSchema.describe('The most the funders may commit ("up to")'),
      tranches: z
        .array(trancheSchema, { error: 'expected a list of tranches' })
        .optional()
        .describe('Later commitments; with initialUSD at most totalUSD'),
      slipCorrelation: z
        .number({ error: 'expected a correlation from 0 to 1' })
        .min(0, { error: 'expected a correlation from 0 to 1' })
        .max(1, { error: 'expected a correlation from 0 to 1' })
        .optional()
        .describe("Forecast: correlation of the buildings' slips, 0 (default) to 1"),
    },
    { error: 'expected a programme: { company, initialUSD, totalUSD, tranches? }' },
  )
  .strict();

export const revenueStreamSchema = z
  .object({
    id: idSchema,
    name: z.string().min(1).optional().describe('revenue-share terms name a stream by id or name'),
    party: idSchema.describe('Who earns it'),
    amounts: z
      .array(
        z.object({ from: periodSchema, to: periodSchema, monthlyUSD: amountSchema }).strict(),
        { error: 'expected a list of { from, to, monthlyUSD }' },
      )
      .min(1, { error: 'expected at least one amount' }),
  })
  .strict();

export const milestoneSchema = z
  .object({ id: idSchema, month: periodSchema })
  .strict()
  .describe('A named date besides constructionStart and online');

export const capexInstalmentSchema = z
  .object({
    milestone: idSchema
      .optional()
      .describe('construction-start, online, or one of the building milestones'),
    offsetMonths: z
      .number({ error: 'expected a whole number of months' })
      .int({ error: 'expected a whole number of months' })
      .min(-120, { error: 'expected at least -120 months' })
      .max(120, { error: 'expected at most 120 months' })
      .optional()
      .describe('Months after (negative: before) the milestone; default 0'),
    month: periodSchema.optional().describe('A fixed month, instead of a milestone'),
    percent: percentSchema('a share of the capex'),
  })
  .strict();

export const delaySchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('discrete'),
        outcomes: z
          .array(
            z
              .object({
                months: z
                  .number({ error: 'expected a whole number of months' })
                  .int({ error: 'expected a whole number of months' })
                  .min(0, { error: 'expected a slip of at least 0 months' })
                  .max(240, { error: 'expected a slip of at most 240 months' }),
                probability: z
                  .number({ error: 'expected a probability from 0 to 1' })
                  .min(0, { error: 'expected a probability from 0 to 1' })
                  .max(1, { error: 'expected a probability from 0 to 1' }),
              })
              .strict(),
            { error: 'expected a list of { months, probability }' },
          )
          .min(1, { error: 'expected at least one outcome' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('triangular'),
        min: monthsSchema('a minimum slip'),
        mode: monthsSchema('a most likely slip'),
        max: monthsSchema('a maximum slip'),
      })
      .strict(),
  ],
  { error: 'unknown delay type; expected discrete or triangular' },
);

/** The fields the extensions add to a building. */
export const buildingExtensionShape = {
  milestones: z.array(milestoneSchema, { error: 'expected a list of milestones' }).optional(),
  capexSchedule: z
    .array(capexInstalmentSchema, { error: 'expected a list of capex instalments' })
    .min(1, { error: 'expected at least one instalment' })
    .optional()
    .describe('When capexUSD falls due; percentages add up to 100'),
  delay: delaySchema.optional().describe('Months the online month may slip, for the forecast'),
};

/** The top-level sections the extensions add. */
export const scenarioExtensionShape = {
  parties: z.array(partySchema, { error: 'expected a list of parties' }).optional(),
  programme: programmeSchema.optional(),
  revenueStreams: z
    .array(revenueStreamSchema, { error: 'expected a list of revenue streams' })
    .optional(),
};
