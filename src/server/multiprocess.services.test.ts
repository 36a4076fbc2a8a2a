import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { requireServerDatabase } from '../test-support/stores.js';
import type { ApiResponse, ServerProcess } from '../test-support/server-process.js';
import {
  EXAMPLE,
  api,
  sleep,
  startServer,
  stopAllServers,
} from '../test-support/server-process.js';

/**
 * Two real `stargate serve` processes on one PostgreSQL database, with competing actions fired
 * at both at once: in every race exactly one wins, the others are refused with the right status,
 * and nothing is lost. Needs STARGATE_TEST_DATABASE_URL (npm run test:services); fails without.
 */

/** A request the example's ROFR (azure, 30 days) binds: new gb300 capacity in 2027. */
const requestBody = (reason: string) => ({
  accelerator: 'gb300',
  gpus: 1000,
  window: { from: '2027-01', to: '2027-12' },
  workloadClass: 'training',
  reason,
});

interface Detail {
  id: number;
  state: string;
  clearedGpus: number;
  offers: { id: number; state: string }[];
}

const statuses = (responses: readonly ApiResponse[]) =>
  responses.map((response) => response.status).sort((x, y) => x - y);

describe('two stargate serve processes on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let client: pg.Client | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  let admin: string;
  let holder: string;
  let servers: [ServerProcess, ServerProcess];

  /** Runs a query on the test database directly. */
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    if (!client) throw new Error('no database client');
    return (await client.query<R>(text, values)).rows;
  };

  /** A fresh request, offered to azure; returns its id and the offer's. */
  const newRequest = async (server: ServerProcess, reason: string) => {
    const response = await api(server, 'POST', '/v1/requests', {
      token: admin,
      body: requestBody(reason),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const detail = response.body as Detail;
    expect(detail.state).toBe('offered');
    const offer = detail.offers[0];
    if (!offer) throw new Error('the request has no offer');
    return { request: detail.id, offer: offer.id };
  };

  /**
   * Starts both processes, once, in the first test that needs them (not in a hook: when there is
   * no server, every test fails, none is skipped).
   */
  let started: Promise<void> | undefined;
  const setUp = () => (started ??= start());
  const start = async () => {
    database = await requireServerDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const store = { databaseUrl: database.url };
    // The first process imports the example and makes the first admin token; the second starts
    // on the store as it finds it.
    a = await startServer({ store, args: ['--import', EXAMPLE, '--sweep-every', '0.05'] });
    if (!a.firstToken) throw new Error(`no first admin token on stderr:\n${a.output()}`);
    admin = a.firstToken;
    b = await startServer({ store, args: ['--sweep-every', '0.05'] });
    expect(b.firstToken).toBeUndefined();
    servers = [a, b];
    const created = await api(b, 'POST', '/v1/tokens', {
      token: admin,
      body: { role: 'holder', provider: 'azure', label: 'race holder' },
    });
    expect(created.status).toBe(201);
    holder = (created.body as { token: string }).token;
  };

  afterAll(async () => {
    await stopAllServers();
    await client?.end();
    await database?.drop();
  });

  it('two awards of one request: exactly one 201, the others 409; one award, one pool', async () => {
    await setUp();
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      const { request, offer } = await newRequest(a, `award race ${round}`);
      const declined = await api(b, 'POST', `/v1/offers/${offer}/decline`, {
        token: holder,
        body: {},
      });
      expect(declined.status).toBe(200);
      const quote = async (server: ServerProcess, provider: string, price: string) => {
        const response = await api(server, 'POST', '/v1/quotes', {
          token: admin,
          body: { request, provider, gpus: 1000, pricePerGpuHour: price, deliveryMonth: '2027-03' },
        });
        expect(response.status, JSON.stringify(response.body)).toBe(201);
        return (response.body as { id: number }).id;
      };
      const q1 = await quote(a, 'coreweave', '2.10');
      const q2 = await quote(b, 'stargate', '1.90');
      // One award per process per quote, all at once.
      const award = (server: ServerProcess, quoteId: number) =>
        api(server, 'POST', '/v1/awards', { token: admin, body: { quote: quoteId } });
      const results = await Promise.all([award(a, q1), award(b, q2), award(b, q1), award(a, q2)]);
      expect(statuses(results), JSON.stringify(results.map((r) => r.body))).toEqual([
        201, 409, 409, 409,
      ]);
      const winner = results.find((r) => r.status === 201)?.body as { pool: string; quote: number };
      const awards = await query<{ pool_id: string; quote_id: string }>(
        'select pool_id, quote_id from awards where request_id = $1',
        [request],
      );
      expect(awards).toEqual([{ pool_id: winner.pool, quote_id: String(winner.quote) }]);
      const pools = await query<{ id: string }>('select id from pools where request_id = $1', [
        request,
      ]);
      expect(pools).toEqual([{ id: winner.pool }]);
      const [row] = await query<{ state: string }>('select state from requests where id = $1', [
        request,
      ]);
      expect(row?.state).toBe('awarded');
      const events = await query<{ n: string }>(
        `select count(*) as n from events where entity_type = 'request' and entity_id = $1 and action = 'award.create'`,
        [String(request)],
      );
      expect(events[0]?.n).toBe('1');
    }
  });

  it('accepts racing the lapse: accepted (one 200) or lapsed (all 409), never both', async () => {
    await setUp();
    // Where the accepts land against the deadline, in ms: well before, around it, well after.
    const shifts = [-1000, -60, -30, -20, -15, -12, -10, -8, -6, -4, -2, 0, 3, 8, 15, 30, 250];
    // Each shift fires four accepts, two at each process, a few ms apart.
    const spread = [-4, -1, 1, 4];
    const outcomes: Record<string, number> = { accepted: 0, lapsed: 0 };
    for (const [round, shift] of shifts.entries()) {
      const { request, offer } = await newRequest(round % 2 === 0 ? a : b, `lapse race ${round}`);
      const [set] = await query<{ deadline: Date }>(
        `update offers set deadline = now() + make_interval(secs => $2) where id = $1 returning deadline`,
        [offer, (400 + Math.max(0, -shift)) / 1000],
      );
      if (!set) throw new Error('no offer to move');
      const deadline = set.deadline.getTime();
      const results = await Promise.all(
        spread.map(async (offset, index) => {
          const wait = deadline + shift + offset - Date.now();
          if (wait > 0) await sleep(wait);
          return api(servers[index % 2]!, 'POST', `/v1/offers/${offer}/accept`, {
            token: holder,
            body: { pricePerGpuHour: '2.50' },
          });
        }),
      );
      // The sweeps (every 50 ms in each process) settle an offer nobody took.
      let state = 'pending';
      for (let wait = 0; wait < 100 && state === 'pending'; wait++) {
        const [row] = await query<{ state: string }>('select state from offers where id = $1', [
          offer,
        ]);
        state = row?.state ?? 'missing';
        if (state === 'pending') await sleep(50);
      }
      const context = JSON.stringify({ round, shift, state, results: results.map((r) => r.body) });
      const [offerRow] = await query<{ before: boolean; at: boolean }>(
        'select responded_at < deadline as before, responded_at = deadline as at from offers where id = $1',
        [offer],
      );
      const [requestRow] = await query<{ state: string; cleared_gpus: number }>(
        'select state, cleared_gpus from requests where id = $1',
        [request],
      );
      const answers = await query<{ action: string }>(
        `select action from events where entity_type = 'request' and entity_id = $1
           and action in ('offer.accept', 'offer.lapse', 'offer.decline')`,
        [String(request)],
      );
      const pools = await query<{ id: string }>('select id from pools where request_id = $1', [
        request,
      ]);
      for (const result of results) {
        if (result.status === 409) {
          expect((result.body as { error: { code: string } }).error.code).toBe('conflict');
        }
      }
      if (state === 'accepted') {
        expect(statuses(results), context).toEqual([200, 409, 409, 409]);
        expect(answers, context).toEqual([{ action: 'offer.accept' }]);
        expect(requestRow, context).toEqual({ state: 'fulfilled', cleared_gpus: 0 });
        expect(pools, context).toEqual([{ id: `req-${request}-azure` }]);
        expect(offerRow, context).toEqual({ before: true, at: false });
      } else {
        expect(state, context).toBe('lapsed');
        expect(statuses(results), context).toEqual([409, 409, 409, 409]);
        expect(answers, context).toEqual([{ action: 'offer.lapse' }]);
        expect(requestRow, context).toEqual({ state: 'cleared', cleared_gpus: 1000 });
        expect(pools, context).toEqual([]);
        expect(offerRow, context).toEqual({ before: false, at: true });
      }
      outcomes[state] = (outcomes[state] ?? 0) + 1;
    }
    console.info(`accept vs lapse over ${shifts.length} rounds: ${JSON.stringify(outcomes)}`);
    // The shifts reach well before (1 s: accepted however slow the machine) and after the
    // deadline (an accept whose transaction starts after it is refused): both outcomes show.
    expect(outcomes['accepted']).toBeGreaterThan(0);
    expect(outcomes['lapsed']).toBeGreaterThan(0);
  });

  /** A pool of its own for each round, so rounds do not see each other's versions. */
  const newPool = async (id: string) => {
    const response = await api(a, 'POST', '/v1/pools', {
      token: admin,
      body: {
        id,
        provider: 'coreweave',
        site: 'coreweave-us',
        accelerator: 'h100',
        gpus: 100,
        window: { from: '2026-01', to: '2026-12' },
        pricePerGpuHour: '2.00',
        origin: 'existing',
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
  };

  it('PATCHes with one If-Match at both processes: exactly one 200, the rest 412', async () => {
    await setUp();
    const rounds = 4;
    const contenders = 8;
    for (let round = 0; round < rounds; round++) {
      const id = `race-if-match-${round}`;
      await newPool(id);
      const results = await Promise.all(
        Array.from({ length: contenders }, (_, index) =>
          api(servers[index % 2]!, 'PATCH', `/v1/pools/${id}`, {
            token: admin,
            headers: { 'if-match': '"1"' },
            body: { gpus: 200 + index },
          }),
        ),
      );
      expect(statuses(results), JSON.stringify(results.map((r) => r.body))).toEqual([
        200,
        ...Array<number>(contenders - 1).fill(412),
      ]);
      const winner = results.findIndex((r) => r.status === 200);
      expect(results[winner]!.headers.get('etag')).toBe('"2"');
      const after = await api(b, 'GET', `/v1/pools/${id}`, { token: admin });
      expect(after.headers.get('etag')).toBe('"2"');
      expect((after.body as { gpus: number }).gpus).toBe(200 + winner);
    }
  });

  it('PATCHes without If-Match changing different fields: every one applied', async () => {
    await setUp();
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const id = `race-merge-${round}`;
      await newPool(id);
      const patches = [
        { gpus: 300 + round },
        { pricePerGpuHour: `3.3${round}` },
        { window: { from: '2026-02' } },
        { window: { to: '2026-11' } },
      ];
      // Each patch goes to both processes in turn; two per field, all at once.
      const results = await Promise.all(
        [...patches, ...patches].map((body, index) =>
          api(servers[index % 2]!, 'PATCH', `/v1/pools/${id}`, { token: admin, body }),
        ),
      );
      expect(statuses(results), JSON.stringify(results.map((r) => r.body))).toEqual(
        Array<number>(patches.length * 2).fill(200),
      );
      const after = await api(a, 'GET', `/v1/pools/${id}`, { token: admin });
      expect(after.headers.get('etag')).toBe(`"${1 + patches.length * 2}"`);
      expect(after.body).toEqual({
        id,
        provider: 'coreweave',
        site: 'coreweave-us',
        accelerator: 'h100',
        gpus: 300 + round,
        window: { from: '2026-02', to: '2026-11' },
        pricePerGpuHour: `3.3${round}`,
        origin: 'existing',
      });
      const updates = await query<{ n: string }>(
        `select count(*) as n from events where entity_type = 'pool' and entity_id = $1 and action = 'pools.update'`,
        [id],
      );
      expect(updates[0]?.n).toBe(String(patches.length * 2));
    }
  });

  it('one Idempotency-Key at both processes at once: one request row', async () => {
    await setUp();
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const reason = `idempotent race ${round} ${randomBytes(4).toString('hex')}`;
      const key = `race-${round}-${randomBytes(8).toString('hex')}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          api(servers[index % 2]!, 'POST', '/v1/requests', {
            token: admin,
            headers: { 'idempotency-key': key },
            body: requestBody(reason),
          }),
        ),
      );
      expect(statuses(results), JSON.stringify(results.map((r) => r.body))).toEqual(
        Array<number>(6).fill(201),
      );
      const ids = new Set(results.map((r) => (r.body as Detail).id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
      const rows = await query<{ id: string }>('select id from requests where reason = $1', [
        reason,
      ]);
      expect(rows).toEqual([{ id: String([...ids][0]) }]);
      const offers = await query<{ id: string }>('select id from offers where request_id = $1', [
        rows[0]!.id,
      ]);
      expect(offers).toHaveLength(1);
    }
  });

  it('a holder polling one process sees at once an offer the other process made, its answer shared or not', async () => {
    await setUp();
    // The holder polls b hard enough that its reads share queries (src/server/coalesce.ts).
    let polling = true;
    const poll = async () => {
      while (polling) {
        const listed = await api(b, 'GET', '/v1/offers?state=pending', { token: holder });
        expect(listed.status).toBe(200);
      }
    };
    const pollers = Array.from({ length: 4 }, poll);
    try {
      for (let round = 0; round < 20; round++) {
        const { offer } = await newRequest(a, `seen at once ${round}`);
        const listed = await api(b, 'GET', '/v1/offers?state=pending', { token: holder });
        const ids = (listed.body as { id: number }[]).map((o) => o.id);
        expect(ids, `round ${round}`).toContain(offer);
        const declined = await api(a, 'POST', `/v1/offers/${offer}/decline`, {
          token: holder,
          body: {},
        });
        expect(declined.status).toBe(200);
        const after = await api(b, 'GET', '/v1/offers?state=pending', { token: holder });
        expect(
          (after.body as { id: number }[]).map((o) => o.id),
          `round ${round}`,
        ).not.toContain(offer);
      }
    } finally {
      polling = false;
      await Promise.all(pollers);
    }
  });

  it('both processes are still up, and neither answered 500 (a deadlock surfacing, say)', async () => {
    await setUp();
    expect(a.exited()).toBe(false);
    expect(b.exited()).toBe(false);
    // The server logs every 500 as "request failed".
    expect(a.output()).not.toMatch(/request failed/);
    expect(b.output()).not.toMatch(/request failed/);
  });
});

describe('two stargate serve processes starting together on a fresh database', () => {
  const databases: { url: string; drop: () => Promise<void> }[] = [];

  afterAll(async () => {
    await stopAllServers();
    for (const database of databases) await database.drop();
  });

  it('both with --import: the scenario imported once, one first admin token, both serve', async () => {
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const database = await requireServerDatabase();
      databases.push(database);
      const store = { databaseUrl: database.url };
      const started = await Promise.allSettled(
        [0, 1].map(() => startServer({ store, args: ['--import', EXAMPLE] })),
      );
      const failures = started
        .filter((result) => result.status === 'rejected')
        .map((result) => String(result.reason));
      expect(failures, `round ${round}`).toEqual([]);
      const servers = started.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      const tokens = servers.flatMap((server) => (server.firstToken ? [server.firstToken] : []));
      expect(tokens, `round ${round}`).toHaveLength(1);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const count = async (table: string) =>
          Number(
            (await client.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]?.n,
          );
        expect(await count('tokens')).toBe(1);
        expect(await count('scenario_settings')).toBe(1);
        expect(await count('providers')).toBe(3);
      } finally {
        await client.end();
      }
      for (const server of servers) {
        const pools = await api(server, 'GET', '/v1/pools', { token: tokens[0] });
        expect(pools.status).toBe(200);
      }
      await stopAllServers();
    }
  });
});
