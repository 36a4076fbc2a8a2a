import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { readScenarioDocument } from '../scenario/load.js';
import type { PlanInput } from './plan-compute.js';
import { computePlan } from './plan-compute.js';
import { planInWorker } from './planning.js';
import { generatedDocument } from '../test-support/generated.js';

// The worker as the server runs it: compiled (npm test builds before it runs the tests).
const BUILT_WORKER = new URL('../../dist/server/plan-worker.js', import.meta.url);

let example: Record<string, unknown>;

beforeAll(async () => {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) {
    throw new Error('dist/server/plan-worker.js is missing: run npm run build first');
  }
  example = await readScenarioDocument(
    fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url)),
  );
});

describe('planInWorker', () => {
  it('gives the plan computePlan gives in process, exact and fast', async () => {
    const runs = [
      { solver: 'exact' },
      // As the server plans: with a time limit, HiGHS in a worker of the worker.
      { solver: 'exact', timeLimitSeconds: 30 },
      { solver: 'fast' },
    ] as const;
    for (const options of runs) {
      const input: PlanInput = { planned: example, late: [], options };
      const inWorker = await planInWorker(input, BUILT_WORKER);
      expect(inWorker.ok).toBe(true);
      expect(JSON.stringify(inWorker)).toBe(JSON.stringify(await computePlan(input)));
    }
  });

  it('answers an invalid scenario with its problems', async () => {
    const input: PlanInput = {
      planned: { ...example, horizon: { start: '2030-01', end: '2025-01' } },
      late: [],
      options: { solver: 'auto' },
    };
    const outcome = await planInWorker(input, BUILT_WORKER);
    expect(outcome.ok).toBe(false);
    expect(outcome).toEqual(await computePlan(input));
  });

  it('stops a plan when asked, and fails it without a plan', async () => {
    const large = generatedDocument({
      workloads: 2500,
      pools: 200,
      months: 48,
    }) as unknown as Record<string, unknown>;
    const running = new Set<Worker>();
    const planning = planInWorker(
      { planned: large, late: [], options: { solver: 'fast' } },
      BUILT_WORKER,
      running,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running.size).toBe(1);
    await Promise.all([...running].map((thread) => thread.terminate()));
    await expect(planning).rejects.toThrow('the planning worker exited with code 1 and no plan');
    expect(running.size).toBe(0);
  });

  it('fails, without a plan, when the worker cannot start', async () => {
    const missing = new URL('./no-such-worker.js', BUILT_WORKER);
    await expect(
      planInWorker({ planned: example, late: [], options: { solver: 'fast' } }, missing),
    ).rejects.toThrow();
  });
});
