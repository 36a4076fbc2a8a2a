import { createHash } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { Json } from './job-codec.js';

/**
 * Work that outgrows one process: clause prices, values and risk runs are many independent
 * re-solves. The routes hand them to a `JobQueue` and poll it. On a PostgreSQL server the queue
 * lives in the database (`pg-boss-jobs.ts`), so every server process on it takes a share and a
 * killed process's job is retried by another; on PGlite it runs in this process
 * (`createInProcessJobQueue`), with the same answers.
 */

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** Where a job stands; `result` once done, `error` once failed (after its retries). */
export interface JobStatus {
  readonly state: JobState;
  readonly result?: Json;
  /** The process that did it (`host:pid`): which process took which share. */
  readonly worker?: string;
  readonly error?: string;
}

/** Does one job: its data in, its result out, both JSON (`job-codec.ts` for bigints). */
export type JobHandler = (data: Json) => Promise<Json>;

export interface JobQueue {
  /** This process's name in job results: `host:pid`. */
  readonly worker: string;
  /**
   * Makes sure the job `key` of `kind` exists: the same kind and key from any process is one
   * job, so a submit while it is queued, running or done changes nothing. A failed job is
   * started again (the caller saw the failure and asks anew).
   */
  submit(kind: string, key: string, data: Json): Promise<void>;
  /** The job's state, or undefined where no process submitted it. */
  get(kind: string, key: string): Promise<JobStatus | undefined>;
  /**
   * Lets this process do jobs of `kind`, at most `concurrency` at once (default: the queue's,
   * one per core): a kind whose work runs on one thread asks for one. Register each kind once.
   */
  work(kind: string, handler: JobHandler, options?: { concurrency?: number }): void;
  /** Stops taking jobs; jobs this process still runs are handed back (or simply dropped). */
  close(): Promise<void>;
}

/** This process, as job results name it. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * The job id of a kind and key: a UUID (pg-boss wants one) made from a SHA-256 of both, so
 * every process derives the same id from the same key and sending it twice makes one job.
 *
 * @example jobId('clause-solve', '7@2026-12-05T10:00:00.000Z/base') // '3f1c…-…-5…-…-…'
 */
export function jobId(kind: string, key: string): string {
  const hex = createHash('sha256').update(`${kind}\n${key}`).digest('hex');
  // Version 5 (name-based) and the RFC 4122 variant, so that it reads as a valid UUID.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

interface InProcessJob {
  state: JobState;
  readonly kind: string;
  readonly data: Json;
  result?: Json;
  error?: string;
  /** When it finished (ms), for forgetting it. */
  finishedAt?: number;
}

/**
 * How long the in-process queue keeps a finished job: results are plans, large on a large
 * portfolio, and their waiter (polling every 250 ms) took them long before; the aggregate is
 * kept by the route.
 */
const KEEP_FINISHED_MS = 10 * 60_000;

/**
 * The queue of a server on PGlite, which is one process by design: jobs run here, at most
 * `concurrency` at once (default one per core), in the order submitted. A failed job is not
 * retried (no other process could have held it); submitting it again starts it again. A
 * finished job is forgotten after ten minutes.
 */
export function createInProcessJobQueue(options: { concurrency?: number } = {}): JobQueue {
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const worker = workerName();
  const jobs = new Map<string, InProcessJob>();
  const handlers = new Map<string, JobHandler>();
  /** Each kind's most at once, and how many of it run now. */
  const limits = new Map<string, number>();
  const runningByKind = new Map<string, number>();
  let running = 0;
  let closed = false;

  function nextJob(): InProcessJob | undefined {
    for (const job of jobs.values()) {
      if (job.state !== 'queued' || !handlers.has(job.kind)) continue;
      if ((runningByKind.get(job.kind) ?? 0) < (limits.get(job.kind) ?? concurrency)) return job;
    }
    return undefined;
  }

  function drain(): void {
    while (!closed && running < concurrency) {
      const job = nextJob();
      const handler = job && handlers.get(job.kind);
      if (!job || !handler) return;
      job.state = 'running';
      running++;
      runningByKind.set(job.kind, (runningByKind.get(job.kind) ?? 0) + 1);
      // The handler's failure is the job's, kept for `get`: nothing is left unhandled.
      handler(job.data)
        .then(
          (result) => {
            job.state = 'done';
            job.result = result;
            job.finishedAt = Date.now();
          },
          (error: unknown) => {
            job.state = 'failed';
            job.error = error instanceof Error ? error.message : String(error);
            job.finishedAt = Date.now();
          },
        )
        .finally(() => {
          running--;
          runningByKind.set(job.kind, (runningByKind.get(job.kind) ?? 1) - 1);
          drain();
        });
    }
  }

  function forgetOld(): void {
    const before = Date.now() - KEEP_FINISHED_MS;
    for (const [id, job] of jobs) {
      if (job.finishedAt !== undefined && job.finishedAt < before) jobs.delete(id);
    }
  }

  function checkOpen(): void {
    if (closed) throw new Error('the job queue is closed');
  }

  return {
    worker,
    // async, so that a closed queue's refusal is a rejection like pg-boss's.
    // eslint-disable-next-line @typescript-eslint/require-await
    async submit(kind, key, data) {
      checkOpen();
      forgetOld();
      const id = jobId(kind, key);
      const existing = jobs.get(id);
      if (!existing || existing.state === 'failed') {
        // Re-inserted, so that it queues behind the jobs already waiting.
        jobs.delete(id);
        jobs.set(id, { state: 'queued', kind, data });
        drain();
      }
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async get(kind, key) {
      checkOpen();
      const job = jobs.get(jobId(kind, key));
      if (!job) return undefined;
      return {
        state: job.state,
        ...(job.result === undefined ? {} : { result: job.result, worker }),
        ...(job.error === undefined ? {} : { error: job.error }),
      };
    },
    work(kind, handler, workOptions = {}) {
      handlers.set(kind, handler);
      if (workOptions.concurrency !== undefined) {
        limits.set(kind, Math.max(1, workOptions.concurrency));
      }
      drain();
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

/** How often `runJobs` asks where the jobs stand. */
const POLL_MS = 250;

/** A job's result and the process that made it. */
export interface JobResult {
  readonly result: Json;
  readonly worker: string;
}

/**
 * Submits the jobs and waits until all are done: their results, in the order given. A failure
 * is thrown (the other jobs run on; asking again submits the failed one anew). A process that
 * waits and dies loses nothing: the jobs are in the queue, and the next request anywhere waits
 * on the same ones.
 */
export async function runJobs(
  queue: JobQueue,
  kind: string,
  jobs: readonly { readonly key: string; readonly data: Json }[],
): Promise<JobResult[]> {
  for (const job of jobs) await queue.submit(kind, job.key, job.data);
  const results: JobResult[] = [];
  // Asked in order, from the first not yet done, stopping at one still to do: a round costs a
  // query or two, not one per job, however many hundred pairs a portfolio has.
  while (results.length < jobs.length) {
    const job = jobs[results.length];
    if (!job) break;
    const status = await queue.get(kind, job.key);
    if (status === undefined) {
      // Gone: a queue that keeps jobs a while forgot it. Again.
      await queue.submit(kind, job.key, job.data);
    } else if (status.state === 'failed') {
      throw new Error(`job ${kind} ${job.key} failed: ${status.error ?? 'no reason given'}`);
    } else if (status.state === 'done') {
      if (status.result === undefined) throw new Error(`job ${kind} ${job.key} has no result`);
      results.push({ result: status.result, worker: status.worker ?? 'unknown' });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return results;
}
