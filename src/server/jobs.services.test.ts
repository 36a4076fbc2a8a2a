import { hostname } from 'node:os';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../test-support/server-process.js';
import {
  EXAMPLE,
  api,
  sleep,
  startServer,
  stopAllServers,
} from '../test-support/server-process.js';
import { requireServerDatabase } from '../test-support/stores.js';
import type { JobQueue } from './jobs.js';
import { runJobs, workerName } from './jobs.js';
import { startPgBossJobQueue } from './pg-boss-jobs.js';

/**
 * The job queue in PostgreSQL (pg-boss): directly, then under real `stargate serve` processes
 * on one database — both take a share of one plan's clause re-solves, and the job of a process
 * killed while it runs is retried by the other. Needs STARGATE_TEST_DATABASE_URL (npm run
 * test:services); fails without.
 */

/** The short expiry the processes run with, so that a killed process's job comes back soon. */
const EXPIRY_SECONDS = 8;
/** pg-boss's schema in the processes' database: serve's default. */
const SCHEMA = 'stargate_jobs';

interface JobRow {
  id: string;
  state: string;
  retry_count: number;
  worker: string | null;
  terms: unknown;
}

interface Prices {
  plan: number;
  base: { totalUSD: number };
  solves: number;
  singles: { terms: string[]; priceUSD: number }[];
  pairs: { terms: string[]; priceUSD: number }[];
}

describe('the pg-boss job queue', () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let queue: JobQueue | undefined;
  afterAll(async () => {
    await queue?.close();
    await database?.drop();
  });

  it('makes one job of one key, keeps its result and worker, and restarts a failed job', async () => {
    database = await requireServerDatabase();
    const errors: Error[] = [];
    queue = await startPgBossJobQueue({
      url: database.url,
      schema: 'jobs_unit',
      concurrency: 2,
      onError: (error) => errors.push(error),
    });
    let squares = 0;
    queue.work('square', (data) => {
      squares++;
      const n = data as { n: number };
      return Promise.resolve({ square: n.n * n.n });
    });
    await queue.submit('square', 'three', { n: 3 });
    await queue.submit('square', 'three', { n: 3 });
    const [result] = await runJobs(queue, 'square', [{ key: 'three', data: { n: 3 } }]);
    expect(result).toEqual({ result: { square: 9 }, worker: workerName() });
    await queue.submit('square', 'three', { n: 3 });
    await sleep(1000);
    expect(squares).toBe(1);
    expect(await queue.get('square', 'four')).toBeUndefined();

    // Fails every try (the first and its retries), then succeeds once asked again.
    let failing = true;
    queue.work('flaky', () =>
      failing ? Promise.reject(new Error('solver crashed')) : Promise.resolve({ ok: true }),
    );
    await expect(runJobs(queue, 'flaky', [{ key: 'k', data: {} }])).rejects.toThrow(
      'solver crashed',
    );
    failing = false;
    const [again] = await runJobs(queue, 'flaky', [{ key: 'k', data: {} }]);
    expect(again?.result).toEqual({ ok: true });
    expect(errors).toEqual([]);
  });

  it('two processes starting workers of three kinds at once on a fresh schema: every kind runs in each', async () => {
    // pg-boss's createQueue deadlocks with another at once on a fresh schema: a server's three
    // kinds (clause re-solves, values, risk) used to be left, now and then, with one kind that no
    // worker of that process took — in CI, one process took every re-solve.
    database ??= await requireServerDatabase();
    const errors: Error[] = [];
    const queues = await Promise.all(
      ['p', 'q'].map(() =>
        startPgBossJobQueue({
          url: database!.url,
          schema: 'jobs_fresh',
          concurrency: 1,
          onError: (error) => errors.push(error),
        }),
      ),
    );
    try {
      const ran = new Map<string, number>();
      for (const [index, each] of queues.entries()) {
        for (const kind of ['one', 'two', 'three']) {
          each.work(kind, () => {
            ran.set(`${kind}@${index}`, (ran.get(`${kind}@${index}`) ?? 0) + 1);
            return Promise.resolve({ kind });
          });
        }
      }
      // Each process submits and runs jobs of every kind; each process's own submission wakes
      // its own worker, so in time each kind runs in each process.
      for (let round = 0; round < 40 && ran.size < 6; round++) {
        await Promise.all(
          queues.flatMap((each, index) =>
            ['one', 'two', 'three'].map((kind) =>
              runJobs(each, kind, [{ key: `${kind}-${index}-${round}`, data: {} }]),
            ),
          ),
        );
      }
      expect([...ran.keys()].sort()).toEqual(
        ['one@0', 'one@1', 'three@0', 'three@1', 'two@0', 'two@1'].sort(),
      );
      // Deadlocks were tried again, not reported: no error reached the process.
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(queues.map((each) => each.close()));
    }
  });
});

describe('stargate serve processes sharing jobs on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let client: pg.Client | undefined;
  let admin = '';
  /** The processes still running, by name. */
  const servers = new Map<string, ServerProcess>();

  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    if (!client) throw new Error('no database client');
    return (await client.query<R>(text, values)).rows;
  };

  /** One re-solve job at a time per process, each job back within EXPIRY_SECONDS. */
  const serve = async (name: string, args: readonly string[] = []) => {
    if (!database) throw new Error('no database');
    const server = await startServer({
      store: { databaseUrl: database.url },
      args: ['--job-workers', '1', '--job-expiry', String(EXPIRY_SECONDS), ...args],
    });
    servers.set(name, server);
    return server;
  };

  const workerOf = (server: ServerProcess) => `${hostname()}:${server.pid}`;

  /** The clause-solve jobs of one stored plan, wherever pg-boss keeps them now. */
  const solveJobs = (plan: number) =>
    query<JobRow>(
      `select id, state::text, retry_count, output->>'worker' as worker, data->'terms' as terms
         from ${SCHEMA}.job where name = 'clause-solve' and (data->>'plan')::int = $1
       union all
       select id, state::text, retry_count, output->>'worker' as worker, data->'terms' as terms
         from ${SCHEMA}.archive where name = 'clause-solve' and (data->>'plan')::int = $1`,
      [plan],
    );

  const newPlan = async (server: ServerProcess) => {
    const made = await api(server, 'POST', '/v1/plans', { token: admin, body: { solver: 'fast' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return (made.body as { id: number }).id;
  };

  /** Asks `server` for the plan's prices until they are ready (at most `seconds`). */
  const prices = async (server: ServerProcess, plan: number, seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const answer = await api(server, 'GET', `/v1/plans/${plan}/clauses`, { token: admin });
      if (answer.status === 200) return answer.body as Prices;
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      await sleep(250);
    }
    throw new Error(`plan ${plan}'s prices not ready within ${seconds} s`);
  };

  let first: Prices | undefined;

  afterAll(async () => {
    await stopAllServers();
    await client?.end();
    await database?.drop();
  });

  it('two processes both take re-solves of one plan’s clause pricing', async () => {
    database = await requireServerDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const a = await serve('a', ['--import', EXAMPLE]);
    admin = a.firstToken ?? '';
    const b = await serve('b');
    const plan = await newPlan(a);
    first = await prices(a, plan, 120);
    const jobs = await solveJobs(plan);
    // The base and each distinct relaxation: one job each, however many processes asked.
    expect(jobs).toHaveLength(first.solves + 1);
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);
    const byWorker = new Map<string, number>();
    for (const job of jobs)
      byWorker.set(job.worker ?? '', (byWorker.get(job.worker ?? '') ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual([workerOf(a), workerOf(b)].sort());
    // The other process answers from the same jobs, without solving again.
    expect(await prices(b, plan, 60)).toEqual(first);
    expect(await solveJobs(plan)).toHaveLength(jobs.length);
  });

  it('values and risk are jobs on the same queue, answered by either process', async () => {
    const a = servers.get('a');
    const b = servers.get('b');
    if (!a || !b) throw new Error('the first test did not run');
    const plan = await newPlan(b);
    /** Asks until 200 (at most three minutes: the value's re-plans share two busy cores). */
    const ready = async (server: ServerProcess, path: string) => {
      for (let i = 0; i < 720; i++) {
        const answer = await api(server, 'GET', path, { token: admin });
        if (answer.status === 200) return answer.body as Record<string, unknown>;
        expect(answer.status, JSON.stringify(answer.body)).toBe(202);
        await sleep(250);
      }
      throw new Error(`${path} not ready within three minutes`);
    };
    const value = await ready(a, `/v1/plans/${plan}/value`);
    expect(value['plan']).toBe(plan);
    expect((value['buildings'] as unknown[]).length).toBeGreaterThan(0);
    const risk = await ready(b, `/v1/plans/${plan}/risk?runs=50`);
    expect(risk).toMatchObject({ plan, runs: 50 });
    // The other process answers from the same jobs.
    expect(await ready(b, `/v1/plans/${plan}/value`)).toEqual(value);
    const jobs = await query<{ name: string; state: string }>(
      `select name, state::text from ${SCHEMA}.job where name in ('plan-value', 'plan-risk')
         and (data->>'plan')::int = $1 order by name`,
      [plan],
    );
    expect(jobs).toEqual([
      { name: 'plan-risk', state: 'completed' },
      { name: 'plan-value', state: 'completed' },
    ]);
  }, 300_000);

  it('a process killed while it holds a re-solve: the other retries it, and the prices are the same', async () => {
    const a = servers.get('a');
    const b = servers.get('b');
    if (!a || !b || !first) throw new Error('the first test did not run');
    // B stops (handing nothing back: it is idle), so that every job is A's to take.
    await b.kill('SIGTERM');
    servers.delete('b');
    const plan = await newPlan(a);
    const asked = await api(a, 'GET', `/v1/plans/${plan}/clauses`, { token: admin });
    expect(asked.status).toBe(202);
    let held: JobRow[] = [];
    for (let i = 0; i < 200 && held.length === 0; i++) {
      held = (await solveJobs(plan)).filter((job) => job.state === 'active');
      if (held.length === 0) await sleep(50);
    }
    expect(held.length).toBe(1);
    await a.kill('SIGKILL');
    servers.delete('a');

    const c = await serve('c');
    const killedAt = Date.now();
    const after = await prices(c, plan, 120);
    // The same scenario priced again: the same prices, but for the other plan.
    expect({ ...after, plan: first.plan }).toEqual(first);
    // The held job came back after its expiry and pg-boss's next maintenance (every
    // EXPIRY_SECONDS here); the rest is the re-solves on C's one worker.
    expect(Date.now() - killedAt).toBeLessThan(90_000);
    const jobs = await solveJobs(plan);
    const retried = jobs.find((job) => job.id === held[0]?.id);
    expect(retried).toMatchObject({ state: 'completed', worker: workerOf(c) });
    expect(retried?.retry_count).toBeGreaterThanOrEqual(1);
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);
  });

  it('a process stopped by SIGTERM while it holds a re-solve hands it back at once', async () => {
    const c = servers.get('c');
    if (!c) throw new Error('the previous test did not run');
    const plan = await newPlan(c);
    const asked = await api(c, 'GET', `/v1/plans/${plan}/clauses`, { token: admin });
    expect(asked.status).toBe(202);
    let held: JobRow[] = [];
    for (let i = 0; i < 200 && held.length === 0; i++) {
      held = (await solveJobs(plan)).filter((job) => job.state === 'active');
      if (held.length === 0) await sleep(50);
    }
    expect(held.length).toBe(1);
    await c.kill('SIGTERM');
    servers.delete('c');
    // Back in the queue, for the next process, without waiting for the expiry.
    const after = (await solveJobs(plan)).find((job) => job.id === held[0]?.id);
    expect(after?.state).toBe('retry');
  });
});
