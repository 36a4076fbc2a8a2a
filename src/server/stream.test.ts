import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EventRow } from '../store/events.js';
import { listEvents } from '../store/events.js';
import { replaceScenario } from '../store/scenario-store.js';
import type { Role } from '../store/tokens.js';
import { createToken, revokeToken } from '../store/tokens.js';
import { EXAMPLE } from '../test-support/server-process.js';
import type { Subscription } from '../test-support/sse-client.js';
import { changeOf, openStream, subscribe } from '../test-support/sse-client.js';
import type { TestStore } from '../test-support/stores.js';
import { pgliteBackend } from '../test-support/stores.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/**
 * `GET /v1/stream` over a real socket (inject cannot stream): who is let in, who hears what,
 * resuming with Last-Event-ID, and how a stream ends (server closing, token revoked). PGlite in
 * memory; the app polls the log every 20 ms and checks tokens again every 100 ms.
 */

const POLL_MS = 20;
const RECHECK_MS = 100;
const HOOK_TIMEOUT = 30_000;
/** What every stream must have delivered after the last change a test waits for. */
const SETTLE_MS = 10 * POLL_MS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The promise, or a failure naming `what` once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: not within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** New vr200 capacity in 2029: azure's ROFR binds it first, then coreweave's (added below). */
const REQUEST = {
  accelerator: 'vr200',
  gpus: 1000,
  window: { from: '2029-01', to: '2029-12' },
  workloadClass: 'research',
  reason: 'stream test',
};

let example: Record<string, unknown>;
beforeAll(async () => {
  const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
  // A second ROFR holder, so a holder's stream can be shown to leave out another's offers.
  const contracts = doc['contracts'] as unknown[];
  contracts.push({
    id: 'coreweave-rofr',
    parties: ['openai', 'coreweave'],
    effective: { from: '2025-01', to: '2030-12' },
    terms: [{ id: 'cw-rofr', type: 'rofr', holder: 'coreweave', responseDays: 10 }],
  });
  example = doc;
});

interface Harness {
  readonly store: TestStore;
  readonly app: App;
  readonly url: string;
  token(role: Role, providerId?: string): Promise<{ id: string; secret: string }>;
  call(method: string, path: string, token: string, body?: unknown): Promise<unknown>;
}

const backend = pgliteBackend;

/** An app on the store, listening on a port of its own. */
async function serveApp(store: TestStore): Promise<{ app: App; url: string }> {
  const app = buildApp({
    store,
    version: 'test',
    webRoot: false,
    streamPollMs: POLL_MS,
    streamRecheckMs: RECHECK_MS,
  });
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.fastify.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

// One store and app for the file (opening PGlite takes seconds); each test reads the log from
// its own subscribers' ready on, so what earlier tests wrote does not matter.
describe('GET /v1/stream', () => {
  let h: Harness;
  const subscriptions: Subscription[] = [];
  const listen = async (token: string, options: { lastEventId?: number; url?: string } = {}) => {
    const subscription = await subscribe(options.url ?? h.url, token, options);
    subscriptions.push(subscription);
    return subscription;
  };

  beforeAll(async () => {
    const store = await backend.open();
    await store.db.transaction((tx) => replaceScenario(tx, structuredClone(example)));
    const { app, url } = await serveApp(store);
    h = {
      store,
      app,
      url,
      token: (role, providerId) =>
        createToken(store.db, { role, ...(providerId ? { providerId } : {}) }, new Date()),
      async call(method, path, token, body) {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const json: unknown = await response.json();
        expect(response.ok, `${method} ${path}: ${JSON.stringify(json)}`).toBe(true);
        return json;
      },
    };
  }, HOOK_TIMEOUT);

  afterEach(() => {
    for (const subscription of subscriptions.splice(0)) subscription.close();
  });

  afterAll(async () => {
    await h.app.fastify.close();
    await h.store.dispose();
  }, HOOK_TIMEOUT);

  /** The events in the log after `after`, in order. */
  const logAfter = (after: number): Promise<EventRow[]> =>
    listEvents(h.store.db, { after, limit: 1000 });

  const ids = (subscription: Subscription) =>
    subscription.events
      .filter((event) => event.event === 'change')
      .map((event) => Number(event.id));

  it('refuses a caller without a token, with an unknown one and with a revoked one (401)', async () => {
    const none = await openStream(h.url, undefined);
    expect(none.status).toBe(401);
    expect(JSON.stringify(none)).toContain('missing token');
    const unknown = await openStream(h.url, 'sgt_not-a-token');
    expect(unknown.status).toBe(401);
    const viewer = await h.token('viewer');
    expect((await openStream(h.url, viewer.secret)).status).toBe(200);
    await revokeToken(h.store.db, viewer.id, new Date());
    const revoked = await openStream(h.url, viewer.secret);
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked)).toContain('unknown, expired or revoked token');
  });

  it('sends the security headers every answer carries', async () => {
    const viewer = await h.token('viewer');
    const abort = new AbortController();
    const response = await fetch(`${h.url}/v1/stream`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${viewer.secret}` },
      signal: abort.signal,
    });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    } finally {
      abort.abort();
    }
  });

  it('says ready first, with the role and an id to resume from', async () => {
    const holder = await h.token('holder', 'azure');
    const opened = await openStream(h.url, holder.secret);
    if (!('subscription' in opened)) throw new Error(`status ${opened.status}`);
    subscriptions.push(opened.subscription);
    const ready = await opened.subscription.waitFor((event) => event.event === 'ready');
    expect(opened.subscription.events[0]).toBe(ready);
    expect(JSON.parse(ready.data)).toEqual({ role: 'holder' });
    const newest = (await logAfter(0)).at(-1)?.id ?? 0;
    expect(Number(ready.id)).toBe(newest);
  });

  it('tells each role what it may hear: the lab everything, a holder its own offers, a funder plans', async () => {
    const admin = await h.token('admin');
    const planner = await h.token('planner');
    const viewer = await h.token('viewer');
    const funder = await h.token('funder');
    const azure = await h.token('holder', 'azure');
    const coreweave = await h.token('holder', 'coreweave');
    const streams = {
      admin: await listen(admin.secret),
      planner: await listen(planner.secret),
      viewer: await listen(viewer.secret),
      funder: await listen(funder.secret),
      azure: await listen(azure.secret),
      coreweave: await listen(coreweave.secret),
    };
    const start = streams.admin.readyId;
    for (const stream of Object.values(streams)) expect(stream.readyId).toBe(start);

    // Offered to azure, declined; offered to coreweave, declined; cleared. Then a plan.
    const created = (await h.call('POST', '/v1/requests', planner.secret, REQUEST)) as {
      id: number;
      offers: { id: number; holder: string }[];
    };
    expect(created.offers.map((offer) => offer.holder)).toEqual(['azure']);
    await h.call('POST', `/v1/offers/${created.offers[0]?.id ?? 0}/decline`, azure.secret, {});
    const next = (await h.call('GET', '/v1/offers?state=pending', coreweave.secret)) as {
      id: number;
    }[];
    expect(next).toHaveLength(1);
    await h.call('POST', `/v1/offers/${next[0]?.id ?? 0}/decline`, coreweave.secret, {});
    const plan = (await h.call('POST', '/v1/plans', planner.secret, { solver: 'fast' })) as {
      id: number;
    };

    await streams.planner.waitFor(changeOf('plan.create', String(plan.id)));
    await streams.admin.waitFor(changeOf('plan.create', String(plan.id)));
    await sleep(SETTLE_MS);

    const log = await logAfter(start);
    const actions = log.map((event) => event.action);
    expect(actions).toEqual([
      'request.create',
      'offer.create',
      'offer.decline',
      'offer.create',
      'offer.decline',
      'request.clear',
      'plan.create',
    ]);
    const all = log.map((event) => event.id);
    const holderOf = (event: EventRow) => (event.after as { holder?: string } | null)?.holder;
    const offersOf = (holder: string) =>
      log.filter((event) => event.action.startsWith('offer.') && holderOf(event) === holder);

    // The lab hears every change, once, in order.
    expect(ids(streams.admin)).toEqual(all);
    expect(ids(streams.planner)).toEqual(all);
    expect(ids(streams.viewer)).toEqual(all);
    expect(streams.planner.changes().map((message) => message.action)).toEqual(actions);
    // A holder hears its own offer made and answered, nothing of the other's, nor the plan.
    expect(ids(streams.azure)).toEqual(offersOf('azure').map((event) => event.id));
    expect(ids(streams.coreweave)).toEqual(offersOf('coreweave').map((event) => event.id));
    expect(streams.azure.changes().map((message) => message.action)).toEqual([
      'offer.create',
      'offer.decline',
    ]);
    expect(streams.coreweave.changes().map((message) => message.action)).toEqual([
      'offer.create',
      'offer.decline',
    ]);
    // A funder hears the plan, not the offers.
    expect(streams.funder.changes().map((message) => message.action)).toEqual(['plan.create']);
    // Messages say what changed, never the change itself.
    expect(Object.keys(streams.azure.changes()[0] ?? {}).sort()).toEqual([
      'action',
      'at',
      'entityId',
      'entityType',
      'id',
    ]);
  });

  it('resumes after Last-Event-ID: what was missed, then what comes, each once and in order', async () => {
    const planner = await h.token('planner');
    const first = await listen(planner.secret);
    const made = (await h.call('POST', '/v1/requests', planner.secret, REQUEST)) as { id: number };
    await first.waitFor(changeOf('offer.create', String(made.id)));
    const seen = first.events.filter((event) => event.event === 'change');
    const cut = Number(seen[0]?.id);
    first.close();

    // Missed while away: the rest of the first request, and a second request.
    const second = (await h.call('POST', '/v1/requests', planner.secret, REQUEST)) as {
      id: number;
    };
    const again = await listen(planner.secret, { lastEventId: cut });
    expect(again.readyId).toBe(cut);
    await again.waitFor(changeOf('offer.create', String(second.id)));
    // And one made after the reconnect.
    const third = (await h.call('POST', '/v1/requests', planner.secret, REQUEST)) as {
      id: number;
    };
    await again.waitFor(changeOf('offer.create', String(third.id)));
    await sleep(SETTLE_MS);
    const expected = (await logAfter(cut)).map((event) => event.id);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(ids(again)).toEqual(expected);

    // Resuming from the newest event repeats nothing.
    const newest = expected.at(-1) ?? 0;
    const caughtUp = await listen(planner.secret, { lastEventId: newest });
    await sleep(SETTLE_MS);
    expect(ids(caughtUp)).toEqual([]);
  });

  it('hears a change made right after ready, with several subscribers joining at once', async () => {
    const planner = await h.token('planner');
    // Subscribers joining while the poller is already running and while it is idle.
    const streams = await Promise.all([1, 2, 3, 4].map(() => listen(planner.secret)));
    const made = (await h.call('POST', '/v1/requests', planner.secret, REQUEST)) as { id: number };
    // Request ids and offer ids are separate sequences: an offer may share the request's number.
    const aboutMade = (message: { entityType: string; entityId: string }) =>
      message.entityType === 'request' && message.entityId === String(made.id);
    const late = await listen(planner.secret);
    const after = (await h.call('POST', '/v1/requests', planner.secret, REQUEST)) as {
      id: number;
    };
    for (const stream of [...streams, late]) {
      await stream.waitFor(changeOf('offer.create', String(after.id)));
    }
    await sleep(SETTLE_MS);
    for (const stream of streams) {
      expect(ids(stream)).toEqual((await logAfter(stream.readyId)).map((event) => event.id));
      expect(stream.changes().some(aboutMade)).toBe(true);
    }
    expect(ids(late)).toEqual((await logAfter(late.readyId)).map((event) => event.id));
    // A subscriber starts at the poller's cursor, which may not yet have passed `made`'s
    // events (the poll runs every 20 ms): it hears them exactly when they come after its ready.
    const madeAfterReady = (await logAfter(late.readyId)).some(
      (event) => event.entityType === 'request' && event.entityId === String(made.id),
    );
    expect(late.changes().some(aboutMade)).toBe(madeAfterReady);
  });

  it('lets go of subscribers that hang up', async () => {
    const admin = await h.token('admin');
    const gauge = async () => {
      const response = await fetch(`${h.url}/metrics`);
      const match = /^stargate_stream_subscribers (\d+)$/m.exec(await response.text());
      return Number(match?.[1]);
    };
    const settled = async () => {
      const deadline = Date.now() + 2000;
      while ((await gauge()) !== 0 && Date.now() < deadline) await sleep(POLL_MS);
      return gauge();
    };
    // Earlier tests' subscribers hung up too.
    expect(await settled()).toBe(0);
    const streams = await Promise.all([1, 2, 3].map(() => listen(admin.secret)));
    expect(await gauge()).toBe(3);
    for (const stream of streams) stream.close();
    expect(await settled()).toBe(0);
  });

  it('ends every stream when the server closes, and the close does not wait for them', async () => {
    const viewer = await h.token('viewer');
    // A second app on the store, to close while the file's goes on.
    const { app, url } = await serveApp(h.store);
    const streams = await Promise.all([1, 2].map(() => listen(viewer.secret, { url })));
    const started = performance.now();
    await within(app.fastify.close(), 5000, 'the server closing');
    const took = performance.now() - started;
    await within(Promise.all(streams.map((stream) => stream.ended)), 1000, 'the streams ending');
    expect(streams.every((stream) => stream.isEnded())).toBe(true);
    expect(took).toBeLessThan(2000);
  });

  it('ends the stream of a token revoked while it listens', async () => {
    const viewer = await h.token('viewer');
    const other = await h.token('viewer');
    const stream = await listen(viewer.secret);
    const kept = await listen(other.secret);
    await revokeToken(h.store.db, viewer.id, new Date());
    const started = performance.now();
    await within(stream.ended, RECHECK_MS * 10, "the revoked token's stream ending");
    expect(performance.now() - started).toBeLessThan(RECHECK_MS * 10);
    // The other token's stream goes on.
    await sleep(RECHECK_MS * 2);
    expect(kept.isEnded()).toBe(false);
  });

  it("tells a what-if's caller, and no one else, when its exact answer is ready", async () => {
    const planner = await h.token('planner');
    const other = await h.token('planner');
    const own = await listen(planner.secret);
    const elsewhere = await listen(other.secret);
    await h.call('POST', '/v1/plans', planner.secret, { solver: 'fast' });
    // Lordstown's first building a quarter late: the fast answer comes first, the exact after.
    const asked = (await h.call('POST', '/v1/what-if', planner.secret, {
      patch: { buildings: [{ id: 'lordstown-b1', online: '2028-06' }] },
    })) as { id: string; exact: { status: string; href: string } };
    expect(asked.exact.status).toBe('computing');
    const told = await own.waitFor((event) => event.event === 'what-if', 60_000);
    expect(JSON.parse(told.data)).toEqual({ id: asked.id, status: 'done' });
    // Not an audited change: no id to resume from, and nothing in the log.
    expect(told.id).toBeUndefined();
    const result = (await h.call('GET', asked.exact.href, planner.secret)) as { status: string };
    expect(result.status).toBe('done');
    await sleep(SETTLE_MS);
    expect(elsewhere.events.filter((event) => event.event === 'what-if')).toEqual([]);
  }, 90_000);
});
