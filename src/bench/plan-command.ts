import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { buildExactModel } from '../core/planner/exact.js';
import type { PlacementProblem } from '../core/planner/problem.js';
import type { LinearSolver } from '../core/planner/solver.js';

/**
 * What the planner benchmarks share: `stargate plan` run as a whole command on the built CLI
 * (so they measure whatever `dist/` holds now), its peak memory, the LP relaxation, and the
 * table's number formats.
 */
export const BIN = join(process.cwd(), 'dist', 'cli', 'bin.js');

export interface Run {
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
export function planCommand(file: string, args: readonly string[]): { run: Run; text: string } {
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

/** Our planner's runs on one file: the median run, every run's seconds, and if all agreed. */
export interface RepeatedRun extends Run {
  runs: number[];
  samePlan: boolean;
}

/** Runs `stargate plan` `count` times; the median run, and whether the plans were the same. */
export function repeatPlanCommand(
  file: string,
  args: readonly string[],
  count: number,
): RepeatedRun {
  const runs = Array.from({ length: count }, () => planCommand(file, args));
  const middle = median(runs.map((r) => r.run.seconds));
  const chosen = runs.find((r) => r.run.seconds === middle) ?? runs[0];
  if (!chosen) throw new Error('no run');
  return {
    ...chosen.run,
    runs: runs.map((r) => Number(r.run.seconds.toFixed(3))),
    samePlan: runs.every((r) => r.run.exit === 0 && r.text === chosen.text),
  };
}

/** The LP relaxation's optimum, or why there is none. */
export interface LpOutcome {
  status: string;
  objective?: number;
  message?: string;
  seconds?: number;
}

/** Solves the exact model's LP relaxation with a time limit. */
export function lpRelaxation(
  solver: LinearSolver,
  problem: PlacementProblem,
  limitSeconds: number,
): LpOutcome {
  const started = performance.now();
  const outcome = solver.solve(buildExactModel(problem).model, {
    relax: true,
    timeLimitSeconds: limitSeconds,
  });
  const seconds = (performance.now() - started) / 1000;
  return 'objective' in outcome && outcome.status === 'optimal'
    ? { status: outcome.status, objective: outcome.objective, seconds }
    : {
        status: outcome.status,
        ...('message' in outcome ? { message: outcome.message } : {}),
        seconds,
      };
}

export const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export const percent = (value: number | undefined, digits = 3) =>
  value === undefined || !Number.isFinite(value) ? '-' : `${(value * 100).toFixed(digits)}%`;
export const usd = (value: number | undefined) =>
  value === undefined ? '-' : `$${(value / 1e9).toFixed(4)}B`;
export const secs = (value: number | undefined) =>
  value === undefined ? '-' : `${value.toFixed(2)}s`;
export const mib = (value: number | undefined) =>
  value === undefined ? '-' : `${Math.round(value)} MiB`;

/** The machine a benchmark ran on, as its JSON report records it. */
export const benchMachine = (): { cpus: number; node: string } => ({
  cpus: cpus().length,
  node: process.version,
});

/**
 * How fast the machine is now, in ms: the least of three runs of a fixed loop (3 × 10⁸ steps of
 * `x += i % 7`) in a fresh Node, each alone; null where none ran. A shared virtual machine's speed
 * moves by tens of percent within an hour as its neighbours' load does; a table's times are read
 * against this.
 */
export function loopMilliseconds(): number | null {
  return leastOfThree(
    'const t = performance.now(); let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; ' +
      'process.stdout.write(String(x > 0 ? performance.now() - t : -1));',
  );
}

/**
 * How fast the machine gives a process fresh memory now, in ms: the least of three runs, each in
 * a fresh Node, of touching every 4 KiB page of a new 64 MiB array once; null where none ran.
 * On this project's virtual machine a first touch costs about 10 µs a page, and it may move apart
 * from the loop's speed: start-up and a large plan (300 MiB at peak) pay it page by page.
 */
export function freshMemoryMilliseconds(): number | null {
  return leastOfThree(
    'const t = performance.now(); const a = new Uint8Array(64 * 1048576); ' +
      'for (let i = 0; i < a.length; i += 4096) a[i] = 1; ' +
      'process.stdout.write(String(a[4096] === 1 ? performance.now() - t : -1));',
  );
}

/** The least of three runs of `script` in a fresh Node, which prints its own milliseconds. */
function leastOfThree(script: string): number | null {
  let least = Infinity;
  for (let run = 0; run < 3; run++) {
    const child = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const ms = Number(child.stdout);
    if (child.status === 0 && ms > 0) least = Math.min(least, ms);
  }
  return Number.isFinite(least) ? Math.round(least) : null;
}

/** Prints a benchmark's table and writes its JSON report to `out` (its folder made if need be). */
export function writeBenchReport(out: string, table: string, report: object): void {
  process.stdout.write(`${table}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}
