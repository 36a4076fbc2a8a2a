import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'node:worker_threads';
import type { LinearModel, SolveOptions, SolveOutcome } from '../core/planner/solver.js';
import { loadHighs, runHighs } from './highs-run.js';

/**
 * The solver thread (started by highs-solver.ts): loads HiGHS once, then answers one solve at a
 * time, for as long as the thread that started it lives or until it is ended (a solve that
 * overran its time limit). Every failure it can catch, thrown or rejected anywhere in the
 * thread, is answered as an error; one it cannot (the thread running out of memory) leaves the
 * caller waiting until its limit (without one, for good: in the caller's own thread, the
 * same failure would have ended the process).
 */

/** What the thread is started with. */
export interface SolverThreadData {
  /** Requests come in and answers go out on this port. */
  readonly port: MessagePort;
  /** Set to 1, and notified, once an answer is on the port: the caller blocks on it. */
  readonly flag: Int32Array;
  /** How HiGHS is compiled (`HighsSolverOptions.manyShortSolves`). */
  readonly manyShortSolves: boolean;
}

/** One solve to run. */
export interface SolveRequest {
  readonly model: LinearModel;
  readonly options: SolveOptions;
}

const { port, flag, manyShortSolves } = workerData as SolverThreadData;
const highs = loadHighs({ manyShortSolves });
// A failed load is answered to each request below; unobserved here, it would end the thread.
highs.catch(() => undefined);
let busy = false;

function answer(outcome: SolveOutcome): void {
  if (!busy) return;
  busy = false;
  port.postMessage(outcome);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function fail(error: unknown): void {
  answer({ status: 'error', message: error instanceof Error ? error.message : String(error) });
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
port.on('message', (request: SolveRequest) => {
  busy = true;
  highs
    .then((loaded) => {
      answer(runHighs(loaded, request.model, request.options));
    })
    .catch(fail);
});
