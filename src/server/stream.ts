import { inArray, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/db.js';
import type { EventRow } from '../store/events.js';
import { listEvents } from '../store/events.js';
import * as t from '../store/schema.js';
import type { Principal } from '../store/tokens.js';
import { authenticate } from '../store/tokens.js';
import type { Metrics } from './metrics.js';

/**
 * `GET /v1/stream`: server-sent events that tell an open page what changed, so it refetches
 * through the API (which stays the authority on what the caller may read).
 *
 * Every process polls the audit log, the one record every change already writes in its own
 * transaction. Event ids follow commit order (see `auditedTransaction`), so a reader that has
 * seen id N has seen every smaller one: polling `id > N` misses nothing and delivers each
 * change once, whichever process made it, on PGlite and on a PostgreSQL server alike. One
 * poller per process serves all its subscribers; it runs only while someone listens.
 * LISTEN/NOTIFY would save the poll but PGlite has no cross-process notifications, a NOTIFY
 * sent while no one listens is lost, and each listener holds a connection of its own.
 */

/** What a page is told: which thing changed and how; never the change itself. */
export interface StreamMessage {
  readonly id: number;
  readonly at: string;
  /** The audit action, e.g. `offer.decline`, `plan.create`, `delivery.create`. */
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
}

export interface StreamOptions {
  readonly store: Store;
  readonly metrics: Metrics;
  /** How often the log is read while someone listens (ms). */
  readonly pollMs?: number;
  /** How often an idle stream sends a comment to keep proxies from closing it (ms). */
  readonly heartbeatMs?: number;
  /** How often a stream's token is checked again, so a revoked one stops hearing (ms). */
  readonly recheckMs?: number;
}

type Listener = (events: readonly EventRow[]) => void;

/** Whether a caller of this role and binding may hear of this event. */
export function audienceOf(
  principal: Principal,
  event: EventRow,
  siteOfPool: ReadonlyMap<string, string | null>,
): boolean {
  const after = (event.after ?? event.before) as Record<string, unknown> | null;
  switch (principal.role) {
    case 'admin':
      return true;
    case 'planner':
    case 'viewer':
      return event.entityType !== 'token';
    case 'holder':
      // Its own offers only: not the lab's requests, plans or other holders' answers.
      return (
        event.action.startsWith('offer.') &&
        after !== null &&
        after['holder'] === principal.providerId
      );
    case 'funder':
      return ['plan', 'scenario', 'site', 'building', 'pool', 'provider', 'contract'].includes(
        event.entityType,
      );
    case 'operator': {
      const site =
        event.entityType === 'site'
          ? event.entityId
          : event.entityType === 'pool'
            ? (siteOfPool.get(event.entityId) ?? undefined)
            : event.entityType === 'building' && after !== null
              ? after['site']
              : undefined;
      return typeof site === 'string' && principal.siteIds.includes(site);
    }
  }
}

/** The message a page gets for an event. */
function messageOf(event: EventRow): StreamMessage {
  return {
    id: event.id,
    at: event.at,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
  };
}

async function poolSites(store: Store, events: readonly EventRow[]) {
  const ids = [...new Set(events.filter((e) => e.entityType === 'pool').map((e) => e.entityId))];
  const sites = new Map<string, string | null>();
  if (ids.length === 0) return sites;
  const rows = await store.db
    .select({ id: t.pools.id, siteId: t.pools.siteId })
    .from(t.pools)
    .where(inArray(t.pools.id, ids));
  for (const row of rows) sites.set(row.id, row.siteId);
  return sites;
}

/** The stream route, its one poller, and a stop for the server's close. */
export function registerStream(fastify: FastifyInstance, options: StreamOptions): { stop(): void } {
  const { store, metrics } = options;
  const pollMs = options.pollMs ?? 250;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const recheckMs = options.recheckMs ?? 30_000;
  const listeners = new Set<Listener>();
  const closers = new Set<() => void>();
  let last: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  metrics.gauge('stargate_stream_subscribers', 'Open /v1/stream connections.', () =>
    Promise.resolve(listeners.size),
  );

  const newest = async (): Promise<number> => {
    const [row] = await store.db
      .select({ id: sql<string>`coalesce(max(${t.events.id}), 0)` })
      .from(t.events);
    return Number(row?.id ?? 0);
  };

  const poll = async () => {
    if (listeners.size === 0 || stopped) {
      // Idle: the next subscriber starts from the log's end, not from where this one stopped.
      timer = undefined;
      last = undefined;
      return;
    }
    try {
      last ??= await newest();
      for (;;) {
        const rows = await listEvents(store.db, { after: last, limit: 500 });
        if (rows.length === 0) break;
        last = rows[rows.length - 1]?.id ?? last;
        for (const listener of listeners) listener(rows);
        if (rows.length < 500) break;
      }
    } catch (error) {
      fastify.log.warn({ err: error }, 'stream: reading the event log failed; retrying');
    }
    if (!stopped) timer = setTimeout(() => void poll(), pollMs);
  };

  const principalOf = async (request: FastifyRequest): Promise<Principal | undefined> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    return match?.[1] ? ((await authenticate(store.db, match[1])) ?? undefined) : undefined;
  };

  fastify.get('/v1/stream', async (request, reply) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const principal = await principalOf(request);
    if (!principal) {
      return reply.code(401).send({
        error: {
          code: 'unauthorized',
          message: token
            ? 'unknown or revoked token'
            : 'missing token: send Authorization: Bearer TOKEN',
          requestId: request.id,
        },
      });
    }
    const resumeFrom = Number(request.headers['last-event-id']);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    });
    let open = true;
    const write = (text: string) => {
      if (open) raw.write(text);
    };
    const deliver = async (rows: readonly EventRow[]) => {
      const sites = principal.role === 'operator' ? await poolSites(store, rows) : new Map();
      for (const row of rows) {
        if (!audienceOf(principal, row, sites)) continue;
        write(`id: ${row.id}\nevent: change\ndata: ${JSON.stringify(messageOf(row))}\n\n`);
      }
    };
    // Sent first, so a client knows it is subscribed (and from which event on).
    write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ role: principal.role })}\n\n`);

    // Queued deliveries keep their order even when a lookup takes a while.
    let chain = Promise.resolve();
    const listener: Listener = (rows) => {
      chain = chain.then(() => deliver(rows)).catch(() => undefined);
    };
    if (Number.isInteger(resumeFrom) && resumeFrom > 0) {
      // A reconnect: what it missed first, then what comes. The poller's cursor may be behind
      // or ahead of the resume point; events between are read here, never twice.
      const missed = await listEvents(store.db, { after: resumeFrom, limit: 1000 });
      const upTo = last;
      listener(upTo === undefined ? missed : missed.filter((row) => row.id <= upTo));
      if (upTo === undefined) last = missed[missed.length - 1]?.id ?? resumeFrom;
    }
    listeners.add(listener);
    if (timer === undefined) timer = setTimeout(() => void poll(), 0);

    const heartbeat = setInterval(() => {
      write(': keep-alive\n\n');
    }, heartbeatMs);
    const recheck = setInterval(() => {
      void principalOf(request).then((again) => {
        if (!again) close();
      });
    }, recheckMs);
    const close = () => {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      clearInterval(recheck);
      listeners.delete(listener);
      closers.delete(close);
      raw.end();
    };
    closers.add(close);
    raw.on('close', close);
  });

  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const close of [...closers]) close();
    },
  };
}
