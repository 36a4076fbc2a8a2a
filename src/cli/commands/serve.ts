import { availableParallelism } from 'node:os';
import { sql } from 'drizzle-orm';
import { readScenarioDocument } from '../../scenario/load.js';
import { buildApp } from '../../server/app.js';
import type { StoreLocation } from '../../store/db.js';
import type { JobQueue } from '../../server/jobs.js';
import { createInProcessJobQueue } from '../../server/jobs.js';
import { DEFAULT_JOB_EXPIRY_SECONDS, startPgBossJobQueue } from '../../server/pg-boss-jobs.js';
import { auditedTransaction } from '../../store/events.js';
import { countTokens, createAuditedToken } from '../../store/tokens.js';
import { hasScenario, replaceScenario } from '../../store/scenario-store.js';
import { parseCommandArgs, positiveNumber, wholeNumber } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { VERSION } from '../version.js';
import { FLEET_FLAGS, fleetSettingsFrom } from '../fleet-options.js';
import { STORE_FLAGS, describeLocation, locationFrom, openCliStore } from '../store-options.js';

/**
 * Any fixed number: serialises the first-start steps (--import, the first admin token) of
 * processes starting together on one PostgreSQL database, so that one imports and one makes the
 * token and the others see theirs.
 */
const FIRST_START_LOCK = 7_277_002;

import { serveUsage } from '../usage.js';

export { serveUsage };

/**
 * `stargate serve`: the HTTP API on the store (PGlite in --data DIR, default ~/.stargate, or the
 * PostgreSQL server in DATABASE_URL). `--import FILE` loads a scenario when the store has none.
 * On a store without tokens, it creates an admin token and prints it once.
 */
export async function serveCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    'serve',
    argv,
    {
      ...STORE_FLAGS,
      port: { type: 'string' },
      host: { type: 'string' },
      import: { type: 'string' },
      'sweep-every': { type: 'string' },
      'log-level': { type: 'string' },
      'job-expiry': { type: 'string' },
      'job-workers': { type: 'string' },
      'max-plans': { type: 'string' },
      'plan-queue': { type: 'string' },
      'rate-limit': { type: 'string' },
      ...FLEET_FLAGS,
    },
    { min: 0, max: 0, usage: serveUsage },
  );
  const port = wholeNumber('port', values.port, 8080, 0, 65535);
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  const sweepSeconds = positiveNumber('sweep-every', values['sweep-every']) ?? 5;
  const level = typeof values['log-level'] === 'string' ? values['log-level'] : 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new UsageError(
      `--log-level: expected fatal, error, warn, info, debug, trace or silent, got ${level}`,
    );
  }
  // Seconds a job (one re-solve, a value computation) may run before the queue gives it to
  // another process: what bounds the wait for the job of a killed process.
  const jobExpiry = wholeNumber(
    'job-expiry',
    values['job-expiry'],
    DEFAULT_JOB_EXPIRY_SECONDS,
    1,
    3600,
  );
  const jobWorkers = wholeNumber(
    'job-workers',
    values['job-workers'],
    availableParallelism(),
    1,
    256,
  );
  // Plans computed at once, and how many more may wait before a 429: each running plan holds
  // a worker thread (and on PostgreSQL a connection) for seconds to minutes.
  const planLimits = {
    running: wholeNumber('max-plans', values['max-plans'], 2, 1, 64),
    waiting: wholeNumber('plan-queue', values['plan-queue'], 8, 0, 1000),
  };
  // Requests a token may make a minute in this process; 0 turns the limit off. The default
  // leaves room for a site of 10,000 node agents on one token (333 heartbeats a second).
  const rateLimitPerMinute = wholeNumber('rate-limit', values['rate-limit'], 60_000, 0, 10_000_000);
  const importFile = typeof values.import === 'string' ? values.import : undefined;
  const importDoc = importFile === undefined ? undefined : await readScenarioDocument(importFile);

  const fleet = await fleetSettingsFrom(values);
  const location = locationFrom(values);
  const store = await openCliStore(location);
  let jobs: JobQueue;
  try {
    jobs = await openJobQueue(location, jobExpiry, jobWorkers, io);
  } catch (error) {
    await store.close();
    throw error;
  }
  const app = buildApp({
    store,
    version: VERSION,
    logger: { level },
    fleet,
    jobs,
    planLimits,
    rateLimitPerMinute,
  });
  const log = app.fastify.log;
  try {
    if (importDoc && importFile) {
      const imported = await store.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_START_LOCK})`);
        if (await hasScenario(tx)) return false;
        await replaceScenario(tx, importDoc);
        return true;
      });
      log.info(
        { file: importFile, imported },
        imported ? 'imported the scenario' : 'the store holds a scenario already; --import skipped',
      );
    }
    const first = await auditedTransaction(store.db, async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_START_LOCK})`);
      if ((await countTokens(tx)) > 0) return undefined;
      return createAuditedToken(
        tx,
        { role: 'admin', label: 'first admin token, created by serve' },
        new Date(),
        'system:serve',
      );
    });
    if (first) {
      io.err(
        `\nNo tokens yet: created an admin token. It is shown this once; keep it.\n\n  export STARGATE_TOKEN=${first.secret}\n\n`,
      );
    }
    await app.housekeeping();
    await app.fastify.listen({ port, host });
    const address = app.fastify.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    log.info(
      { queue: store.kind === 'postgres' ? 'pg-boss' : 'in-process', jobExpiry, jobWorkers },
      'running jobs',
    );
    io.err(
      `stargate ${VERSION} serving http://${host}:${actualPort} (store: ${describeLocation(location)}); API docs at /docs\n`,
    );
  } catch (error) {
    await app.fastify.close();
    await store.close();
    if ((error as { code?: string }).code === 'EADDRINUSE')
      throw new UsageError(`--port: port ${port} is in use`);
    throw error;
  }

  const timer = setInterval(() => {
    app.housekeeping().catch((error: unknown) => {
      log.error({ err: error }, 'deadline sweep failed');
    });
  }, sweepSeconds * 1000);
  await new Promise<void>((resolve) => {
    const stop = () => {
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(timer);
  log.info('shutting down');
  await app.fastify.close();
  await store.close();
  return 0;
}

/**
 * The queue the long computations run on: in PostgreSQL (pg-boss) on a server store, so that
 * every process on the database shares the work; in this process on PGlite, which is one
 * process by design.
 */
async function openJobQueue(
  location: StoreLocation,
  expirySeconds: number,
  concurrency: number,
  io: Io,
): Promise<JobQueue> {
  if (location.kind !== 'postgres') return createInProcessJobQueue({ concurrency });
  return startPgBossJobQueue({
    url: location.url,
    expirySeconds,
    concurrency,
    onError: (error) => {
      io.err(`job queue: ${error.message}\n`);
    },
  });
}
