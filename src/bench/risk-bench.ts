#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planProblem } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import { planRisk } from '../core/risk/risk.js';
import { loadScenarioFile } from '../scenario/load.js';
import { createHighsSolver } from '../solver/highs-solver.js';

/**
 * `npm run bench:risk`: a plan under slip risk (issue 15).
 *
 * 1. `stargate risk examples/stargate-2025.yaml --runs 1000` as a user runs it — a fresh
 *    process, the scenario planned exactly on HiGHS, then 1,000 slip draws with recourse
 *    (target ≤ 30 s).
 * 2. The 1,000 draws alone (`planRisk`), in a warm process, on the same plan.
 *
 * Medians of a few repetitions. Prints the numbers and writes bench/results-risk.json.
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-risk.json';
const REPEAT = Number(process.env.STARGATE_BENCH_REPEAT ?? 3);
const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const cli: number[] = [];
for (let i = 0; i < REPEAT; i++) {
  const started = performance.now();
  execFileSync(process.execPath, [BIN, 'risk', EXAMPLE, '--runs', '1000', '--seed', '1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cli.push((performance.now() - started) / 1000);
}

const scenario = await loadScenarioFile(EXAMPLE);
const problem = buildProblem(scenario);
const plan = planProblem(problem, { planner: 'exact', solver: await createHighsSolver() });
const workloadIndex = new Map(problem.workloads.map((w, i) => [w.id, i]));
const poolIndex = new Map(problem.pools.map((p, i) => [p.id, i]));
const placements = plan.assignments.map((a) => ({
  workload: workloadIndex.get(a.workload) ?? 0,
  pool: poolIndex.get(a.pool) ?? 0,
  period: a.period,
  gpus: a.gpus,
}));
const draws: number[] = [];
for (let i = 0; i <= REPEAT; i++) {
  const started = performance.now();
  planRisk(problem, placements, { runs: 1000, random: seededRandom(1) });
  // The first repetition warms the JIT and is dropped.
  if (i > 0) draws.push((performance.now() - started) / 1000);
}

const results = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
  measurements: [
    {
      name: 'stargate risk example --runs 1000 (fresh process, exact plan included)',
      targetSeconds: 30,
      medianSeconds: median(cli),
      runs: cli,
    },
    {
      name: 'planRisk, 1,000 draws with recourse (warm)',
      medianSeconds: median(draws),
      runs: draws,
    },
  ],
};
for (const m of results.measurements) {
  console.log(`${m.name}: median ${m.medianSeconds.toFixed(3)} s`);
}
await mkdir(dirname(OUTPUT), { recursive: true });
await writeFile(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);
