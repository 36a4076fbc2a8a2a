import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type {
  LinearModel,
  LinearSolver,
  SolveOptions,
  SolveOutcome,
} from '../core/planner/solver.js';
import type { SolveRequest, SolverThreadData } from './highs-worker.js';

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
  /**
   * Start the solver thread at the first solve, not here: for a solver that may not be used
   * (the fast planner's sub-MIPs over gang runs, its Benders round, run on medium portfolios
   * only), so that a plan which does not use it does not load HiGHS.
   */
  readonly lazy?: boolean;
  /**
   * The solves will be many and short (the fast planner's sub-MIPs): HiGHS's functions are
   * compiled optimised from their first call (`highs-run.ts`), which makes a long solve much
   * slower. The setting is V8's, for the whole process: once a solver thread has started with
   * it, every later solve in the process has it, whatever its own solver asked. So only for a
   * process that solves nothing long afterwards (`planScenario` for `plan`, `ledger` and
   * `risk`). Default false.
   */
  readonly manyShortSolves?: boolean;
}

/**
 * The `LinearSolver` port on HiGHS (WebAssembly, single-threaded). Deterministic: same model
 * and options, same answer.
 *
 * HiGHS runs in a solver thread of its own, which loads it once and keeps it for every solve
 * of this thread's solvers: the thread that plans never loads it. The caller waits for each
 * answer, at most a solve's time limit and its grace: if HiGHS has not stopped by then, the
 * solver thread is ended and the outcome is `overran` — the time limit is kept even where
 * HiGHS does not keep it — and the next solve starts a fresh one. The thread starts here, so
 * that HiGHS loads while the caller builds its model (or, `lazy`, at the first solve).
 */
export function createHighsSolver(settings: HighsSolverOptions = {}): Promise<LinearSolver> {
  const grace = settings.graceSeconds ?? defaultGraceSeconds;
  const manyShortSolves = settings.manyShortSolves === true;
  if (settings.lazy !== true) solverThread(manyShortSolves);
  return Promise.resolve({
    name: 'HiGHS',
    solve: (model, options) =>
      solveInThread(
        manyShortSolves,
        model,
        options,
        options.timeLimitSeconds === undefined
          ? Infinity
          : options.timeLimitSeconds + grace(options.timeLimitSeconds),
      ),
  });
}

/**
 * The solver thread's module: compiled next to this one (`dist/`), or its TypeScript source
 * where this module runs from source (the unit tests), read through tsx's loader.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = new URL(FROM_SOURCE ? './highs-worker.ts' : './highs-worker.js', import.meta.url);

interface SolverThread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly flag: Int32Array;
}

let current: SolverThread | undefined;
let started = 0;

/**
 * How many solver threads this thread has started, each of which loads HiGHS once: one,
 * shared by all its solvers, and one more after each solve that overran or failed.
 */
export function solverThreadsStarted(): number {
  return started;
}

function solverThread(manyShortSolves: boolean): SolverThread {
  if (current) return current;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const workerData: SolverThreadData = { port: port2, flag, manyShortSolves };
  const options = {
    workerData,
    transferList: [port2],
    // Workers inherit the parent's flags: `--input-type=module` (node -e scripts) must not
    // reach the bootstrap below, which is a script.
    execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
  };
  const worker = FROM_SOURCE
    ? new Worker(fromSource(WORKER), { ...options, eval: true })
    : new Worker(WORKER, options);
  // Neither keeps the process alive: a command ends when its work does.
  worker.unref();
  port1.unref();
  // A failure the thread could not answer, or one after the caller stopped waiting, changes
  // nothing here: the caller has its answer, or reports that none came.
  worker.on('error', () => {});
  started += 1;
  current = { worker, port: port1, flag };
  return current;
}

/** A script that loads a TypeScript module through tsx, and answers the first solve if it cannot. */
function fromSource(module: URL): string {
  return `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import(${JSON.stringify(module.href)});
  })
  .catch((error) => {
    workerData.port.postMessage({ status: 'error', message: String(error) });
    Atomics.store(workerData.flag, 0, 1);
    Atomics.notify(workerData.flag, 0);
  });
`;
}

/** A pause of a millisecond, for a thread that may not sleep otherwise. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks until the solver thread's answer is on the port, or `waitSeconds` pass. The thread
 * posts its answer, then sets the flag; once (in CI, 2026-12-06) the wait ended and the port
 * held nothing yet, so a set flag with an empty port is looked at again each millisecond, and a
 * wait that ended with the flag still clear (spurious) waits on for the time left.
 */
function awaitAnswer(thread: SolverThread, waitSeconds: number): { message: unknown } | undefined {
  const deadline = performance.now() + waitSeconds * 1000;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return receiveMessageOnPort(thread.port);
    Atomics.wait(thread.flag, 0, 0, left);
    const answer = receiveMessageOnPort(thread.port);
    if (answer) return answer;
    if (Atomics.load(thread.flag, 0) !== 0) Atomics.wait(PAUSE, 0, 0, 1);
  }
}

function stop(thread: SolverThread): void {
  if (current === thread) current = undefined;
  thread.port.close();
  void thread.worker.terminate();
}

/**
 * Solves in the solver thread and blocks until it answers or `waitSeconds` pass; the caller
 * stays synchronous, as the port is.
 */
function solveInThread(
  manyShortSolves: boolean,
  model: LinearModel,
  options: SolveOptions,
  waitSeconds: number,
): SolveOutcome {
  const thread = solverThread(manyShortSolves);
  // An answer before any question: the thread could not start, and says why.
  const early = receiveMessageOnPort(thread.port);
  if (early) {
    stop(thread);
    return early.message as SolveOutcome;
  }
  Atomics.store(thread.flag, 0, 0);
  const request: SolveRequest = { model, options };
  thread.port.postMessage(request);
  const answer = awaitAnswer(thread, waitSeconds);
  if (!answer) {
    stop(thread);
    const seconds = (value: number) => Number(value.toFixed(3));
    return {
      status: 'overran',
      message: `HiGHS gave no answer within its ${seconds(options.timeLimitSeconds ?? 0)} s time limit and was stopped after ${seconds(waitSeconds)} s`,
    };
  }
  const outcome = answer.message as SolveOutcome;
  // A HiGHS that failed may be left in any state: the next solve gets a fresh one.
  if (outcome.status === 'error') stop(thread);
  return outcome;
}
