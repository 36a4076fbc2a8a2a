#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { renderTable } from '../cli/table.js';
import type { ServerProcess } from '../tools/server-process.js';
import { EXAMPLE, api, sleep, startServer, stopAllServers } from '../tools/server-process.js';
import { BENCH_DATABASE_URL, serverDatabase } from './bench-database.js';

/**
 * `npm run bench:jobs`: clause pricing of the example through the API, its re-solves jobs on
 * the queue in PostgreSQL, with one `stargate serve` process and with two on one database. Each
 * process runs one job at a time (`--job-workers 1`), so two processes are two cores' worth of
 * re-solves; a third row is one process with two workers, what a single process does with both
 * cores. Timed from the first `GET /v1/plans/{id}/clauses` to its 200, for a fresh plan each
 * time (a plan's prices are kept once made). On two cores (the bench re-runs itself under
 * `taskset -c 0,1` where the machine has more and taskset exists; PostgreSQL is not pinned).
 *
 * Prints a table and writes bench/results-jobs.json (STARGATE_BENCH_OUT to change).
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-jobs.json';
const REPEAT = Number(process.env.STARGATE_BENCH_REPEAT ?? 3);
/** How often the bench asks for the prices; the route's own poll of the queue is 250 ms. */
const POLL_MS = 100;

interface Setup {
  readonly name: string;
  readonly processes: number;
  readonly workersEach: number;
}

const SETUPS: readonly Setup[] = [
  { name: '1 process, 1 worker', processes: 1, workersEach: 1 },
  { name: '2 processes, 1 worker each', processes: 2, workersEach: 1 },
  { name: '1 process, 2 workers', processes: 1, workersEach: 2 },
];

interface Row extends Setup {
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  /** Re-solves per process, summed over the timed runs (from the jobs' outputs). */
  readonly jobsByProcess: readonly number[];
  /**
   * The re-solves' own seconds (start to completion in the queue), summed over the timed runs
   * and divided by their wall time: how many ran at once, on average.
   */
  readonly jobsAtOnce: number;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

/** Re-runs this bench on cores 0 and 1 where the machine has more; true when it did. */
function pinnedRerun(): boolean {
  if (process.env['STARGATE_BENCH_PINNED'] || availableParallelism() <= 2 || !hasTaskset()) {
    return false;
  }
  const result = spawnSync(
    'taskset',
    ['-c', '0,1', process.execPath, fileURLToPath(import.meta.url)],
    { stdio: 'inherit', env: { ...process.env, STARGATE_BENCH_PINNED: '1' } },
  );
  process.exitCode = result.status ?? 1;
  return true;
}

/** Seconds from the first ask to the prices, for a plan made just before. */
async function timePricing(
  server: ServerProcess,
  token: string,
): Promise<{ plan: number; seconds: number }> {
  const made = await api(server, 'POST', '/v1/plans', { token, body: { solver: 'fast' } });
  if (made.status !== 201) throw new Error(`POST /v1/plans: ${made.status}`);
  const plan = (made.body as { id: number }).id;
  const start = performance.now();
  for (;;) {
    const answer = await api(server, 'GET', `/v1/plans/${plan}/clauses`, { token });
    if (answer.status === 200) return { plan, seconds: (performance.now() - start) / 1000 };
    if (answer.status !== 202) {
      throw new Error(
        `GET clauses of plan ${plan}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function measure(setup: Setup): Promise<Row> {
  const database = await serverDatabase('jobs');
  if (!database) throw new Error(`no PostgreSQL server at ${BENCH_DATABASE_URL}`);
  try {
    const args = ['--job-workers', String(setup.workersEach)];
    const servers: ServerProcess[] = [
      await startServer({ store: database.store, args: [...args, '--import', EXAMPLE] }),
    ];
    const token = servers[0]?.firstToken;
    if (!token) throw new Error('the first process made no admin token');
    for (let i = 1; i < setup.processes; i++) {
      servers.push(await startServer({ store: database.store, args }));
    }
    const [first] = servers;
    if (!first) throw new Error('no server');
    // A first pricing warms each process (HiGHS loaded in its worker threads), not timed.
    await timePricing(first, token);
    const runs: { plan: number; seconds: number }[] = [];
    for (let i = 0; i < REPEAT; i++) runs.push(await timePricing(first, token));
    const seconds = runs.map((run) => run.seconds);
    const jobs = await jobsOf(
      database.url,
      servers,
      runs.map((run) => run.plan),
    );
    await stopAllServers();
    const sorted = [...seconds].sort((a, b) => a - b);
    return {
      ...setup,
      seconds,
      medianSeconds: sorted[Math.floor(sorted.length / 2)] ?? NaN,
      jobsByProcess: jobs.byProcess,
      jobsAtOnce: jobs.seconds / seconds.reduce((sum, x) => sum + x, 0),
    };
  } finally {
    await stopAllServers();
    await database.drop();
  }
}

/** How many re-solves each process did for the plans, and their seconds in all. */
async function jobsOf(
  url: string,
  servers: readonly ServerProcess[],
  plans: readonly number[],
): Promise<{ byProcess: number[]; seconds: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ worker: string; n: number; seconds: number }>(
      `select output->>'worker' as worker, count(*)::int as n,
              sum(extract(epoch from completed_on - started_on))::float8 as seconds
         from (select output, started_on, completed_on, data from stargate_jobs.job
                where name = 'clause-solve'
               union all
               select output, started_on, completed_on, data from stargate_jobs.archive
                where name = 'clause-solve') jobs
        where (data->>'plan')::int = any($1::int[])
        group by 1`,
      [plans],
    );
    return {
      byProcess: servers.map(
        (server) => rows.find((row) => row.worker.endsWith(`:${server.pid}`))?.n ?? 0,
      ),
      seconds: rows.reduce((sum, row) => sum + row.seconds, 0),
    };
  } finally {
    await client.end();
  }
}

if (!pinnedRerun()) {
  const rows: Row[] = [];
  for (const setup of SETUPS) rows.push(await measure(setup));
  const [baseline] = rows;
  const fixed = (x: number) => x.toFixed(2);
  console.log(
    renderTable(
      ['SETUP', 'MEDIAN S', 'RUNS S', 'SPEED-UP', 'RE-SOLVES AT ONCE', 'RE-SOLVES BY PROCESS'],
      rows.map((r) => [
        r.name,
        fixed(r.medianSeconds),
        r.seconds.map(fixed).join(' '),
        baseline ? `${(baseline.medianSeconds / r.medianSeconds).toFixed(2)}x` : '',
        fixed(r.jobsAtOnce),
        r.jobsByProcess.join(' + '),
      ]),
      ['left', 'right', 'left', 'right', 'right', 'left'],
    ),
  );
  const pinned = Boolean(process.env['STARGATE_BENCH_PINNED']);
  console.log(
    `${pinned ? 'pinned to cores 0,1 of' : 'on'} ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB; PostgreSQL at ${new URL(BENCH_DATABASE_URL).host}`,
  );
  await mkdir(dirname(OUTPUT), { recursive: true });
  await writeFile(
    OUTPUT,
    `${JSON.stringify(
      {
        machine: {
          cores: availableParallelism(),
          pinned,
          cpu: cpus()[0]?.model ?? 'unknown',
          node: process.version,
        },
        scenario: 'examples/stargate-2025.yaml',
        rows,
      },
      null,
      2,
    )}\n`,
  );
}
