import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TOKEN_PINGS_CHANNEL } from '../store/db.js';
import { requireServerDatabase } from '../test-support/stores.js';
import type { ServerProcess } from '../test-support/server-process.js';
import { EXAMPLE, api, startServer, stopAllServers } from '../test-support/server-process.js';

/**
 * Each `stargate serve` process caches the tokens it has looked up (src/store/token-cache.ts). A
 * token revoked through one process must be refused on the next request at every process (the
 * revoking process waits for the others to confirm before it answers); a change made by hand in
 * SQL, once every process has heard it (a ping both answer). Two processes on one PostgreSQL
 * database, each with the token cached, are asked at once after each change. Needs
 * STARGATE_TEST_DATABASE_URL (npm run test:services).
 */
describe('token changes reach every process: revoked, on the next request; changed by hand, once heard', () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let client: pg.Client | undefined;
  let servers: [ServerProcess, ServerProcess];
  let admin: string;

  /** The processes that answered each of this test's pings. */
  const pongs = new Map<string, Set<string>>();
  let pinged = 0;

  let started: Promise<void> | undefined;
  const setUp = () => (started ??= start());
  const start = async () => {
    database = await requireServerDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    client.on('notification', (message) => {
      const words = (message.payload ?? '').split(' ');
      if (words[0] === 'pong' && words[2] === 'test') pongs.get(words[3]!)?.add(words[1]!);
    });
    await client.query(`listen ${TOKEN_PINGS_CHANNEL}`);
    const store = { databaseUrl: database.url };
    const a = await startServer({ store, args: ['--import', EXAMPLE] });
    if (!a.firstToken) throw new Error(`no first admin token on stderr:\n${a.output()}`);
    admin = a.firstToken;
    servers = [a, await startServer({ store })];
  };

  afterAll(async () => {
    await stopAllServers();
    await client?.end();
    await database?.drop();
  });

  /** A viewer token, used once at each process (so both have it cached). */
  const cachedViewer = async (label: string) => {
    const made = await api(servers[0], 'POST', '/v1/tokens', {
      token: admin,
      body: { role: 'viewer', label },
    });
    expect(made.status).toBe(201);
    const { id, token } = made.body as { id: string; token: string };
    for (const server of servers) {
      expect((await api(server, 'GET', '/v1/me', { token })).status).toBe(200);
    }
    return { id, token };
  };

  /**
   * Waits until both processes have heard every token change committed so far, as a process that
   * revokes a token does before it answers (TokenCache.confirm): a ping on TOKEN_PINGS_CHANNEL,
   * answered by each process's listener once it has heard what was committed before it. A change
   * made by hand in SQL has no process to wait for it: this is how a test (or an operator) does.
   */
  const heardByBoth = async () => {
    const n = String(++pinged);
    const heard = new Set<string>();
    pongs.set(n, heard);
    await client!.query('select pg_notify($1, $2)', [TOKEN_PINGS_CHANNEL, `ping test ${n}`]);
    const deadline = Date.now() + 5000;
    while (heard.size < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(heard.size, 'processes that confirmed within 5 s').toBe(2);
  };

  /** The status each process answers the token with, asked at both at once. */
  const statusesAt = (token: string) =>
    Promise.all(
      servers.map(async (server) => (await api(server, 'GET', '/v1/offers', { token })).status),
    );

  it('revoked through one process: 401 at both on the very next request, every time', async () => {
    await setUp();
    for (let round = 0; round < 10; round++) {
      const { id, token } = await cachedViewer(`revoked ${round}`);
      // Revoked through each process in turn.
      const revoked = await api(servers[round % 2]!, 'DELETE', `/v1/tokens/${id}`, {
        token: admin,
      });
      expect(revoked.status).toBe(204);
      expect(await statusesAt(token), `round ${round}`).toEqual([401, 401]);
    }
  });

  it('revoked or expired by hand in SQL: 401 at both once both have heard it', async () => {
    await setUp();
    const query = (text: string, values: unknown[]) => client!.query(text, values);
    for (let round = 0; round < 5; round++) {
      const revoked = await cachedViewer(`sql revoked ${round}`);
      await query('update tokens set revoked_at = now() where id = $1', [revoked.id]);
      await heardByBoth();
      expect(await statusesAt(revoked.token), `round ${round}`).toEqual([401, 401]);
      const expired = await cachedViewer(`sql expired ${round}`);
      await query(`update tokens set expires_at = now() - interval '1 second' where id = $1`, [
        expired.id,
      ]);
      await heardByBoth();
      expect(await statusesAt(expired.token), `round ${round}`).toEqual([401, 401]);
    }
  });

  it('a token that expires by itself is refused at both once its time has passed', async () => {
    await setUp();
    const { id, token } = await cachedViewer('expires soon');
    // An expiry 1.5 s ahead, set without a notification reaching the caches first: it comes
    // with the update, so both read the token again and cache it with its expiry.
    await client!.query(
      `update tokens set expires_at = now() + interval '1.5 seconds' where id = $1`,
      [id],
    );
    expect(await statusesAt(token)).toEqual([200, 200]);
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(await statusesAt(token)).toEqual([401, 401]);
  });

  it('a process whose listener is cut off keeps answering, and still refuses a revoked token', async () => {
    await setUp();
    const { id, token } = await cachedViewer('listener cut');
    // Ends every listening session of both processes (pooled ones included): each drops its cache
    // and reads tokens from the database until it listens again.
    await client!.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`,
    );
    await client!.query('update tokens set revoked_at = now() where id = $1', [id]);
    expect(await statusesAt(token)).toEqual([401, 401]);
    const other = await cachedViewer('after the cut');
    expect(await statusesAt(other.token)).toEqual([200, 200]);
    // Listening again (retried each second): a revocation holds at once once more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const server of servers) {
      expect((await api(server, 'GET', '/v1/me', { token: other.token })).status).toBe(200);
    }
    await client!.query('update tokens set revoked_at = now() where id = $1', [other.id]);
    await heardByBoth();
    expect(await statusesAt(other.token)).toEqual([401, 401]);
  });
});
