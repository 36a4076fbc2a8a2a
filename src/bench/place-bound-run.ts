/**
 * `node dist/bench/place-bound-run.js SCENARIO.json [--iterations N] [--plan-seconds S]
 * [--plan-out FILE]`: the place bound (`place-bound.ts`) of one scenario, as JSON on stdout,
 * progress on stderr; `--plan-out` writes its plan's placements (workload, pool, period, GPUs),
 * sorted, to FILE. The family bench runs it as a child process: its HiGHS then solves long models
 * at full speed, where the bench's own is set for many short solves (`highs-run.ts`), and its
 * memory is its own.
 */
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { planFast } from '../core/planner/fast.js';
import { buildProblem } from '../core/planner/problem.js';
import { parseScenarioOrThrow } from '../scenario/parse.js';
import { createHighsSolver } from '../solver/highs-solver.js';
import { placeBound } from './place-bound.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    iterations: { type: 'string' },
    'plan-seconds': { type: 'string' },
    'plan-out': { type: 'string' },
  },
});
const file = positionals[0];
if (!file) {
  process.stderr.write(
    'usage: place-bound-run SCENARIO.json [--iterations N] [--plan-seconds S] [--plan-out FILE]\n',
  );
  process.exit(2);
}
const problem = buildProblem(parseScenarioOrThrow(readFileSync(file, 'utf8')));
const solver = await createHighsSolver();
const start = planFast(problem, { solver }).placements;
const run = placeBound(problem, solver, {
  start,
  ...(values.iterations === undefined ? {} : { iterations: Number(values.iterations) }),
  ...(values['plan-seconds'] === undefined ? {} : { planSeconds: Number(values['plan-seconds']) }),
  onIteration: ({ iteration, bound, master }) =>
    process.stderr.write(
      `place bound ${iteration}: bound $${(bound / 1e9).toFixed(5)}B, master $${(master / 1e9).toFixed(5)}B\n`,
    ),
});
const { placements, ...summary } = run;
const out = values['plan-out'];
if (out !== undefined && !placements) {
  process.stderr.write(
    `place-bound-run: no plan to write to ${out} (${run.planStatus ?? 'none made'})\n`,
  );
} else if (out !== undefined && placements) {
  const rows = placements.map((p) => ({
    workload: problem.workloads[p.workload]?.id ?? String(p.workload),
    pool: problem.pools[p.pool]?.id ?? String(p.pool),
    period: p.period,
    gpus: p.gpus,
  }));
  const order = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  rows.sort(
    (a, b) => order(a.workload, b.workload) || order(a.pool, b.pool) || order(a.period, b.period),
  );
  writeFileSync(out, `${JSON.stringify(rows)}\n`);
}
// Written at once: the solver thread keeps the process alive, and an exit may cut a pipe's
// pending write.
writeSync(1, `${JSON.stringify(summary)}\n`);
process.exit(0);
