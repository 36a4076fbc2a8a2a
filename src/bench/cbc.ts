import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExactModel, readPlacements } from '../core/planner/exact.js';
import { finishPlan } from '../core/planner/finish.js';
import type { PlacementProblem } from '../core/planner/problem.js';
import type { LinearModel } from '../core/planner/solver.js';
import { microsToFloat } from '../core/money.js';

/**
 * A second prover for the family bench: COIN-OR's Cbc (Debian's `coinor-cbc`), run on the same
 * exact model HiGHS gets, written as MPS. Where HiGHS's WebAssembly build does not prove an
 * optimum in its limit (it ran out of its memory after 28 minutes on binding-commitments
 * medium), the native Cbc may; its plan is read back and priced by our own code, which checks
 * every clause and must find Cbc's objective, so a wrong model or a misread answer cannot pass
 * for an optimum. Optional: where
 * `cbc` is not installed the bench goes on with HiGHS's reference alone.
 */

/** Cbc's run on one instance. */
export interface CbcRun {
  /** `optimal`: proven within the relative gap `ratioGap`; `time-limit`: stopped at its limit. */
  status: 'optimal' | 'time-limit' | 'failed';
  seconds: number;
  limitSeconds: number;
  /** The model Cbc was given: {@link CBC_MODEL} (a cached run of another model is run again). */
  model?: string;
  /** Its best plan, priced exactly by our code (clauses checked); none where it found none. */
  totalUSD?: number;
  /** Its proven lower bound. */
  lowerBoundUSD?: number;
  version?: string;
  error?: string;
}

/**
 * The model Cbc gets: the exact model with its implied site rows (`siteRows` of
 * `buildExactModel`), on which Cbc's knapsack and flow covers see whole gangs. On `mixed` at
 * 400 × 60 × 36, 400 s: a plan of $202.18B and a bound of $201.71B, where on the plain model
 * 1,200 s found no plan and a bound of $201.63B.
 */
export const CBC_MODEL = 'exact + site rows';

/** What Cbc reads as an infinite bound. */
const INFINITE = 1e30;

/** The relative gap at which Cbc stops, as HiGHS's in `solveExact`. */
const RATIO_GAP = 1e-6;

/** Whether a `cbc` command is on the PATH. */
export function cbcAvailable(): boolean {
  const probe = spawnSync('cbc', ['-quit'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

/** Solves the instance's exact model with Cbc (one thread) within `limitSeconds`. */
export function cbcReference(problem: PlacementProblem, limitSeconds: number): CbcRun {
  const exact = buildExactModel(problem, { siteRows: true });
  const directory = mkdtempSync(join(tmpdir(), 'stargate-cbc-'));
  try {
    const model = join(directory, 'model.mps');
    const solution = join(directory, 'model.sol');
    writeFileSync(model, toMps(exact.model, 'stargate'));
    const started = performance.now();
    const child = spawnSync(
      'cbc',
      [
        model,
        '-sec',
        String(limitSeconds),
        '-ratioGap',
        String(RATIO_GAP),
        '-threads',
        '1',
        '-solve',
        '-solu',
        solution,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    const seconds = (performance.now() - started) / 1000;
    const log = child.stdout;
    const version = /^Version: (\S+)/m.exec(log)?.[1];
    const base = { seconds, limitSeconds, model: CBC_MODEL, ...(version ? { version } : {}) };
    if (child.status !== 0 || !existsSync(solution)) {
      return { ...base, status: 'failed', error: child.error?.message ?? lastLine(log) };
    }
    const status = /^Result - Optimal solution found/m.test(log)
      ? 'optimal'
      : /^Result - Stopped on time limit/m.test(log)
        ? 'time-limit'
        : undefined;
    if (status === undefined) return { ...base, status: 'failed', error: lastLine(log) };
    const objective = /^Objective value:\s+(\S+)/m.exec(log)?.[1];
    const bound = /^Lower bound:\s+(\S+)/m.exec(log)?.[1];
    // Stopped before any plan: its "objective" is Cbc's infinity, and only the bound counts.
    if (/No feasible solution found/.test(log) || Number(objective ?? Infinity) >= 1e49) {
      return {
        ...base,
        status,
        ...(bound === undefined ? {} : { lowerBoundUSD: Number(bound) }),
      };
    }
    const values = readSolution(readFileSync(solution, 'utf8'), exact.model.numCols);
    const plan = finishPlan(problem, readPlacements(problem, exact, values), {
      method: 'exact',
      status: status === 'optimal' ? 'optimal' : 'time-limit',
      boundSource: 'mip',
      bound: Number(bound ?? objective),
    });
    // Our price must be Cbc's: a plan dearer than Cbc says (a column misread) would make the
    // reference too high, and our gaps to it too small.
    const totalUSD = microsToFloat(plan.objective.total);
    const claimed = Number(objective);
    if (!(Math.abs(totalUSD - claimed) <= 1e-6 * Math.max(1, Math.abs(claimed)))) {
      return {
        ...base,
        status: 'failed',
        error: `Cbc's plan priced at ${totalUSD} by stargate, ${objective ?? 'nothing'} by Cbc`,
      };
    }
    // A plan proven optimal with no gap left prints no lower bound: its objective is the bound.
    const lower = bound ?? (status === 'optimal' ? objective : undefined);
    return {
      ...base,
      status,
      totalUSD,
      ...(lower === undefined ? {} : { lowerBoundUSD: Number(lower) }),
    };
  } catch (error) {
    return {
      status: 'failed',
      seconds: 0,
      limitSeconds,
      model: CBC_MODEL,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A model as free MPS: rows `r<i>`, columns `c<j>`, the offset as the objective's constant. */
export function toMps(model: LinearModel, name: string): string {
  const lines = [`NAME ${name}`, 'ROWS', ' N obj'];
  const kind = (r: number) => {
    const lower = model.rowLower[r] ?? 0;
    const upper = model.rowUpper[r] ?? 0;
    if (lower === upper) return 'E';
    if (lower === -Infinity) return upper === Infinity ? 'N' : 'L';
    return 'G';
  };
  for (let r = 0; r < model.numRows; r++) lines.push(` ${kind(r)} r${r}`);
  const byColumn: [number, number][][] = Array.from({ length: model.numCols }, () => []);
  for (let r = 0; r < model.numRows; r++) {
    for (let k = model.rowStarts[r] ?? 0; k < (model.rowStarts[r + 1] ?? 0); k++) {
      byColumn[model.rowIndex[k] ?? 0]?.push([r, model.rowValue[k] ?? 0]);
    }
  }
  lines.push('COLUMNS');
  let integers = false;
  for (let j = 0; j < model.numCols; j++) {
    const integer = model.integer[j] === 1;
    if (integer !== integers) {
      lines.push(` MARKER 'MARKER' '${integer ? 'INTORG' : 'INTEND'}'`);
      integers = integer;
    }
    lines.push(` c${j} obj ${model.colCost[j] ?? 0}`);
    for (const [r, value] of byColumn[j] ?? []) lines.push(` c${j} r${r} ${value}`);
  }
  if (integers) lines.push(" MARKER 'MARKER' 'INTEND'");
  lines.push('RHS', ` rhs obj ${-model.offset}`);
  const ranges: string[] = [];
  for (let r = 0; r < model.numRows; r++) {
    const lower = model.rowLower[r] ?? 0;
    const upper = model.rowUpper[r] ?? 0;
    const type = kind(r);
    if (type === 'N') continue;
    lines.push(` rhs r${r} ${type === 'L' ? upper : lower}`);
    if (type === 'G' && upper !== Infinity) ranges.push(` rng r${r} ${upper - lower}`);
  }
  if (ranges.length > 0) lines.push('RANGES', ...ranges);
  lines.push('BOUNDS');
  for (let j = 0; j < model.numCols; j++) {
    const lower = model.colLower[j] ?? 0;
    const upper = model.colUpper[j] ?? Infinity;
    // Infinite bounds as ±1e30, Cbc's infinity: its free-format reader misreads `MI` and `PL`,
    // which carry no value. An integer column with no upper bound is said to have none, as some
    // readers take an integer column without bounds as binary.
    if (lower !== 0) lines.push(` LO bnd c${j} ${lower === -Infinity ? -INFINITE : lower}`);
    if (upper !== Infinity) lines.push(` UP bnd c${j} ${upper}`);
    else if (model.integer[j] === 1) lines.push(` UP bnd c${j} ${INFINITE}`);
  }
  lines.push('ENDATA');
  return `${lines.join('\n')}\n`;
}

/** Cbc's solution file (`-solu`): one line per non-zero column, `index name value reduced`. */
function readSolution(text: string, columns: number): Float64Array {
  const values = new Float64Array(columns);
  for (const line of text.split('\n').slice(1)) {
    const [, name, value] = line
      .trim()
      .replace(/^\*\*\s*/, '')
      .split(/\s+/);
    if (name === undefined || value === undefined || !name.startsWith('c')) continue;
    values[Number(name.slice(1))] = Number(value);
  }
  return values;
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .at(-1) ?? 'no output'
  );
}
