import { inArray, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/db.js';
import { HttpError } from '../store/errors.js';
import type { EventRow } from '../store/events.js';
import { listEvents } from '../store/events.js';
import * as t from '../store/schema.js';
import type { Principal } from '../store/tokens.js';
import { authenticate, bearerToken } from '../store/tokens.js';
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
      return [
        'plan',
        'scenario',
        'site',
        'building',
        'pool',
        'provider',
        'contract',
        'node',
      ].includes(event.entityType);
    case 'operator': {
      const site =
        event.entityType === 'site'
          ? event.entityId
          : event.entityType === 'pool'
            ? (siteOfPool.get(event.entityId) ?? undefined)
            : (event.entityType === 'building' || event.entityType === 'node') && after !== null
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
  // An agent delivery (`delivery.agent`) may be to a building, which is a pool to the planner.
  const buildings = await store.db
    .select({ id: t.buildings.id, siteId: t.buildings.siteId })
    .from(t.buildings)
    .where(inArray(t.buildings.id, ids));
  for (const row of [...rows, ...buildings]) sites.set(row.id, row.siteId);
  return sites;
}

/** Events read from the log at a time. */
const PAGE = 500;

/** A subscriber: told once where it starts, then every batch of new events, in order. */
interface Listener {
  start(cursor: number): void;
  deliver(events: readonly EventRow[]): void;
}

/** The stream route, its one poller, and a stop for the server's close. */
export function registerStream(
  fastify: FastifyInstance,
  options: StreamOptions,
): {
  stop(): Promise<void>;
  /** Sends `event: NAME` to the open streams of one token in this process (not stored). */
  tell(tokenId: string, event: string, data: Record<string, unknown>): void;
} {
  const { store, metrics } = options;
  const pollMs = options.pollMs ?? 250;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const recheckMs = options.recheckMs ?? 30_000;
  const listeners = new Set<Listener>();
  const closers = new Set<() => void>();
  /** Each token's open streams, for what is told to one caller only. */
  const byToken = new Map<string, Set<(text: string) => void>>();
  /** The newest event every listener has been given; undefined while no one listens. */
  let last: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // Polls, subscriptions and catch-ups run one at a time: a subscriber's cursor and the
  // poller's never move under each other, so no event is skipped or given twice.
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  metrics.gauge('stargate_stream_subscribers', 'Open /v1/stream connections.', () =>
    Promise.resolve(listeners.size),
  );

  const newest = async (): Promise<number> => {
    const [row] = await store.db
      .select({ id: sql<string>`coalesce(max(${t.events.id}), 0)` })
      .from(t.events);
    return Number(row?.id ?? 0);
  };

  const schedule = () => {
    if (!stopped && timer === undefined && listeners.size > 0) {
      timer = setTimeout(() => void poll(), pollMs);
    }
  };

  const poll = () =>
    serial(async () => {
      timer = undefined;
      if (listeners.size === 0 || stopped) return;
      try {
        last ??= await newest();
        for (;;) {
          const rows = await listEvents(store.db, { after: last, limit: PAGE });
          if (rows.length === 0) break;
          last = rows[rows.length - 1]?.id ?? last;
          for (const listener of listeners) listener.deliver(rows);
          if (rows.length < PAGE) break;
        }
      } catch (error) {
        fastify.log.warn({ err: error }, 'stream: reading the event log failed; retrying');
      }
    }).finally(schedule);

  /**
   * Adds a listener once the poller's cursor is known. A new subscriber starts there: it hears
   * every event committed after its `ready`. A reconnecting one (`resumeFrom`) is first given
   * what it missed up to the cursor, page by page, then joins the poller.
   */
  const subscribe = (listener: Listener, resumeFrom: number | undefined) =>
    serial(async () => {
      const cursor = (last ??= await newest());
      listener.start(resumeFrom ?? cursor);
      let from = resumeFrom;
      while (from !== undefined && from < cursor) {
        const rows = await listEvents(store.db, { after: from, limit: PAGE });
        const missed = rows.filter((row) => row.id <= cursor);
        if (missed.length > 0) listener.deliver(missed);
        from = missed.length === PAGE ? missed[missed.length - 1]?.id : undefined;
      }
      listeners.add(listener);
    }).finally(schedule);

  const unsubscribe = (listener: Listener) => {
    listeners.delete(listener);
    // Idle: the next subscriber starts from the log's end, not from where this one stopped.
    void serial(() => {
      if (listeners.size === 0) last = undefined;
      return Promise.resolve();
    });
  };

  fastify.get('/v1/stream', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const principal = token === undefined ? undefined : await authenticate(store.db, token);
    if (token === undefined || !principal) {
      // The app's error handler answers it, as it does every route's 401.
      throw new HttpError(
        401,
        'unauthorized',
        token
          ? 'unknown, expired or revoked token'
          : 'missing token: send Authorization: Bearer TOKEN',
      );
    }
    const resumeHeader = Number(request.headers['last-event-id']);
    const resumeFrom =
      Number.isSafeInteger(resumeHeader) && resumeHeader >= 0 ? resumeHeader : undefined;
    // The headers the hooks set (the security headers) go out with a hijacked reply only if
    // it writes them itself.
    const hooked = Object.fromEntries(
      Object.entries(reply.getHeaders()).filter(([, value]) => value !== undefined),
    ) as Record<string, string | number | string[]>;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...hooked,
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
    // What this subscriber has been given: a resume point the client claims is never repeated.
    let seen = resumeFrom ?? 0;
    const send = async (rows: readonly EventRow[]) => {
      const fresh = rows.filter((row) => row.id > seen);
      if (fresh.length === 0) return;
      seen = fresh[fresh.length - 1]?.id ?? seen;
      const sites = principal.role === 'operator' ? await poolSites(store, fresh) : new Map();
      for (const row of fresh) {
        if (!audienceOf(principal, row, sites)) continue;
        write(`id: ${row.id}\nevent: change\ndata: ${JSON.stringify(messageOf(row))}\n\n`);
      }
    };
    // Writes keep their order even when an operator's site lookup takes a while.
    let chain = Promise.resolve();
    const listener: Listener = {
      start(cursor) {
        if (resumeFrom === undefined) seen = cursor;
        // First, so a client knows it is subscribed; its id is where a reconnect resumes.
        const id = resumeFrom ?? cursor;
        chain = chain.then(() => {
          write(
            `retry: 2000\nid: ${id}\nevent: ready\ndata: ${JSON.stringify({ role: principal.role })}\n\n`,
          );
        });
      },
      deliver(rows) {
        chain = chain
          .then(() => send(rows))
          .catch((error: unknown) => {
            // Ended rather than left with a gap: the client reconnects from its last id.
            request.log.warn({ err: error }, 'stream: delivering events failed');
            close();
          });
      },
    };

    const direct = (text: string) => {
      chain = chain.then(() => {
        write(text);
      });
    };
    const own = byToken.get(principal.tokenId) ?? new Set();
    own.add(direct);
    byToken.set(principal.tokenId, own);
    const heartbeat = setInterval(() => {
      write(': keep-alive\n\n');
    }, heartbeatMs);
    const recheck = setInterval(() => {
      // Checked with the token the stream opened with: its headers never change.
      authenticate(store.db, token).then(
        (again) => {
          if (!again) close();
        },
        (error: unknown) => {
          // The store did not answer: the token is checked again at the next interval.
          request.log.warn({ err: error }, 'stream: checking the token again failed');
        },
      );
    }, recheckMs);
    const close = () => {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      clearInterval(recheck);
      unsubscribe(listener);
      own.delete(direct);
      if (own.size === 0) byToken.delete(principal.tokenId);
      closers.delete(close);
      raw.end();
    };
    closers.add(close);
    raw.on('close', close);
    try {
      await subscribe(listener, resumeFrom);
    } catch (error) {
      request.log.warn({ err: error }, 'stream: subscribing failed');
      close();
      return;
    }
    // The client may have gone while it was subscribing.
    if (!open) unsubscribe(listener);
  });

  return {
    tell(tokenId, event, data) {
      for (const send of byToken.get(tokenId) ?? []) {
        send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const close of [...closers]) close();
      // A read in flight ends before the store it reads is closed.
      await queue;
    },
  };
}
