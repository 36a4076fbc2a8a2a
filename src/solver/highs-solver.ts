import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type * as HighsModule from 'highs';
import type {
  LinearModel,
  LinearSolver,
  SolveOptions,
  SolveOutcome,
} from '../core/planner/solver.js';

// The package's types describe a CommonJS module while Node loads its ES build; both agree
// on the loader being the `default` member of the namespace.
type Highs = Awaited<ReturnType<(typeof HighsModule)['default']>>;

let loading: Promise<Highs> | undefined;

/**
 * Loads the HiGHS WebAssembly module once per process, and its JavaScript only then: a
 * command that never solves exactly (`plan --solver fast`) does not pay for it.
 */
function loadHighs(): Promise<Highs> {
  loading ??= import('highs').then((module) => module.default());
  return loading;
}

/**
 * How long past its own time limit HiGHS may run before it is stopped: 1 s and 5 %. HiGHS
 * checks its clock between the steps of its search, and some steps (presolve, heuristics at
 * the root) can run for minutes on a large model without looking at it.
 */
function defaultGraceSeconds(timeLimitSeconds: number): number {
  return 1 + timeLimitSeconds * 0.05;
}

export interface HighsSolverOptions {
  /** Seconds past a solve's time limit before it is stopped; default 1 s + 5 %. */
  readonly graceSeconds?: (timeLimitSeconds: number) => number;
}

/**
 * The `LinearSolver` port on HiGHS (WebAssembly, single-threaded). Deterministic: same model
 * and options, same answer. Loads the module on first use.
 *
 * A solve with a time limit runs in a worker thread, and the caller waits for it at most the
 * limit and its grace: if HiGHS has not stopped by then, the worker is ended and the outcome
 * is `overran` — the time limit is kept even where HiGHS does not keep it.
 */
export async function createHighsSolver(settings: HighsSolverOptions = {}): Promise<LinearSolver> {
  const highs = await loadHighs();
  const grace = settings.graceSeconds ?? defaultGraceSeconds;
  return {
    name: 'HiGHS',
    solve: (model, options) =>
      options.timeLimitSeconds === undefined
        ? runHighs(highs, model, options)
        : solveInWorker(model, options, options.timeLimitSeconds + grace(options.timeLimitSeconds)),
  };
}

/**
 * Runs one solve on a loaded HiGHS. Self-contained — its source is also what the worker
 * thread runs — so it uses nothing but its arguments.
 */
function runHighs(highs: Highs, model: LinearModel, options: SolveOptions): SolveOutcome {
  const finite = (values: Float64Array) =>
    Float64Array.from(values, (v) =>
      v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v,
    );
  const relax = options.relax === true || !model.integer.includes(1);
  const instance = highs.createModel({
    numCols: model.numCols,
    numRows: model.numRows,
    offset: model.offset,
    colCost: model.colCost,
    colLower: finite(model.colLower),
    colUpper: finite(model.colUpper),
    rowLower: finite(model.rowLower),
    rowUpper: finite(model.rowUpper),
    matrix: {
      format: 'csr',
      numRows: model.numRows,
      numCols: model.numCols,
      starts: model.rowStarts,
      indices: model.rowIndex,
      values: model.rowValue,
    },
    ...(relax ? {} : { integrality: Int32Array.from(model.integer) }),
  });
  try {
    instance.options.set({
      output_flag: false,
      random_seed: 0,
      mip_rel_gap: options.relativeGap ?? 1e-6,
      ...(options.timeLimitSeconds === undefined ? {} : { time_limit: options.timeLimitSeconds }),
    });
    if (options.start && !relax) instance.setSolution({ colValue: options.start });
    instance.run();
    const status = instance.getModelStatus();
    const codes = highs.constants.modelStatus;
    // A model without columns (nothing eligible, no commitments) is not solved at all: its
    // optimum is the offset, and HiGHS reports it as empty rather than optimal.
    if (status === codes.empty) {
      return {
        status: 'optimal',
        values: new Float64Array(model.numCols),
        objective: model.offset,
        bound: model.offset,
        ...(options.duals === true ? { rowDuals: new Float64Array(model.numRows) } : {}),
      };
    }
    const hasSolution = Number(instance.info.get('primal_solution_status')) === 2; /* feasible */
    if (status === codes.infeasible) {
      return { status: 'infeasible', message: 'the model is infeasible' };
    }
    if (status !== codes.optimal && status !== codes.timeLimit) {
      return { status: 'error', message: `HiGHS stopped with model status ${status}` };
    }
    if (!hasSolution) {
      return { status: 'no-solution', message: 'no feasible solution within the time limit' };
    }
    const objective = instance.getObjectiveValue();
    const bound = relax
      ? status === codes.optimal
        ? objective
        : -Infinity
      : Number(instance.info.get('mip_dual_bound'));
    const solution = instance.getSolution();
    const withDuals =
      relax &&
      options.duals === true &&
      status === codes.optimal &&
      Number(instance.info.get('dual_solution_status')) === 2; /* feasible */
    return {
      status: status === codes.optimal ? 'optimal' : 'time-limit',
      values: Float64Array.from(solution.colValue),
      objective,
      bound: Number.isFinite(bound) ? bound : -Infinity,
      ...(withDuals ? { rowDuals: Float64Array.from(solution.rowDual) } : {}),
    };
  } finally {
    instance.dispose();
  }
}

/**
 * The worker: loads HiGHS (its CommonJS build, by path), runs `runHighs`, posts the outcome
 * on its port and raises the flag the caller waits on. Any failure it can catch, thrown or
 * rejected anywhere in the thread, is posted as an error; one it cannot (the thread running out
 * of memory) leaves the caller waiting until its limit.
 *
 * `runHighs` travels as its source text, so it must use nothing but its arguments; this keeps
 * one file for the solver whether it runs compiled or from TypeScript under the test runner.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const runHighs = (${runHighs.toString()});
let answered = false;
const finish = (outcome) => {
  if (answered) return;
  answered = true;
  workerData.port.postMessage(outcome);
  Atomics.store(workerData.flag, 0, 1);
  Atomics.notify(workerData.flag, 0);
};
const fail = (error) =>
  finish({ status: 'error', message: String((error && error.message) || error) });
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
require(workerData.highsPath)
  .default()
  .then((highs) => finish(runHighs(highs, workerData.model, workerData.options)))
  .catch(fail);
`;

/**
 * Solves in a worker thread and blocks until it answers or `waitSeconds` pass; the caller
 * stays synchronous, as the port is.
 */
function solveInWorker(
  model: LinearModel,
  options: SolveOptions,
  waitSeconds: number,
): SolveOutcome {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The source is CommonJS: `--input-type=module` (node -e scripts) must not reach it.
    execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
    workerData: {
      model,
      options,
      flag,
      port: port2,
      highsPath: createRequire(import.meta.url).resolve('highs'),
    },
    transferList: [port2],
  });
  worker.unref();
  // A failure the worker could not post, or one after the caller stopped waiting, changes
  // nothing here: the caller has its answer, or reports that none came.
  worker.on('error', () => {});
  try {
    Atomics.wait(flag, 0, 0, waitSeconds * 1000);
    const answer = receiveMessageOnPort(port1);
    if (!answer) {
      const seconds = (value: number) => Number(value.toFixed(3));
      return {
        status: 'overran',
        message: `HiGHS gave no answer within its ${seconds(options.timeLimitSeconds ?? 0)} s time limit and was stopped after ${seconds(waitSeconds)} s`,
      };
    }
    return answer.message as SolveOutcome;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
