import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * Where HiGHS does not prove optimality, its LP relaxation (60 s limit) gives the LP optimum.
 * Prints a table and writes bench/results.json.
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
const BIN = join(process.cwd(), 'dist', 'cli', 'bin.js');

interface Run {
  seconds: number;
  exit: number;
  totalUSD?: number;
  lowerBoundUSD?: number;
  gap?: number;
  status?: string;
  peakMiB?: number;
  error?: string;
}

function plan(file: string, args: readonly string[]): Run {
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
  if (child.status !== 0) {
    return { ...run, error: child.stderr.split('\n').find((l) => l.trim() !== '') ?? 'failed' };
  }
  const json = JSON.parse(child.stdout) as {
    objective: { totalUSD: number };
    bound: { lowerBoundUSD: number; gap: number };
    solver: { status: string };
  };
  return {
    ...run,
    totalUSD: json.objective.totalUSD,
    lowerBoundUSD: json.bound.lowerBoundUSD,
    gap: json.bound.gap,
    status: json.solver.status,
  };
}

const percent = (value: number | undefined, digits = 3) =>
  value === undefined || !Number.isFinite(value) ? '-' : `${(value * 100).toFixed(digits)}%`;
const usd = (value: number | undefined) =>
  value === undefined ? '-' : `$${(value / 1e9).toFixed(4)}B`;
const secs = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}s`);

const directory = mkdtempSync(join(tmpdir(), 'stargate-bench-'));
const solver = await createHighsSolver();
const results = [];
try {
  for (const rung of LADDER) {
    const document = generateScenario({
      ...rung,
      gangShare: GANG_SHARE,
      random: seededRandom(SEED),
    });
    const file = join(directory, `${rung.name}.json`);
    const text = JSON.stringify(document);
    writeFileSync(file, text);
    const problem = buildProblem(parseScenarioOrThrow(text));
    const ours = plan(file, ['--solver', 'fast']);
    const highs = plan(file, ['--solver', 'exact', '--time-limit', String(HIGHS_LIMIT_SECONDS)]);
    let lp: { status: string; objective?: number } | undefined;
    if (highs.status !== 'optimal') {
      const outcome = solver.solve(buildExactModel(problem).model, {
        relax: true,
        timeLimitSeconds: HIGHS_LIMIT_SECONDS,
      });
      lp =
        'objective' in outcome && outcome.status === 'optimal'
          ? { status: outcome.status, objective: outcome.objective }
          : { status: outcome.status };
    }
    const row = {
      rung: rung.name,
      workloads: rung.workloads,
      pools: rung.pools,
      months: rung.months,
      triples: problem.triples.count,
      ours,
      highs,
      ...(lp ? { lp } : {}),
      speedup: highs.seconds / ours.seconds,
      oursVsHighs:
        highs.status === 'optimal' && ours.totalUSD !== undefined && highs.totalUSD
          ? (ours.totalUSD - highs.totalUSD) / highs.totalUSD
          : undefined,
      oursVsLp:
        lp?.objective !== undefined && ours.totalUSD !== undefined
          ? (ours.totalUSD - lp.objective) / lp.objective
          : undefined,
    };
    results.push(row);
    process.stderr.write(`${rung.name}: done\n`);
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const table = renderTable(
  [
    'SIZE (w×p×m)',
    'TRIPLES',
    'OURS',
    'OUR OBJECTIVE',
    'OUR GAP',
    'PEAK',
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
    secs(r.highs.seconds),
    usd(r.highs.totalUSD),
    r.highs.status ?? r.highs.error ?? '-',
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
    'right',
    'right',
    'left',
    'right',
    'right',
    'right',
  ],
);
process.stdout.write(`${table}\n`);
mkdirSync('bench', { recursive: true });
writeFileSync(
  join('bench', 'results.json'),
  `${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, gangShare: GANG_SHARE, seed: SEED, highsLimitSeconds: HIGHS_LIMIT_SECONDS, results }, null, 2)}\n`,
);
process.stdout.write('Wrote bench/results.json\n');
