import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Problem } from '../scenario/problems.js';
import { formatPath, sortProblems } from '../scenario/problems.js';
import { issueProblems } from '../scenario/parse.js';
import type { Queryable, Store, Tx } from '../store/db.js';
import { appendEvent, auditedTransaction } from '../store/events.js';
import type { IdempotentRequest } from '../store/idempotency.js';
import {
  KeyTaken,
  claimKey,
  offerClaim,
  pruneKeys,
  saveResponse,
  settleClaim,
} from '../store/idempotency.js';
import { ConflictProblems } from '../store/scenario-store.js';
import type { Principal } from '../store/tokens.js';
import { bearerToken, takeRevoked } from '../store/tokens.js';
import { TokenCache } from '../store/token-cache.js';
import { offersDue, sweepDeadlines } from '../store/procurement.js';
import { probeClock } from '../store/clock-probe.js';
import { offerReads } from './offer-reads.js';
import { quietDeadlines } from './quiet-deadlines.js';
import type { FleetSettings } from '../store/fleet.js';
import { DEFAULT_FLEET_SETTINGS } from '../store/fleet.js';
import { sweepFleet } from '../store/fleet-deliveries.js';
import { registerFleetGauges } from './fleet-metrics.js';
import { HttpError } from '../store/errors.js';
import { Metrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { docsPage } from './docs-page.js';
import type { Reply, Route } from './route.js';
import { allRoutes } from './routes/index.js';
import type { JobQueue } from './jobs.js';
import { createInProcessJobQueue } from './jobs.js';
import { registerPlanJobs } from './plan-jobs.js';
import type { PlanRunnerHandle } from './planning.js';
import { createPlanRunner } from './planning.js';
import type { GateLimits } from './gate.js';
import { createGate } from './gate.js';
import { repeatsKey } from '../scenario/json-keys.js';
import { registerStream } from './stream.js';
import { defaultWebRoot, registerWeb } from './web.js';

/**
 * How long a reading of the database's clock, run on by this process's monotonic clock, stands
 * for a request's time (ms).
 */
const FRESH_MS = 1000;

/** The time on the database's clock; tests pass their own. */
export type Clock = (db: Queryable) => Promise<Date>;

export const databaseClock: Clock = async (db) => {
  const result = await db.execute(sql`select now() as now`);
  const [row] = (result as { rows: { now: Date | string }[] }).rows;
  return new Date(row?.now ?? Date.now());
};

export interface AppOptions {
  readonly store: Store;
  readonly clock?: Clock;
  /** pino options, or false for no logs (tests). */
  readonly logger?: boolean | Record<string, unknown>;
  readonly version: string;
  /**
   * The built dashboard's folder (default dist/web beside the compiled server), or false for
   * none (tests of the API alone).
   */
  readonly webRoot?: string | false;
  /** How often /v1/stream reads the event log while someone listens (ms; default 250). */
  readonly streamPollMs?: number;
  /** How often /v1/stream checks a subscriber's token again (ms; default 30 s). */
  readonly streamRecheckMs?: number;
  /** How heartbeats are judged and kept; default DEFAULT_FLEET_SETTINGS. */
  readonly fleet?: FleetSettings;
  /**
   * Where long computations (clause prices, values) run as jobs: `serve` passes the queue in
   * PostgreSQL on a server store; default, this process's. The app closes it.
   */
  readonly jobs?: JobQueue;
  /**
   * Requests a token may make a minute in this process (all routes under /v1); past that, 429
   * with Retry-After. Undefined or 0: no limit (tests; `serve` sets one).
   */
  readonly rateLimitPerMinute?: number;
  /** How plans are computed; default a worker thread each (tests pass their own). */
  readonly planRunner?: PlanRunnerHandle;
  /**
   * Plans (and what-ifs) computed at once in this process, and how many more may wait; past
   * that, 429 with Retry-After. Default 2 running, 8 waiting.
   */
  readonly planLimits?: GateLimits;
  /**
   * Exact what-if answers this process computes or has waiting at once (they share one thread,
   * up to a minute each); a what-if past that gets its first answer only (`exact.status:
   * skipped`). Default 4.
   */
  readonly whatIfExactAtOnce?: number;
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly metrics: Metrics;
  /** Lets offers past their deadline lapse; procurement routes call it first. */
  sweep(): Promise<number>;
  /**
   * The sweep, forgetting expired Idempotency-Keys, and the fleet's deliveries and history:
   * `serve` calls it on a timer.
   */
  housekeeping(): Promise<number>;
}

/** The HTTP API: every route under /v1, plus health, readiness, metrics, OpenAPI and docs. */
export function buildApp(options: AppOptions): App {
  const { store } = options;
  const clock = options.clock ?? databaseClock;
  const fleet = options.fleet ?? DEFAULT_FLEET_SETTINGS;
  const metrics = new Metrics();
  const jobs = options.jobs ?? createInProcessJobQueue();
  registerPlanJobs(jobs, store.db);
  const offers = offerReads(store);
  const routes = allRoutes(jobs, {
    offers,
    ...(options.whatIfExactAtOnce === undefined
      ? {}
      : { whatIfExactAtOnce: options.whatIfExactAtOnce }),
  });
  const planLimits = options.planLimits ?? { running: 2, waiting: 8 };
  // As many planning threads as plans may run at once, so that an admitted plan never waits.
  const planner = options.planRunner ?? createPlanRunner(planLimits.running);
  const planGate = createGate('plans', planLimits);
  const fastify = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    // The whole request must arrive within a minute (a 64 MiB scenario on a slow link); what a
    // handler may take is bounded per route (a plan: its time limit) and by the database's
    // statement timeout.
    requestTimeout: 60_000,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
  });

  registerProtections(fastify, options.rateLimitPerMinute);

  const sweep = async (): Promise<number> => {
    // Most requests find nothing due: one cheap read (an index on state and deadline) spares
    // them the sweep's transaction.
    if (!(await offersDue(store.db, options.clock ? await clock(store.db) : undefined))) return 0;
    return lapse();
  };

  const lapse = async (): Promise<number> => {
    const lapsed = await inTransaction(async (tx) =>
      sweepDeadlines(tx, await clock(tx), 'system:deadline'),
    );
    if (lapsed > 0)
      metrics.count(
        'stargate_offers_lapsed_total',
        'Offers that lapsed at their deadline.',
        lapsed,
      );
    return lapsed;
  };

  /**
   * The database's clock as this process last read it (the token lookup and the deadline check
   * read it with their query), run on by the monotonic clock: a request's time without a query
   * of its own. Behind the database's by at most the reading's round trip.
   */
  let clockReading: { db: number; at: number } | undefined;
  const observeClock = (now: Date) => {
    clockReading = { db: now.getTime(), at: performance.now() };
  };
  const estimatedClock = (): Date | undefined => {
    if (options.clock || !clockReading) return undefined;
    const age = performance.now() - clockReading.at;
    return age < FRESH_MS ? new Date(clockReading.db + age) : undefined;
  };
  const tokens = new TokenCache(store);
  const deadlines = quietDeadlines();

  const housekeeping = async (): Promise<number> => {
    await inTransaction(async (tx) => pruneKeys(tx, await clock(tx)));
    const swept = await inTransaction(async (tx) => sweepFleet(tx, await clock(tx), fleet));
    if (swept.deliveries > 0)
      metrics.count(
        'stargate_agent_deliveries_recorded_total',
        "Months' deliveries recorded or changed from node agents' observations.",
        swept.deliveries,
      );
    return sweep();
  };
  registerFleetGauges(metrics, store, clock, fleet);

  metrics.gauge('stargate_offers_pending', 'Offers waiting for their holder.', async () => {
    const result = await store.db.execute(
      sql`select count(*)::int as n from offers where state = 'pending'`,
    );
    return (result as { rows: { n: number }[] }).rows[0]?.n ?? 0;
  });
  metrics.gauge('stargate_requests_cleared', 'Requests cleared and not yet awarded.', async () => {
    const result = await store.db.execute(
      sql`select count(*)::int as n from requests where state = 'cleared'`,
    );
    return (result as { rows: { n: number }[] }).rows[0]?.n ?? 0;
  });

  fastify.addHook('onReady', () => tokens.start());
  fastify.addHook('onReady', () => offers.start());
  fastify.addHook('onClose', () => tokens.close());
  fastify.addHook('onClose', () => offers.close());

  // Before in-flight requests are waited for: a plan still computing would hold the close
  // (and its transaction) for minutes. Its request fails and changes nothing.
  fastify.addHook('preClose', () => planner.stop());
  fastify.addHook('preClose', async () => {
    await Promise.all(
      routes.flatMap((definition) => (definition.close ? [definition.close()] : [])),
    );
  });
  // Before in-flight requests too: results still awaited fail, and this process's running jobs
  // go back to the queue for another process.
  fastify.addHook('preClose', () => jobs.close());

  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  // JSON bodies as Fastify parses them (prototype poisoning refused), and a key repeated in
  // one object refused too: JSON.parse would keep the last value without a word.
  const parseJson = fastify.getDefaultJsonParser('error', 'error') as (
    request: FastifyRequest,
    body: string,
    done: (error: Error | null, value?: unknown) => void,
  ) => void;
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    parseJson(request, text, (error, value) => {
      if (error) done(error, undefined);
      else if (repeatsKey(text)) {
        done(
          new HttpError(
            400,
            'invalid_request',
            'body: a key appears twice in one object; keep one',
          ),
          undefined,
        );
      } else done(null, value);
    });
  });

  fastify.setErrorHandler(async (error: unknown, request, reply) => {
    const mapped = toHttpError(error);
    // Only the cause: the failed query's parameters (a token's hash, say) stay out of the log.
    if (mapped.status === 503)
      request.log.warn({ cause: rootCause(error) }, 'the database is unavailable');
    else if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    await sendError(reply, mapped, request.id);
  });
  fastify.setNotFoundHandler(async (request, reply) => {
    await sendError(
      reply,
      new HttpError(
        404,
        'not_found',
        `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      ),
      request.id,
    );
  });

  // Routes are added once the plugins above have loaded (compression and the rate limit
  // attach themselves to each route as it is added), hence after().
  let stream: ReturnType<typeof registerStream> | undefined;
  /**
   * Each request's caller, the database's time when it was authenticated (unknown when the token
   * came from the cache), and when that was on this process's monotonic clock (to tell whether
   * that time is still fresh).
   */
  const principals = new WeakMap<
    FastifyRequest,
    { principal: Principal; now: Date | undefined; at: number }
  >();
  fastify.after((error) => {
    if (error) throw error;
    if (options.rateLimitPerMinute !== undefined && options.rateLimitPerMinute > 0) {
      fastify.addHook('onRequest', fastify.rateLimit());
    }
    fastify.get('/healthz', () => Promise.resolve({ status: 'ok' }));
    fastify.get('/readyz', async (_request, reply) => {
      try {
        await store.db.execute(sql`select 1`);
        return { status: 'ready', store: store.kind };
      } catch {
        return reply.code(503).send({ status: 'unavailable', store: store.kind });
      }
    });
    fastify.get('/metrics', async (_request, reply) =>
      reply.type('text/plain; version=0.0.4').send(await metrics.render()),
    );
    const openapi = openApiDocument(routes, options.version);
    fastify.get('/openapi.json', () => Promise.resolve(openapi));
    const docs = docsPage(openapi);
    fastify.get('/docs', async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(docs),
    );
    // The API's front door: where the dashboard, the docs and the routes are.
    fastify.get('/v1', () =>
      Promise.resolve({
        name: 'stargate',
        version: options.version,
        dashboard: '/',
        docs: '/docs',
        openapi: '/openapi.json',
        stream: '/v1/stream',
        routes: routes.map((r) => `${r.method} ${r.path}`),
      }),
    );
    stream = registerStream(fastify, {
      store,
      metrics,
      ...(options.streamPollMs === undefined ? {} : { pollMs: options.streamPollMs }),
      ...(options.streamRecheckMs === undefined ? {} : { recheckMs: options.streamRecheckMs }),
    });
    fastify.addHook('preClose', () => stream?.stop());
    if (options.webRoot !== false) registerWeb(fastify, options.webRoot ?? defaultWebRoot());

    for (const definition of routes) {
      fastify.route({
        method: definition.method,
        url: definition.path.replace(/\{(\w+)\}/g, ':$1'),
        // Whole scenarios may be large; every other body is small.
        bodyLimit: definition.bodyLimit ?? 1024 * 1024,
        // Who is calling, and whether they may, is settled before the body is even read.
        onRequest: async (request) => {
          const found = await principalOf(request);
          const { principal } = found;
          if (!definition.roles.includes(principal.role)) {
            throw new HttpError(
              403,
              'forbidden',
              `role ${principal.role} may not ${definition.method} ${definition.path}`,
            );
          }
          principals.set(request, { ...found, at: performance.now() });
        },
        handler: async (request, reply) => {
          const found = principals.get(request);
          if (!found) throw new Error('no principal after onRequest');
          const { principal } = found;
          try {
            await handle(definition, principal, request, reply, found);
          } catch (error) {
            throw scoped(error, principal);
          }
        },
      });
    }
  });

  async function handle(
    definition: Route,
    principal: Principal,
    request: FastifyRequest,
    reply: FastifyReply,
    authenticated: { now: Date | undefined; at: number },
  ) {
    const input = validateInput(definition, request);
    // Waiting for a place happens before the transaction: a queued plan holds no connection,
    // and a caller that hangs up while it waits leaves the line (its place to the next).
    const release = definition.computesPlan ? await enterPlanGate(reply) : undefined;
    try {
      // The time of the authentication, while fresh, else the process's reading of the database's
      // clock run on, while fresh; after a long wait (a large body, a plan's turn) with no other
      // request, the transaction reads the clock again.
      const fresh =
        authenticated.now !== undefined && performance.now() - authenticated.at < FRESH_MS
          ? authenticated.now
          : estimatedClock();
      await handleInside(definition, principal, request, reply, input, fresh);
    } finally {
      release?.();
    }
  }

  /** A place among the plans computed at once, given up if the caller hangs up first. */
  async function enterPlanGate(reply: FastifyReply): Promise<() => void> {
    const hungUp = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) hungUp.abort();
    };
    reply.raw.once('close', onClose);
    if (reply.raw.destroyed || reply.raw.socket?.destroyed === true) hungUp.abort();
    try {
      return await planGate.enter(hungUp.signal);
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  async function handleInside(
    definition: Route,
    principal: Principal,
    request: FastifyRequest,
    reply: FastifyReply,
    input: Input,
    authenticatedAt: Date | undefined,
  ) {
    let requestTime = authenticatedAt;
    if (definition.sweepsDeadlines) {
      if (options.clock) await sweep();
      else {
        const estimate = requestTime ?? estimatedClock();
        if (estimate === undefined || !deadlines.quiet(estimate)) {
          // Whether a deadline passed, the request's time and the next deadline, in one round
          // trip.
          const probe = await probeClock(store.db);
          observeClock(probe.now);
          if (probe.offersDue) {
            deadlines.forget();
            await lapse();
          } else {
            deadlines.learn(probe.now, probe.nextDeadline);
          }
          requestTime ??= probe.now;
        }
      }
    }
    const headers = request.headers as Record<string, string | undefined>;
    const key =
      definition.method === 'POST' && definition.idempotent !== false
        ? headers['idempotency-key']
        : undefined;
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new HttpError(
        400,
        'invalid_request',
        'Idempotency-Key: expected 1–200 visible ASCII characters',
      );
    }
    const idempotent: IdempotentRequest | undefined =
      key === undefined
        ? undefined
        : {
            tokenId: principal.tokenId,
            key,
            method: definition.method,
            path: request.url,
            body: request.body ?? null,
          };
    if (definition.atOnce) {
      const now = options.clock ? await clock(store.db) : requestTime;
      const done =
        now === undefined
          ? undefined
          : await definition.atOnce({
              db: store.db,
              principal,
              body: input.body,
              now,
              requestId: request.id,
              actor: actorOf(principal),
              key: idempotent,
              fleet,
            });
      if (done) {
        await send(
          request,
          reply,
          { ...done, status: done.status ?? definition.successStatus ?? 200 },
          false,
        );
        return;
      }
    }
    // A read runs without BEGIN and COMMIT on PostgreSQL: at READ COMMITTED, its default, each
    // statement reads its own snapshot inside a transaction too, so the transaction bought no
    // consistency, only two round trips. On PGlite a transaction holds the one connection, so a
    // read of several tables sees no write between them: reads keep it there. A read that tried
    // to write an audit event fails (appendEvent needs an auditedTransaction). A read of rows
    // that never change (a stored plan), or in one statement, needs no transaction on either.
    const readOnly =
      definition.method === 'GET' &&
      (store.kind === 'postgres' || definition.readsWithoutTransaction === true);
    let used: Tx | undefined;
    const run = readOnly
      ? <T>(work: (tx: Tx) => Promise<T>) => work(store.db as unknown as Tx)
      : inTransaction;
    // A route that makes the key's claim in its first statement (`claimsKeyItself`) is run again
    // with the claim first when that statement finds the key taken (a retry: to replay it).
    const attempt = (claimFirst: boolean) =>
      run(async (tx) => {
        used = tx;
        // The request's time is the database's when it was authenticated or probed (read by the
        // same query) or as this process last read it, unless a test gives its own clock: one
        // round trip fewer on every request.
        let now = options.clock ? await clock(tx) : requestTime;
        if (now === undefined) {
          now = await clock(tx);
          observeClock(now);
        }
        if (idempotent && !claimFirst) {
          offerClaim(tx, idempotent, now);
        } else if (idempotent) {
          const claim = await claimKey(tx, idempotent, now);
          if (claim.kind === 'mismatch') {
            throw new HttpError(
              422,
              'idempotency_key_reused',
              'Idempotency-Key was already used for a different request',
            );
          }
          if (claim.kind === 'replay') {
            return { reply: { status: claim.status, body: claim.response }, replayed: true };
          }
        }
        const out = await definition.handler({
          tx,
          principal,
          params: input.params,
          query: input.query,
          body: input.body,
          headers,
          now,
          requestId: request.id,
          audit: (event) =>
            appendEvent(tx, { ...event, actor: actorOf(principal), requestId: request.id }, now),
          plan: planner.run,
          actor: actorOf(principal),
          fleet,
          tell: (event, data) => {
            stream?.tell(principal.tokenId, event, data);
          },
        });
        const status = out.status ?? definition.successStatus ?? 200;
        if (idempotent && out.afterCommit) {
          throw new Error(`${definition.path}: afterCommit on a route whose answers are replayed`);
        }
        if (idempotent) {
          await settleClaim(tx);
          await saveResponse(
            tx,
            idempotent,
            status,
            out.raw === undefined ? out.body : (JSON.parse(out.raw.toString()) as unknown),
          );
        }
        return { reply: { ...out, status }, replayed: false };
      });
    const claimFirst = !(idempotent && definition.claimsKeyItself === true);
    const result = await attempt(claimFirst).catch((error: unknown) => {
      if (error instanceof KeyTaken && !claimFirst) return attempt(true);
      throw error;
    });
    // Committed: a token this request revoked is dropped before the answer (its notification,
    // heard on the committing connection, has dropped it already: this holds without it), and
    // every other process has dropped it too before the caller can ask one of them.
    const revoked = used ? takeRevoked(used) : [];
    for (const tokenId of revoked) tokens.forget(tokenId);
    if (revoked.length > 0) {
      // The revocation is committed: a failure to confirm is logged, not answered as one.
      const missing = await tokens.confirm().then(
        (confirmation) => confirmation.missing,
        (error: unknown) => [`unknown (${error instanceof Error ? error.message : String(error)})`],
      );
      if (missing.length > 0) {
        request.log.warn(
          { processes: missing },
          'token revoked: processes that did not confirm they dropped it in time',
        );
      }
    }
    const { reply: committed, replayed } = result;
    const out = committed.afterCommit ? await committed.afterCommit() : committed;
    await send(request, reply, out, replayed);
  }

  async function send(
    request: FastifyRequest,
    reply: FastifyReply,
    out: Reply,
    replayed: boolean,
  ): Promise<void> {
    reply.code(out.status ?? 200);
    reply.header('x-request-id', request.id);
    if (replayed) reply.header('idempotent-replayed', 'true');
    for (const [name, value] of Object.entries(out.headers ?? {})) reply.header(name, value);
    if (out.raw !== undefined) {
      await reply.type(out.contentType ?? 'application/json; charset=utf-8').send(out.raw);
    } else if (out.body === undefined) {
      await reply.send();
    } else {
      await reply.send(out.body);
    }
  }

  /** Runs a handler's transaction; retries when PostgreSQL reports a deadlock. */
  async function inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await auditedTransaction(store.db, work);
      } catch (error) {
        const code = pgCode(error);
        if ((code === '40P01' || code === '40001') && attempt < 4) continue;
        throw error;
      }
    }
  }

  async function principalOf(
    request: FastifyRequest,
  ): Promise<{ principal: Principal; now: Date | undefined }> {
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      throw new HttpError(401, 'unauthorized', 'missing token: send Authorization: Bearer TOKEN');
    }
    const found = await tokens.authenticate(token, estimatedClock);
    if (!found) throw new HttpError(401, 'unauthorized', 'unknown, expired or revoked token');
    if (found.now) observeClock(found.now);
    return found;
  }

  return { fastify, metrics, sweep, housekeeping };
}

/**
 * Holders and operators see only their part of the lab's state: a change of theirs that the
 * whole-scenario check refuses is reported without the scenario's paths and messages.
 */
function scoped(error: unknown, principal: Principal): unknown {
  if (!(error instanceof ConflictProblems)) return error;
  if (principal.role !== 'holder' && principal.role !== 'operator') return error;
  return new HttpError(
    409,
    'conflict',
    'the change conflicts with the rest of the scenario; ask the lab’s planners',
  );
}

function actorOf(principal: Principal): string {
  const binding =
    principal.providerId !== undefined
      ? `:${principal.providerId}`
      : principal.siteIds.length > 0
        ? `:${principal.siteIds.join(',')}`
        : '';
  return `${principal.role}${binding}/${principal.tokenId}`;
}

interface Input {
  params: unknown;
  query: unknown;
  body: unknown;
}

/** Validates params, query and body against the route's schemas; reports every problem. */
function validateInput(definition: Route, request: FastifyRequest): Input {
  const problems: Problem[] = [];
  const check = (schema: z.ZodType | undefined, value: unknown, where: string): unknown => {
    if (!schema) return value;
    const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}), {
      reportInput: true,
    });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      for (const problem of issueProblems(issue)) {
        problems.push({ ...problem, path: [where, ...problem.path] });
      }
    }
    return undefined;
  };
  const params = check(definition.params, request.params, 'params');
  const query = check(definition.query, request.query, 'query');
  const body = check(definition.body, request.body, 'body');
  if (problems.length > 0) {
    throw new HttpError(400, 'invalid_request', 'the request is not valid', sortProblems(problems));
  }
  return { params, query, body };
}

function pgCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost cause's message of an error. */
function rootCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4; depth++) {
    const cause = (current as { cause?: unknown } | undefined)?.cause;
    if (!cause) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}

/** PostgreSQL's codes for a server shutting down, starting up, or a connection lost. */
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/**
 * Whether the database could not be reached (a restart, a failover): the request's transaction
 * did not commit, so the caller may simply try again. The pool reconnects by itself.
 */
function databaseUnavailable(error: unknown, code: string | undefined): boolean {
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const { code: nodeCode, message } = current as { code?: unknown; message?: unknown };
    if (
      typeof nodeCode === 'string' &&
      ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(nodeCode)
    )
      return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection error|timeout exceeded when trying to connect/i.test(
        message,
      )
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ConflictProblems) {
    return new HttpError(409, 'conflict', error.message, error.problems);
  }
  const code = pgCode(error);
  if (code === '23505')
    return new HttpError(409, 'conflict', 'already exists (a concurrent request made it first)');
  if (code === '23503')
    return new HttpError(409, 'conflict', 'a referenced entity is missing or still in use');
  if (databaseUnavailable(error, code)) {
    return new HttpError(
      503,
      'unavailable',
      'the database is not reachable (restarting?); the request may not have been applied: try again, with the same Idempotency-Key for a write',
      undefined,
      { 'retry-after': '1' },
    );
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    const message =
      fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'expected Content-Type: application/json'
        : fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'body: expected a JSON document, got an empty body'
          : `body: ${fastifyError.message ?? 'invalid'}`;
    return new HttpError(fastifyError.statusCode, 'invalid_request', message);
  }
  return new HttpError(
    500,
    'internal',
    'internal error; the request id is in the x-request-id header and the server log',
  );
}

async function sendError(reply: FastifyReply, error: HttpError, requestId: string): Promise<void> {
  reply.code(error.status);
  reply.header('x-request-id', requestId);
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  await reply.send({
    error: {
      code: error.code,
      message: error.message,
      ...(error.problems
        ? {
            problems: sortProblems(error.problems).map((problem) => ({
              path: formatPath(problem.path),
              message: problem.message,
            })),
          }
        : {}),
      requestId,
    },
  });
}

/**
 * helmet's security headers with the dashboard's Content-Security-Policy: scripts only from the
 * server itself, never inline; ECharts' SVG renderer writes style attributes, so inline styles
 * are allowed (they cannot run code). Strict-Transport-Security belongs to whoever terminates
 * TLS; stargate serves plain HTTP. helmet's middleware builds them (and parses the policy) on
 * every call, and they never change: it runs once here, on a response that records them.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader() {
      // helmet removes X-Powered-By, which Fastify never sends.
    },
  };
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
  })(
    Object.create(null) as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error instanceof Error) throw error;
      if (error !== undefined) throw new Error('helmet failed to build its headers');
    },
  );
  return headers;
})();

/**
 * What every response gets before any route runs: security headers and the dashboard's
 * Content-Security-Policy (helmet), compression of large bodies by Accept-Encoding, and a
 * per-token rate limit. Registered before the routes, so their hooks apply to every route.
 */
function registerProtections(fastify: FastifyInstance, perMinute: number | undefined): void {
  // The same on every response (errors and 404s too): computed once, set as a request arrives.
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  void fastify.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // Brotli's default (quality 11) takes longer than sending a plan uncompressed on a LAN.
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  if (perMinute !== undefined && perMinute > 0) {
    // Not attached per route (its onRoute hook would run after the route's own onRequest, the
    // token lookup): one hook for the whole server, added below, runs before any lookup.
    void fastify.register(rateLimit, {
      global: false,
      max: perMinute,
      timeWindow: 60_000,
      // Per token (its secret's hash: no lookup before the limit), else per address.
      keyGenerator: (request) => {
        const token = bearerToken(request.headers.authorization);
        return token === undefined
          ? `ip:${request.ip}`
          : `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
      },
      allowList: (request) => !request.url.startsWith('/v1/'),
      errorResponseBuilder: (_request, context) =>
        new HttpError(
          429,
          'too_many_requests',
          `more than ${context.max} requests a minute with this token; try again in ${context.after}`,
        ),
    });
  }
}
