import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildExactModel } from '../core/planner/exact.js';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import { generateScenario } from '../scenario/generate.js';
import { parseScenarioOrThrow } from '../scenario/parse.js';
import { createHighsSolver } from '../solver/highs-solver.js';
import { renderTable } from '../cli/table.js';

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
const BIN = join(process.cwd(), 'dist', 'cli', 'bin.js');

interface Run {
  seconds: number;
  exit: number;
  totalUSD?: number;
  lowerBoundUSD?: number;
  gap?: number;
  method?: string;
  status?: string;
  note?: string;
  /** When the fast planner's plan was given for an exact run: what HiGHS did. */
  exact?: { status: string; totalUSD?: number };
  peakMiB?: number;
  error?: string;
}

/** Runs `stargate plan` on a file; the run as measured, and the plan as printed. */
function plan(file: string, args: readonly string[]): { run: Run; text: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, [BIN, 'plan', file, '--format', 'json', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, STARGATE_REPORT_PEAK_MEMORY: '1' },
  });
  const seconds = (performance.now() - started) / 1000;
  const peak = /peak memory: (\d+) KiB/.exec(child.stderr);
  const run: Run = {
    seconds,
    exit: child.status ?? -1,
    ...(peak ? { peakMiB: Number(peak[1]) / 1024 } : {}),
  };
  const text = child.stdout;
  if (child.status !== 0) {
    const error = child.stderr.split('\n').find((l) => l.trim() !== '') ?? 'failed';
    return { run: { ...run, error }, text };
  }
  const json = JSON.parse(child.stdout) as {
    objective: { totalUSD: number };
    bound: { lowerBoundUSD: number; gap: number };
    solver: {
      method: string;
      status: string;
      note?: string;
      exact?: { status: string; totalUSD?: number };
    };
  };
  return {
    run: {
      ...run,
      totalUSD: json.objective.totalUSD,
      lowerBoundUSD: json.bound.lowerBoundUSD,
      gap: json.bound.gap,
      method: json.solver.method,
      status: json.solver.status,
      ...(json.solver.note === undefined ? {} : { note: json.solver.note }),
      ...(json.solver.exact === undefined ? {} : { exact: json.solver.exact }),
    },
    text,
  };
}

interface Row {
  rung: string;
  workloads: number;
  pools: number;
  months: number;
  triples: number;
  /** The median of our runs, with every run's seconds and whether their plans were the same. */
  ours: Run & { runs: number[]; samePlan: boolean };
  /**
   * `planned`: the plan is HiGHS's own. Otherwise the command gave the fast planner's plan
   * (HiGHS overran its limit and was stopped, or stopped at it with a dearer plan) and
   * `exact` says what HiGHS did.
   */
  highs: Run & { planned: boolean };
  lp?: { status: string; objective?: number; message?: string };
  speedup: number;
  oursVsHighs?: number;
  oursVsLp?: number;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const percent = (value: number | undefined, digits = 3) =>
  value === undefined || !Number.isFinite(value) ? '-' : `${(value * 100).toFixed(digits)}%`;
const usd = (value: number | undefined) =>
  value === undefined ? '-' : `$${(value / 1e9).toFixed(4)}B`;
const secs = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}s`);

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
    const runs = Array.from({ length: OUR_RUNS }, () => plan(file, ['--solver', 'fast']));
    const middle = median(runs.map((r) => r.run.seconds));
    const chosen = runs.find((r) => r.run.seconds === middle) ?? runs[0];
    if (!chosen) throw new Error('no run');
    const ours = chosen.run;
    const samePlan = runs.every((r) => r.run.exit === 0 && r.text === chosen.text);
    const highs = plan(file, [
      '--solver',
      'exact',
      '--time-limit',
      String(HIGHS_LIMIT_SECONDS),
    ]).run;
    // HiGHS's plan only when it is HiGHS's: a stopped solve answers with the fast planner's.
    const highsPlanned = highs.exit === 0 && highs.method === 'exact';
    let lp: Row['lp'];
    if (!(highsPlanned && highs.status === 'optimal')) {
      const outcome = solver.solve(buildExactModel(problem).model, {
        relax: true,
        timeLimitSeconds: HIGHS_LIMIT_SECONDS,
      });
      lp =
        'objective' in outcome && outcome.status === 'optimal'
          ? { status: outcome.status, objective: outcome.objective }
          : {
              status: outcome.status,
              ...('message' in outcome ? { message: outcome.message } : {}),
            };
    }
    const highsOptimum = highsPlanned && highs.status === 'optimal' ? highs.totalUSD : undefined;
    results.push({
      rung: rung.name,
      workloads: rung.workloads,
      pools: rung.pools,
      months: rung.months,
      triples: problem.triples.count,
      ours: { ...ours, runs: runs.map((r) => Number(r.run.seconds.toFixed(3))), samePlan },
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
    return r.highs.exact?.status === 'overran' ? 'stopped (overran)' : 'time-limit (dearer)';
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
process.stdout.write(`${table}\n`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      machine: { cpus: cpus().length, node: process.version },
      gangShare: GANG_SHARE,
      seed: SEED,
      highsLimitSeconds: HIGHS_LIMIT_SECONDS,
      ourRuns: OUR_RUNS,
      results,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`Wrote ${out}\n`);
if (results.some((r) => !r.ours.samePlan || r.ours.exit !== 0)) {
  process.stderr.write(
    'planner-bench: our planner failed or gave different plans for the same input\n',
  );
  process.exit(1);
}
