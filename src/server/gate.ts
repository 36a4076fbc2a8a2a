import { HttpError } from '../store/errors.js';

/** How many computations of a kind run at once in a process, and how many may wait. */
export interface GateLimits {
  readonly running: number;
  readonly waiting: number;
}

export interface Gate {
  /**
   * Waits for a place and returns its release; refuses at once with 429 and Retry-After when
   * `running` are running and `waiting` already wait. A wait that `signal` ends (the caller
   * hung up) leaves the line at once, its place to the next caller, and rejects with 503.
   */
  enter(signal?: AbortSignal): Promise<() => void>;
  /** Running and waiting now, for metrics. */
  readonly load: () => { running: number; waiting: number };
}

/** How long a refused client should wait before asking again, in seconds. */
const RETRY_AFTER_SECONDS = 10;

/**
 * Bounds the plans a process computes at once (each holds a worker thread and, on PostgreSQL, a
 * connection and its transaction, for seconds to minutes): the next few wait their turn, in
 * order; past that the caller is told to come back rather than queued without end.
 */
export function createGate(what: string, limits: GateLimits): Gate {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };
  return {
    load: () => ({ running, waiting: queue.length }),
    enter(signal) {
      if (signal?.aborted) return Promise.reject(gone());
      if (running < limits.running) {
        running++;
        return Promise.resolve(once(release));
      }
      if (queue.length >= limits.waiting) {
        return Promise.reject(
          new HttpError(
            429,
            'too_many_requests',
            `${running} ${what} computing and ${queue.length} waiting in this process, its most; try again in ${RETRY_AFTER_SECONDS} s`,
            undefined,
            { 'retry-after': String(RETRY_AFTER_SECONDS) },
          ),
        );
      }
      // The place passes straight from the one that leaves to the first in line.
      return new Promise((resolve, reject) => {
        const admit = () => {
          signal?.removeEventListener('abort', leave);
          resolve(once(release));
        };
        const leave = () => {
          const at = queue.indexOf(admit);
          if (at >= 0) queue.splice(at, 1);
          reject(gone());
        };
        signal?.addEventListener('abort', leave, { once: true });
        queue.push(admit);
      });
    },
  };
}

function gone(): HttpError {
  return new HttpError(503, 'gone', 'the caller closed the connection while its plan waited');
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
