import { z } from 'zod';
import { idSchema, periodSchema, pricePerGpuHourSchema, rangeSchema } from '../scenario/schema.js';

/** Shared pieces of the API's request schemas. */

export const idParams = z.object({ id: idSchema }).strict();

export const numericId = z.coerce
  .number({ error: 'expected a number' })
  .int({ error: 'expected a whole number' })
  .min(1, { error: 'expected a number of at least 1' })
  .describe('Numeric id');

export const numericIdParams = z.object({ id: numericId }).strict();

export const gpus = z
  .number({ error: 'expected a whole number of GPUs' })
  .int({ error: 'expected a whole number of GPUs' })
  .min(1, { error: 'expected at least 1 GPU' })
  .max(1e9, { error: 'expected at most 1,000,000,000 GPUs' });

/** A price as the scenario format takes it; stored as the decimal string it was given as. */
export const price = pricePerGpuHourSchema;

export const priceText = (value: string | number): string => String(value);

export { idSchema, periodSchema, rangeSchema };

export const limitQuery = z.coerce
  .number({ error: 'expected a number' })
  .int({ error: 'expected a whole number' })
  .min(1, { error: 'expected at least 1' })
  .max(1000, { error: 'expected at most 1000' });
