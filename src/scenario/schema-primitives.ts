import { z } from 'zod';
import { parseUSD } from '../core/money.js';

/**
 * The building blocks of the scenario schemas — ids, months, ranges, USD amounts — shared by
 * the format v1 sections (`schema.ts`) and the money-and-time extensions
 * (`schema-finance.ts`).
 */

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export const idSchema = z
  .string({ error: 'expected an id (text)' })
  .regex(ID_PATTERN, { error: 'expected an id: lowercase letters, digits, . _ -, at most 63' })
  .describe('Identifier, unique within its list: ^[a-z0-9][a-z0-9._-]{0,62}$');

export const periodSchema = z
  .string({ error: 'expected YYYY-MM' })
  .regex(PERIOD_PATTERN, { error: 'expected YYYY-MM' })
  .describe('A calendar month, YYYY-MM');

export const rangeSchema = z
  .object(
    { from: periodSchema, to: periodSchema },
    { error: 'expected a range of months: { from: YYYY-MM, to: YYYY-MM }' },
  )
  .strict()
  .describe('Inclusive range of months');

export const horizonSchema = z
  .object(
    { start: periodSchema, end: periodSchema },
    { error: 'expected a range of months: { start: YYYY-MM, end: YYYY-MM }' },
  )
  .strict()
  .describe('Inclusive range of months every plan is bounded by');

/** USD as a number or a decimal string with at most `decimals` digits after the point. */
export function usdSchema(decimals: number, description: string) {
  return z
    .union([z.number(), z.string()], {
      error: 'expected a USD amount: a number or a decimal string such as "2.35"',
    })
    .superRefine((value, ctx) => {
      const parsed = parseUSD(value, decimals);
      if (parsed.ok) return;
      const message = {
        'not-a-decimal': 'expected a USD amount: a number or a decimal string such as "2.35"',
        'too-many-decimals': `expected at most ${decimals} decimals`,
        negative: 'expected an amount of at least 0',
      }[parsed.problem];
      ctx.addIssue({ code: 'custom', message });
    })
    .describe(description);
}

export const amountSchema = usdSchema(2, 'USD amount, at most 2 decimals');
