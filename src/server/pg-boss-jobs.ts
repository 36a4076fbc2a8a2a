import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import type { Json } from './job-codec.js';
import type { JobHandler, JobQueue, JobState, JobStatus } from './jobs.js';
import { jobId, workerName } from './jobs.js';

/** The schema pg-boss keeps its tables in, beside the store's. */
export const DEFAULT_JOB_SCHEMA = 'stargate_jobs';

/**
 * Seconds a job may stay active before the queue takes it back and gives it to another
 * process: three times the 60 s a re-solve may take, so a slow solve is not taken from a live
 * process, while the job of a killed one is retried within about three minutes.
 */
export const DEFAULT_JOB_EXPIRY_SECONDS = 180;

/**
 * How often an idle worker asks the queue for a job. A job submitted here wakes this process's
 * workers at once; other processes' find it within this.
 */
const POLLING_INTERVAL_SECONDS = 1;

/** Tries of createQueue that deadlocked with another (see ensureQueue). */
const CREATE_TRIES = 5;

/** How long to wait before starting a kind's workers again after they first failed to start. */
const WORK_RETRY_MS = 1000;

/** Tries of a job besides the first: a killed process's job, or a solve that threw. */
const RETRY_LIMIT = 2;

export interface PgBossJobOptions {
  /** The PostgreSQL server's URL (the store's DATABASE_URL). */
  readonly url: string;
  /** Default `stargate_jobs`; tests use a fresh one. */
  readonly schema?: string;
  /** See DEFAULT_JOB_EXPIRY_SECONDS. */
  readonly expirySeconds?: number;
  /** Jobs of a kind this process runs at once, unless its `work` says: one per core to use. */
  readonly concurrency: number;
  /** Where the queue's own errors go (a lost connection); they never crash the process. */
  readonly onError: (error: Error) => void;
}

/** The job state the routes see, from pg-boss's. */
function stateOf(state: PgBoss.JobWithMetadata['state']): JobState {
  if (state === 'created' || state === 'retry') return 'queued';
  if (state === 'active') return 'running';
  if (state === 'completed') return 'done';
  return 'failed';
}

/** What a worker stores as a job's output: the result and who made it. */
interface Output {
  readonly worker: string;
  readonly result: Json;
}

/**
 * The job queue of servers on a PostgreSQL server: pg-boss, in its own schema of the store's
 * database, so every `stargate serve` on that database takes jobs from one queue. A job has
 * `expirySeconds` to finish; pg-boss's maintenance (here every 10 s at most) takes back an
 * active job past its expiry — its process was killed, or hangs — and another process runs it
 * again, up to RETRY_LIMIT times. A process that stops hands its running jobs back at once.
 */
export async function startPgBossJobQueue(options: PgBossJobOptions): Promise<JobQueue> {
  const expirySeconds = options.expirySeconds ?? DEFAULT_JOB_EXPIRY_SECONDS;
  const boss = new PgBoss({
    connectionString: options.url,
    schema: options.schema ?? DEFAULT_JOB_SCHEMA,
    application_name: 'stargate-jobs',
    max: 4,
    expireInSeconds: expirySeconds,
    retryLimit: RETRY_LIMIT,
    retryDelay: 0,
    maintenanceIntervalSeconds: Math.min(10, expirySeconds),
    schedule: false,
  });
  boss.on('error', options.onError);
  await boss.start();

  const worker = workerName();
  const queues = new Map<string, Promise<void>>();
  /** This process's pg-boss workers of each kind, to wake when a job of it is submitted. */
  const workers = new Map<string, string[]>();
  /** Rejects the handlers still running when the queue closes, so their jobs are retried. */
  const stopping = new Set<(error: Error) => void>();
  let closed = false;

  // createQueue is idempotent in the database; once per kind and process is enough. pg-boss's
  // createQueue deadlocks with another running at once on a fresh schema (it creates a table and
  // its indexes: measured, two of three at once in one process failed "deadlock detected"), so a
  // process creates one queue at a time and tries again after a deadlock; another process's
  // createQueue may still collide with this one, hence the tries.
  let creating: Promise<unknown> = Promise.resolve();
  const createQueue = async (kind: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await boss.createQueue(kind, {
          name: kind,
          retryLimit: RETRY_LIMIT,
          retryDelay: 0,
          expireInSeconds: expirySeconds,
        });
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== '40P01' || attempt >= CREATE_TRIES) throw error;
        await sleep(50 * attempt);
      }
    }
  };
  const ensureQueue = (kind: string): Promise<void> => {
    let created = queues.get(kind);
    if (!created) {
      created = creating.then(() => createQueue(kind));
      creating = created.catch(() => undefined);
      queues.set(kind, created);
      // A failure (the database away a moment) is not kept: the next submit tries again.
      created.catch(() => queues.delete(kind));
    }
    return created;
  };

  const runHandler = (handler: JobHandler, data: Json): Promise<Output> =>
    new Promise<Output>((resolve, reject) => {
      stopping.add(reject);
      handler(data).then(
        (result) => {
          stopping.delete(reject);
          resolve({ worker, result });
        },
        (error: unknown) => {
          stopping.delete(reject);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });

  const startWorkers = async (
    kind: string,
    handler: JobHandler,
    concurrency: number,
  ): Promise<void> => {
    await ensureQueue(kind);
    // Those started by an earlier try count: a try again starts only the rest.
    const ids = workers.get(kind) ?? [];
    workers.set(kind, ids);
    // pg-boss runs one job at a time per worker: `concurrency` workers for as many jobs.
    while (ids.length < concurrency) {
      const id = await boss.work<Json>(
        kind,
        { batchSize: 1, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS },
        async ([job]) => {
          if (!job) throw new Error('pg-boss handed a worker no job');
          // An object output is stored as it is; pg-boss would wrap anything else.
          return runHandler(handler, job.data);
        },
      );
      ids.push(id);
    }
  };

  return {
    worker,
    async submit(kind, key, data) {
      await ensureQueue(kind);
      const id = jobId(kind, key);
      // pg-boss wants an object; every job of ours sends one.
      const sent = await boss.send(kind, data as object, { id });
      // null: a job with this id exists. If it failed, this puts it back in the queue.
      if (sent === null) await boss.retry(kind, id);
      for (const worker of workers.get(kind) ?? []) boss.notifyWorker(worker);
    },
    async get(kind, key): Promise<JobStatus | undefined> {
      const job = await boss.getJobById<Json>(kind, jobId(kind, key), { includeArchive: true });
      if (!job) return undefined;
      const state = stateOf(job.state);
      // Null until the job ends; an error's fields on failure, under `value` on a timeout.
      const output = (job.output ?? {}) as Partial<Output> & {
        message?: string;
        value?: { message?: string };
      };
      if (state === 'done' && output.result !== undefined) {
        return { state, result: output.result, worker: output.worker ?? 'unknown' };
      }
      if (state === 'failed') {
        const message = output.message ?? output.value?.message;
        return { state, error: message ?? `pg-boss state ${job.state}` };
      }
      return { state };
    },
    work(kind, handler, workOptions = {}) {
      // A kind whose workers failed to start (its queue not created: the database away) is
      // tried again, soon and then less often, until the queue closes: a process must not be
      // left taking no jobs of a kind while it answers requests.
      const start = (attempt: number) => {
        if (closed) return;
        startWorkers(kind, handler, workOptions.concurrency ?? options.concurrency).catch(
          (error: unknown) => {
            options.onError(error instanceof Error ? error : new Error(String(error)));
            // 1 s, 2 s, 4 s… up to a minute: a lasting failure is retried, not logged each second.
            const wait = Math.min(WORK_RETRY_MS * 2 ** attempt, 60_000);
            setTimeout(() => {
              start(attempt + 1);
            }, wait).unref();
          },
        );
      };
      start(0);
    },
    async close() {
      if (closed) return;
      closed = true;
      const handedBack = new Error('the server is stopping; another process will run the job');
      for (const reject of stopping) reject(handedBack);
      stopping.clear();
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
    },
  };
}
