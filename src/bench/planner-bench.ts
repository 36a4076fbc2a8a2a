import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import { generateScenario } from '../scenario/generate.js';
import { parseScenarioOrThrow } from '../scenario/parse.js';
import { createHighsSolver } from '../solver/highs-solver.js';
import { renderTable } from '../cli/table.js';
import {
  lpRelaxation,
  percent,
  planCommand,
  repeatPlanCommand,
  secs,
  usd,
  benchMachine,
  writeBenchReport,
} from './plan-command.js';
import type { LpOutcome, RepeatedRun, Run } from './plan-command.js';

/**
 * `npm run bench`: the planner ladder. Each rung is a generated scenario; our fast planner
 * and HiGHS (exact MIP, 60 s limit) run on it as whole `stargate plan` commands, side by side.
 * Ours runs three times: the table shows the median, and the three outputs must be the same
 * bytes. Where HiGHS does not prove optimality, its LP relaxation (60 s limit) gives the LP
 * optimum. Prints a table and writes bench/results.json (or --out).
 *
 *     node dist/bench/planner-bench.js [--rungs tiny,small] [--out FILE]
 */
const LADDER = [
  { name: 'tiny', workloads: 20, pools: 5, months: 6 },
  { name: 'small', workloads: 100, pools: 20, months: 12 },
  { name: 'medium', workloads: 300, pools: 40, months: 24 },
  { name: 'large', workloads: 1000, pools: 100, months: 36 },
  { name: 'xl', workloads: 2500, pools: 200, months: 48 },
  { name: 'full', workloads: 5000, pools: 300, months: 72 },
] as const;
const GANG_SHARE = 0.1;
const SEED = 1;
const HIGHS_LIMIT_SECONDS = 60;
const OUR_RUNS = 3;
interface Row {
  rung: string;
  workloads: number;
  pools: number;
  months: number;
  triples: number;
  /** The median of our runs, with every run's seconds and whether their plans were the same. */
  ours: RepeatedRun;
  /**
   * `planned`: the plan is HiGHS's own. Otherwise the command gave the fast planner's plan
   * (HiGHS overran its limit and was stopped, or stopped at it with a dearer plan) and
   * `exact` says what HiGHS did.
   */
  highs: Run & { planned: boolean };
  lp?: LpOutcome;
  speedup: number;
  oursVsHighs?: number;
  oursVsLp?: number;
}

const { values: flags } = parseArgs({
  options: { rungs: { type: 'string' }, out: { type: 'string' } },
});
const wanted = flags.rungs?.split(',').map((name) => name.trim());
const unknown = wanted?.filter((name) => !LADDER.some((rung) => rung.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `planner-bench: unknown rung ${unknown.join(', ')}; the rungs are ${LADDER.map((r) => r.name).join(', ')}\n`,
  );
  process.exit(2);
}
const ladder = LADDER.filter((rung) => !wanted || wanted.includes(rung.name));
const out = flags.out ?? join('bench', 'results.json');

const directory = mkdtempSync(join(tmpdir(), 'stargate-bench-'));
const solver = await createHighsSolver();
const results: Row[] = [];
try {
  for (const rung of ladder) {
    const document = generateScenario({
      ...rung,
      gangShare: GANG_SHARE,
      random: seededRandom(SEED),
    });
    const file = join(directory, `${rung.name}.json`);
    const text = JSON.stringify(document);
    writeFileSync(file, text);
    const problem = buildProblem(parseScenarioOrThrow(text));
    const ours = repeatPlanCommand(file, ['--solver', 'fast'], OUR_RUNS);
    const highs = planCommand(file, [
      '--solver',
      'exact',
      '--time-limit',
      String(HIGHS_LIMIT_SECONDS),
    ]).run;
    // HiGHS's plan only when it is HiGHS's: a stopped solve answers with the fast planner's.
    const highsPlanned = highs.exit === 0 && highs.method === 'exact';
    const lp =
      highsPlanned && highs.status === 'optimal'
        ? undefined
        : lpRelaxation(solver, problem, HIGHS_LIMIT_SECONDS);
    const highsOptimum = highsPlanned && highs.status === 'optimal' ? highs.totalUSD : undefined;
    results.push({
      rung: rung.name,
      workloads: rung.workloads,
      pools: rung.pools,
      months: rung.months,
      triples: problem.triples.count,
      ours,
      highs: { ...highs, planned: highsPlanned },
      ...(lp ? { lp } : {}),
      speedup: highs.seconds / ours.seconds,
      ...(highsOptimum !== undefined && ours.totalUSD !== undefined
        ? { oursVsHighs: (ours.totalUSD - highsOptimum) / highsOptimum }
        : {}),
      ...(lp?.objective !== undefined && ours.totalUSD !== undefined
        ? { oursVsLp: (ours.totalUSD - lp.objective) / lp.objective }
        : {}),
    });
    process.stderr.write(`${rung.name}: done\n`);
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

/** What HiGHS's column says: its status, or that it was stopped, or why it failed. */
function highsStatus(r: Row): string {
  if (r.highs.error !== undefined) return `error: ${r.highs.error}`;
  if (!r.highs.planned) {
    if (r.highs.exact?.status === 'overran') return 'stopped (overran)';
    return r.highs.exact?.status === 'failed' ? 'stopped (failed)' : 'time-limit (dearer)';
  }
  return r.highs.status ?? '-';
}

const table = renderTable(
  [
    'SIZE (w×p×m)',
    'TRIPLES',
    'OURS',
    'OUR OBJECTIVE',
    'OUR GAP',
    'PEAK',
    'SAME PLAN',
    'HIGHS',
    'HIGHS OBJECTIVE',
    'HIGHS STATUS',
    'SPEEDUP',
    'OURS vs HIGHS',
    'OURS vs LP',
  ],
  results.map((r) => [
    `${r.rung} ${r.workloads}×${r.pools}×${r.months}`,
    r.triples.toLocaleString('en-US'),
    secs(r.ours.seconds),
    usd(r.ours.totalUSD),
    percent(r.ours.gap),
    r.ours.peakMiB === undefined ? '-' : `${Math.round(r.ours.peakMiB)} MiB`,
    r.ours.samePlan ? 'yes' : 'NO',
    secs(r.highs.seconds),
    usd(r.highs.planned ? r.highs.totalUSD : r.highs.exact?.totalUSD),
    highsStatus(r),
    `${r.speedup.toFixed(1)}×`,
    percent(r.oursVsHighs),
    percent(r.oursVsLp),
  ]),
  [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'left',
    'right',
    'right',
    'left',
    'right',
    'right',
    'right',
  ],
);
writeBenchReport(out, table, {
  machine: benchMachine(),
  gangShare: GANG_SHARE,
  seed: SEED,
  highsLimitSeconds: HIGHS_LIMIT_SECONDS,
  ourRuns: OUR_RUNS,
  results,
});
process.stdout.write(`Wrote ${out}\n`);
if (results.some((r) => !r.ours.samePlan || r.ours.exit !== 0)) {
  process.stderr.write(
    'planner-bench: our planner failed or gave different plans for the same input\n',
  );
  process.exit(1);
}
