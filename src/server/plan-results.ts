import { eq } from 'drizzle-orm';
import type { Scenario } from '../core/model.js';
import { validateScenario } from '../scenario/parse.js';
import type { Queryable } from '../store/db.js';
import { notFound } from '../store/errors.js';
import { ConflictProblems } from '../store/scenario-store.js';
import * as t from '../store/schema.js';
import { z } from 'zod';
import type { Described } from './described.js';
import type { Reply } from './route.js';

/** How many plans' results a server keeps: people look at the newest few. */
const CACHE_SIZE = 8;

/** How long a client should wait before asking again, in seconds. */
const RETRY_AFTER_SECONDS = 2;

/** The body of a 202 while a plan's result is being computed. */
export const planComputing = z.object({ plan: z.number(), status: z.literal('computing') });

/**
 * The stored plan a result is computed for: `key` (`id@createdAt`) names it across processes
 * and store resets, for the jobs that compute it (`plan-jobs.ts`).
 */
export interface StoredPlan {
  readonly id: number;
  readonly key: string;
}

/** The key of a stored plan: its id and when it was made, so a reset store's plan 1 is another. */
export function storedPlanKey(id: number, createdAt: Date): string {
  return `${id}@${createdAt.toISOString()}`;
}

/** One plan's result: being computed, computed, or failed (reported once, then retried). */
interface Entry<T> {
  body?: T;
  error?: Error;
}

/**
 * Results computed from a stored plan's scenario in the background (clause prices, values): the
 * work takes seconds to minutes, so it must not run in the request, whose transaction would
 * hold the store. The first request starts it; until it is done the answer is 202 with
 * Retry-After. A stored plan never changes, so results are kept per plan (the newest few).
 */
export function planResults<T>() {
  const cache = new Map<string, Entry<T>>();
  return {
    /**
     * The plan's result under `variant`, or a 202 reply while it is computed (`compute` starts
     * on the first ask). A failure is thrown to the next request, once; the one after retries.
     */
    async get(
      tx: Queryable,
      planId: number,
      variant: string,
      compute: (scenario: Scenario, plan: StoredPlan) => Promise<T>,
    ): Promise<{ plan: number; body: T } | { plan: number; computing: Reply }> {
      const [row] = await tx
        .select({ id: t.plans.id, createdAt: t.plans.createdAt, scenario: t.plans.scenario })
        .from(t.plans)
        .where(eq(t.plans.id, planId));
      if (!row) throw notFound(`plan ${planId}`);
      const plan: StoredPlan = { id: row.id, key: storedPlanKey(row.id, row.createdAt) };
      const key = `${plan.key}/${variant}`;
      const entry = cache.get(key);
      if (entry?.body) return { plan: row.id, body: entry.body };
      if (entry?.error) {
        cache.delete(key);
        throw entry.error;
      }
      if (!entry) {
        const scenario = validateScenario(row.scenario);
        if (!scenario.ok) {
          throw new ConflictProblems(
            `the scenario of plan ${row.id} is not valid`,
            scenario.problems,
          );
        }
        const started: Entry<T> = {};
        cache.set(key, started);
        for (const old of cache.keys()) {
          if (cache.size <= CACHE_SIZE) break;
          cache.delete(old);
        }
        compute(scenario.scenario, plan).then(
          (body) => {
            started.body = body;
          },
          (error: unknown) => {
            started.error = error instanceof Error ? error : new Error(String(error));
          },
        );
      }
      const body: Described<typeof planComputing> = { plan: row.id, status: 'computing' };
      return {
        plan: row.id,
        computing: {
          status: 202,
          body,
          headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
        },
      };
    },
  };
}
