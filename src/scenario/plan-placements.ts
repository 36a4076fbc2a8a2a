import { z } from 'zod';
import type { Period } from '../core/period.js';
import { parsePeriod } from '../core/period.js';
import type { Problem } from './problems.js';
import { sortProblems } from './problems.js';
import { periodSchema } from './schema-primitives.js';

/**
 * What the exports read of a plan (`stargate plan --format json`, or a stored plan): which
 * workload runs on which pool in which month, with how many GPUs, and the scenario it was made
 * from. Other keys are allowed, so plans with later extensions still read.
 */
const placementsSchema = z.looseObject(
  {
    scenario: z.string({ error: 'expected the scenario name' }),
    scenarioHash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected sha256: and 64 hex digits' })
      .optional(),
    assignments: z.array(
      z.looseObject({
        workload: z.string({ error: 'expected a workload id' }),
        pool: z.string({ error: 'expected a pool id' }),
        period: periodSchema,
        gpus: z
          .number({ error: 'expected a whole number of GPUs' })
          .int({ error: 'expected a whole number of GPUs' })
          .min(1, { error: 'expected at least 1 GPU (rows with 0 GPUs are left out)' }),
      }),
      { error: 'expected a list of { workload, pool, period, gpus }' },
    ),
  },
  { error: 'expected a plan: the JSON that stargate plan --format json writes' },
);

export interface Placement {
  readonly workload: string;
  readonly pool: string;
  readonly period: Period;
  readonly gpus: number;
}

export interface PlanPlacements {
  readonly scenario: string;
  /** Absent in plans made before the hash was written. */
  readonly scenarioHash?: string;
  readonly assignments: readonly Placement[];
}

/** Reads a parsed plan document's placements, or every problem with its path. */
export function readPlanPlacements(
  data: unknown,
): { ok: true; plan: PlanPlacements } | { ok: false; problems: Problem[] } {
  const parsed = placementsSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    return {
      ok: false,
      problems: sortProblems(
        parsed.error.issues.map((issue) => ({
          path: issue.path.filter((k): k is string | number => typeof k !== 'symbol'),
          message: issue.input === undefined ? `required: ${issue.message}` : issue.message,
        })),
      ),
    };
  }
  const { scenario, scenarioHash, assignments } = parsed.data;
  return {
    ok: true,
    plan: {
      scenario,
      ...(scenarioHash === undefined ? {} : { scenarioHash }),
      assignments: assignments.map((row) => ({
        workload: row.workload,
        pool: row.pool,
        // Checked by periodSchema above.
        period: parsePeriod(row.period) as Period,
        gpus: row.gpus,
      })),
    },
  };
}
