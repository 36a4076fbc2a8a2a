import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { replaceScenario } from '../store/scenario-store.js';
import { createToken } from '../store/tokens.js';
import type { TestStore } from '../test-support/stores.js';
import type { TestBackend } from '../test-support/stores.js';
import { pgliteBackend, testBackends } from '../test-support/stores.js';
import type { App, AppOptions } from './app.js';
import { buildApp } from './app.js';
import type { GateLimits } from './gate.js';
import { createGate } from './gate.js';
import { computePlan } from './plan-compute.js';

/**
 * The limits the service publishes (docs/service.md "Limits"): body size, plans at once and
 * waiting, the per-token rate, security headers, compression and plans' ETags.
 */

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const NOW = new Date('2026-01-10T00:00:00.000Z');

const backend = pgliteBackend;

describe('limits', () => {
  let store: TestStore | undefined;
  let app: App | undefined;
  afterEach(async () => {
    await app?.fastify.close();
    await store?.dispose();
    app = undefined;
    store = undefined;
  }, 60_000);

  async function open(options: Partial<AppOptions> = {}) {
    store = await backend.open();
    const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
    await store.db.transaction((tx) => replaceScenario(tx, doc));
    const admin = (await createToken(store.db, { role: 'admin' }, NOW)).secret;
    app = buildApp({
      store,
      clock: () => Promise.resolve(NOW),
      version: 'test',
      webRoot: false,
      ...options,
    });
    const call = (
      method: 'GET' | 'POST',
      url: string,
      payload?: unknown,
      headers = {},
      token = admin,
    ) =>
      app!.fastify.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    return { admin, call };
  }

  it('refuses a body over the route’s limit with 413, and changes nothing', async () => {
    const { call } = await open();
    const before = (await call('GET', '/v1/events')).body;
    const big = {
      accelerator: 'vr200',
      gpus: 10,
      window: { from: '2029-01', to: '2029-02' },
      workloadClass: 'research',
      reason: 'x'.repeat(1024 * 1024),
    };
    const answer = await call('POST', '/v1/requests', big);
    expect(answer.statusCode).toBe(413);
    expect(answer.json()).toMatchObject({ error: { code: expect.any(String) as unknown } });
    expect((await call('GET', '/v1/events')).body).toBe(before);
  }, 60_000);

  it('sends security headers and the dashboard’s Content-Security-Policy on every answer', async () => {
    const { call } = await open();
    for (const url of ['/v1/me', '/healthz', '/v1/nope']) {
      const answer = await call('GET', url);
      expect(answer.headers['content-security-policy'], url).toContain("script-src 'self'");
      expect(answer.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
      expect(answer.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(answer.headers['strict-transport-security'], url).toBeUndefined();
    }
  }, 60_000);

  it('compresses large bodies by Accept-Encoding and answers an unchanged plan 304', async () => {
    const { call } = await open();
    const made = await call('POST', '/v1/plans', { solver: 'fast' });
    expect(made.statusCode).toBe(201);
    const plain = await call('GET', '/v1/plans/1');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gzip = await call('GET', '/v1/plans/1', undefined, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(plain.body);
    const br = await call('GET', '/v1/plans/1', undefined, { 'accept-encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
    // Compressed once per process and kept: the same bytes again; refused encodings are not used.
    const again = await call('GET', '/v1/plans/1', undefined, { 'accept-encoding': 'gzip' });
    expect(again.rawPayload.equals(gzip.rawPayload)).toBe(true);
    const refused = await call('GET', '/v1/plans/1', undefined, {
      'accept-encoding': 'br;q=0, gzip;q=0',
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);

    const etag = plain.headers['etag'];
    expect(etag).toMatch(/^"plan-1-/);
    for (const url of ['/v1/plans/1', '/v1/plans/1/summary', '/v1/plans/1/workloads']) {
      const first = await call('GET', url);
      const again = await call('GET', url, undefined, {
        'if-none-match': String(first.headers['etag']),
      });
      expect(again.statusCode, url).toBe(304);
      expect(again.body, url).toBe('');
    }
    const stale = await call('GET', '/v1/plans/1', undefined, {
      'if-none-match': '"plan-1-other"',
    });
    expect(stale.statusCode).toBe(200);
  }, 120_000);

  it('limits each token’s requests a minute, with Retry-After; other tokens go on', async () => {
    const { call } = await open({ rateLimitPerMinute: 5 });
    const other = (await createToken(store!.db, { role: 'viewer' }, NOW)).secret;
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await call('GET', '/v1/me')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = await call('GET', '/v1/me');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json()).toMatchObject({ error: { code: 'too_many_requests' } });
    expect((await call('GET', '/v1/me', undefined, {}, other)).statusCode).toBe(200);
    // Health and readiness are never limited.
    expect((await call('GET', '/healthz')).statusCode).toBe(200);
    // The limit comes before the token is looked up: a flood of bad tokens is limited too.
    const bad = [];
    for (let i = 0; i < 7; i++) {
      bad.push((await call('GET', '/v1/me', undefined, {}, 'sgt_not-a-token')).statusCode);
    }
    expect(bad).toEqual([401, 401, 401, 401, 401, 429, 429]);
  }, 60_000);
});

describe('the gate of plans computed at once', () => {
  it('lets `running` in, queues `waiting` in order, refuses the next with 429 and Retry-After', async () => {
    const gate = createGate('plans', { running: 1, waiting: 1 });
    const first = await gate.enter();
    const order: string[] = [];
    const second = gate.enter().then((release) => {
      order.push('second');
      return release;
    });
    await expect(gate.enter()).rejects.toMatchObject({
      status: 429,
      headers: { 'retry-after': '10' },
      message: expect.stringContaining('1 plans computing and 1 waiting') as unknown,
    });
    expect(gate.load()).toEqual({ running: 1, waiting: 1 });
    first();
    first(); // a second release of the same place does nothing
    (await second)();
    expect(order).toEqual(['second']);
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('lets a caller who hangs up while waiting leave the line: its place goes to the next', async () => {
    const gate = createGate('plans', { running: 1, waiting: 1 });
    const first = await gate.enter();
    const hungUp = new AbortController();
    const waiting = gate.enter(hungUp.signal);
    // The line is full: a third caller is refused.
    await expect(gate.enter()).rejects.toMatchObject({ status: 429 });
    hungUp.abort();
    await expect(waiting).rejects.toMatchObject({ status: 503, code: 'gone' });
    expect(gate.load()).toEqual({ running: 1, waiting: 0 });
    // Its place is free for the next caller, who gets the running place once the first leaves.
    const next = gate.enter();
    expect(gate.load()).toEqual({ running: 1, waiting: 1 });
    first();
    (await next)();
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
    // A caller already gone is not queued at all.
    await expect(gate.enter(AbortSignal.abort())).rejects.toMatchObject({ status: 503 });
  });
});

/**
 * An app on `server`'s store with the example and a planner token, whose planner holds every
 * plan until the test lets them go: `entered` once the first is held, `finish()` lets all go.
 */
async function heldPlans(server: TestBackend, planLimits: GateLimits) {
  const store = await server.open();
  const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
  await store.db.transaction((tx) => replaceScenario(tx, doc));
  const token = (await createToken(store.db, { role: 'planner' }, NOW)).secret;
  let started!: () => void;
  const entered = new Promise<void>((resolve) => (started = resolve));
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const counted = { plans: 0 };
  const app = buildApp({
    store,
    clock: () => Promise.resolve(NOW),
    version: 'test',
    webRoot: false,
    planLimits,
    planRunner: {
      run: async (input) => {
        counted.plans += 1;
        started();
        await held;
        return computePlan(input);
      },
      stop: () => Promise.resolve(),
    },
  });
  return { store, token, app, entered, finish, counted };
}

// On PostgreSQL only: on PGlite one connection serialises requests anyway (a plan's transaction
// holds it), so a second plan never reaches the gate while the first computes.
for (const server of testBackends().filter((candidate) => candidate.name === 'postgres')) {
  describe(`plans past the bound on ${server.name}`, () => {
    it('answers 429 with Retry-After at once, before any transaction, and lets the first finish', async () => {
      const { store, token, app, entered, finish } = await heldPlans(server, {
        running: 1,
        waiting: 0,
      });
      try {
        const plan = () =>
          app.fastify.inject({
            method: 'POST',
            url: '/v1/plans',
            headers: { authorization: `Bearer ${token}` },
            payload: { solver: 'fast' },
          });
        const first = plan();
        await entered;
        const second = await plan();
        expect(second.statusCode).toBe(429);
        expect(second.headers['retry-after']).toBe('10');
        expect(second.json()).toMatchObject({ error: { code: 'too_many_requests' } });
        finish();
        expect((await first).statusCode).toBe(201);
        expect((await plan()).statusCode).toBe(201);
      } finally {
        await app.fastify.close();
        await store.dispose();
      }
    }, 60_000);

    it('gives the place of a caller who hung up while waiting to the next caller', async () => {
      const { store, token, app, entered, finish, counted } = await heldPlans(server, {
        running: 1,
        waiting: 1,
      });
      try {
        const url = await app.fastify.listen({ port: 0, host: '127.0.0.1' });
        try {
          const plan = (signal?: AbortSignal) =>
            fetch(`${url}/v1/plans`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ solver: 'fast' }),
              ...(signal ? { signal } : {}),
            });
          const first = plan();
          await entered;
          // The second waits in the line's one place, then hangs up.
          const hangUp = new AbortController();
          const second = plan(hangUp.signal).catch((error: unknown) => error);
          await new Promise((resolve) => setTimeout(resolve, 200));
          hangUp.abort();
          expect(await second).toBeInstanceOf(Error);
          await new Promise((resolve) => setTimeout(resolve, 200));
          // Its place is free: the third waits instead of being refused.
          const third = plan();
          await new Promise((resolve) => setTimeout(resolve, 200));
          finish();
          expect((await first).status).toBe(201);
          expect((await third).status).toBe(201);
          // The caller who hung up was never planned for.
          expect(counted.plans).toBe(2);
        } finally {
          await app.fastify.close();
        }
      } finally {
        await store.dispose();
      }
    }, 60_000);
  });
}
