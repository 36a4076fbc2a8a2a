import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** A database handle: the same query code runs on PGlite and on a PostgreSQL server. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either a database or a transaction: what query helpers take. */
export type Queryable = Db | Tx;

const dialect = new PgDialect();

/**
 * Runs a statement as a named prepared statement (PostgreSQL parses and plans it once per
 * connection, not each time; PGlite runs it as any other), answering its rows. For a statement
 * that is costly to plan and run often; `name` must stand for one text, whatever the values.
 */
export async function executePrepared<Row>(
  db: Queryable,
  name: string,
  statement: SQL,
): Promise<Row[]> {
  const query = dialect.sqlToQuery(statement);
  const result = await db._.session.prepareQuery(query, undefined, name, false).execute();
  return (result as { rows: Row[] }).rows;
}

export interface Store {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, for logs: a directory, `memory`, or the server URL without password. */
  readonly where: string;
  /**
   * Listens on notification channels (PostgreSQL `LISTEN`; PGlite's own, in-process): calls
   * `onMessage` with each payload `NOTIFY` sends after its transaction commits, in commit order
   * across the channels. On PostgreSQL the listener holds a connection of its own, outside the
   * pool, named `name` (its `application_name`, seen in `pg_stat_activity`); `onLost` is called
   * once if that connection fails (notifications sent meanwhile are lost: listen again).
   * Resolves once the listener is in place; its result stops it. `close()` stops every listener
   * left.
   */
  listen(
    channels: readonly string[],
    onMessage: (payload: string, channel: string) => void,
    onLost: (error: unknown) => void,
    name?: string,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type StoreLocation =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'memory' };

/**
 * The channel on which the database announces a changed token (payload: its id, or `*` for all),
 * when, and only if, the change commits: a trigger on the tokens table (migration 0005).
 */
export const TOKENS_CHANNEL = 'stargate_tokens';

/**
 * The channel on which the database announces a committed change of the offers or the requests,
 * to a session that itself listens on it (a trigger, migration 0006): PGlite's, whose server keeps
 * its answers to `GET /v1/offers` until then (src/server/offer-reads.ts).
 */
export const OFFERS_CHANNEL = 'stargate_offers';

/**
 * The channel on which server processes confirm to each other that they have heard every token
 * change committed so far (src/store/token-cache.ts): `ping FROM N` asks, `pong BY FROM N`
 * answers. Only each process's own listening connection hears it, never the pool's.
 */
export const TOKEN_PINGS_CHANNEL = 'stargate_token_pings';

/** The migrations drizzle-kit wrote from schema.ts; shipped in the package beside dist/. */
const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Any fixed number: serialises migrations when several processes start on one database. */
const MIGRATION_LOCK = 7_277_001;

/** Where the store lives: `DATABASE_URL` wins, then `--data DIR`, then ~/.stargate. */
export function storeLocation(options: {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  home?: string | undefined;
}): StoreLocation {
  if (options.databaseUrl) return { kind: 'postgres', url: options.databaseUrl };
  if (options.dataDir === ':memory:') return { kind: 'memory' };
  if (options.dataDir) return { kind: 'pglite', dataDir: options.dataDir };
  return { kind: 'pglite', dataDir: join(options.home ?? '.', '.stargate') };
}

/** Opens the store and brings its schema up to date. */
export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.kind === 'postgres') return openPostgres(location.url);
  return openPglite(location.kind === 'memory' ? undefined : location.dataDir);
}

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A statement that hangs, or a transaction left open by a stuck process, must not hold
    // locks for ever. Plans hold their transaction while they solve (at most 300 s).
    statement_timeout: 60_000,
    idle_in_transaction_session_timeout: 600_000,
  });
  // An idle client's error (the server restarting) must not crash the process; the next
  // query gets a fresh connection.
  pool.on('error', () => undefined);
  // Nor may the error of a client checked out between two queries (a transaction waiting on a
  // plan): pg emits it on the client, which has no listener then. Its transaction's next query
  // fails ("not queryable"), its request answers 503, and the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    // Every pooled connection listens for changed tokens too. PostgreSQL sends a session the
    // notifications of a transaction before it reports that transaction done (its own, and any
    // that committed meanwhile), so a token changed through this process is dropped from its
    // cache before the code that changed it goes on: no gap in the process that revokes.
    client.on('notification', (message) => {
      dispatch(message.channel, message.payload ?? '');
    });
    client.query(`listen ${TOKENS_CHANNEL}`).catch(() => undefined);
  });
  /** What listen() asked to be told, by channel. */
  const handlers = new Map<string, Set<(payload: string, channel: string) => void>>();
  const dispatch = (channel: string, payload: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(payload, channel);
  };
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  try {
    await migrate(db);
  } catch (error) {
    await pool.end();
    throw error;
  }
  /** The stop of each listener still open. */
  const listeners = new Set<() => Promise<void>>();
  const listen = async (
    channels: readonly string[],
    onMessage: (payload: string, channel: string) => void,
    onLost: (error: unknown) => void,
    name?: string,
  ): Promise<() => Promise<void>> => {
    // Keep-alive: a peer gone without a word (a host lost) is noticed, not waited on for ever.
    const client = new pg.Client({
      connectionString: url,
      keepAlive: true,
      ...(name === undefined ? {} : { application_name: name }),
    });
    let stopped = false;
    let lost = false;
    let ready = false;
    // Before the listener is in place its failure is listen()'s own rejection.
    const fail = (error: unknown) => {
      if (stopped || lost || !ready) return;
      lost = true;
      listeners.delete(stop);
      unregister();
      void client.end().catch(() => undefined);
      onLost(error);
    };
    // This connection's own notifications come in commit order: they go to this listener only.
    client.on('notification', (message) => {
      if (!stopped && !lost && ready) onMessage(message.payload ?? '', message.channel);
    });
    client.on('error', fail);
    client.on('end', () => {
      fail(new Error('the listening connection ended'));
    });
    try {
      await client.connect();
      // The server drops the session of a listener whose host vanished within about a minute
      // (not the system's two hours), so that others stop waiting for its answers.
      await client.query(
        'set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3',
      );
      await client.query(
        channels.map((channel) => `listen ${client.escapeIdentifier(channel)}`).join('; '),
      );
    } catch (error) {
      stopped = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    // The pooled connections that listen on a channel tell this listener too.
    const handler = (payload: string, channel: string) => {
      if (!stopped && !lost) onMessage(payload, channel);
    };
    const unregister = () => {
      for (const channel of channels) handlers.get(channel)?.delete(handler);
    };
    const stop = async () => {
      stopped = true;
      listeners.delete(stop);
      unregister();
      await client.end().catch(() => undefined);
    };
    for (const channel of channels) {
      handlers.set(channel, new Set([...(handlers.get(channel) ?? []), handler]));
    }
    listeners.add(stop);
    ready = true;
    return stop;
  };
  return {
    db,
    kind: 'postgres',
    where: redactUrl(url),
    listen,
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
}

let memoryTemplate: Promise<Blob> | undefined;

async function openPglite(dataDir: string | undefined): Promise<Store> {
  let client: PGlite;
  let unlock = (): void => undefined;
  if (dataDir === undefined) {
    // initdb costs seconds; a migrated empty database copied from a template costs well under
    // one, which keeps a test suite that opens many in-memory stores quick.
    memoryTemplate ??= loadOrMakeTemplate();
    client = new PGlite({ loadDataDir: await memoryTemplate });
  } else {
    mkdirSync(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
    try {
      client = new PGlite(dataDir);
      await client.waitReady;
    } catch (error) {
      unlock();
      throw error;
    }
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  try {
    await migrate(db);
  } catch (error) {
    await client.close();
    unlock();
    throw error;
  }
  return {
    db,
    kind: 'pglite',
    where: dataDir ?? 'memory',
    // One process, one connection: a listener is never lost while the store is open.
    listen: async (channels, onMessage) => {
      const stops = await Promise.all(
        channels.map((channel) =>
          client.listen(channel, (payload) => {
            onMessage(payload, channel);
          }),
        ),
      );
      return async () => {
        await Promise.all(stops.map((stop) => stop()));
      };
    },
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/**
 * A migrated empty database, as a PGlite dump. It is cached in the system's temporary directory,
 * keyed by the migrations, so that every process (each test worker) does not pay initdb again.
 */
async function loadOrMakeTemplate(): Promise<Blob> {
  const key = createHash('sha256')
    .update(
      readMigrationFiles({ migrationsFolder: MIGRATIONS })
        .map((m) => m.hash)
        .join(','),
    )
    .digest('hex')
    .slice(0, 16);
  // A directory of this user's alone: a template another user planted would be loaded as is.
  const dir = join(tmpdir(), `stargate-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (
    (statSync(dir).mode & 0o077) !== 0 ||
    statSync(dir).uid !== (process.getuid?.() ?? statSync(dir).uid)
  ) {
    throw new Error(`${dir} must belong to this user and be private (mode 700)`);
  }
  const file = join(dir, `pglite-template-${key}.tar`);
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    // Not cached yet (or unreadable): make it.
  }
  const fresh = new PGlite();
  await migrate(drizzlePglite(fresh, { schema }));
  const dump = await fresh.dumpDataDir('none');
  await fresh.close();
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return dump;
}

/** Thrown when a PGlite directory is held by another process. */
export class StoreBusyError extends Error {}

const busy = (dataDir: string, holder: string) =>
  new StoreBusyError(
    `the data directory ${dataDir} is in use by ${holder} (stargate serve?); stop it, ` +
      'or use the API (--server), or a PostgreSQL server (DATABASE_URL) for several processes',
  );

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt
 * it. On Linux the lock is a socket in the abstract namespace named after the directory: the
 * kernel holds it for the process and frees it when the process ends, however it ends (a
 * SIGKILL leaves nothing stale to take over), and two processes cannot both bind it, so there
 * is no window between a check and a claim. The holder answers a connection with its pid, so
 * the loser can name it. Elsewhere (no abstract sockets) a pid file created exclusively guards
 * it, and one left by a process that no longer runs is taken over. The pid file is written on
 * Linux too, for people and tools that look for it.
 */
async function lockDataDir(dataDir: string): Promise<() => void> {
  const file = join(dataDir, 'stargate.pid');
  if (process.platform !== 'linux') return lockWithPidFile(dataDir, file);
  const name = `\0stargate-store-${createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 40)}`;
  const server = createServer((socket) => {
    socket.end(`${process.pid}\n`);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const pid = await holderOf(name);
    throw busy(dataDir, pid === undefined ? 'another process' : `process ${pid}`);
  }
  // The lock must not keep the process alive, nor its connections.
  server.unref();
  try {
    writeFileSync(file, `${process.pid}\n`);
  } catch (error) {
    server.close();
    throw error;
  }
  return () => {
    server.close();
    rmSync(file, { force: true });
  };
}

/** The pid the lock's holder answers with, or undefined if it does not answer within 1 s. */
function holderOf(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(name);
    const done = () => {
      socket.destroy();
      const pid = Number.parseInt(text, 10);
      resolve(Number.isInteger(pid) ? pid : undefined);
    };
    socket.setTimeout(1000, done);
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.on('end', done);
    socket.on('error', done);
  });
}

function lockWithPidFile(dataDir: string, file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isRunning(pid)) {
        throw busy(dataDir, `process ${pid}`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new StoreBusyError(`cannot lock the data directory ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Applies the migrations not yet applied, in order, each in its own transaction, holding an
 * advisory lock so that processes starting together on one server do not race.
 */
async function migrate(db: Db): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS });
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.execute(
      sql`create table if not exists stargate_migrations (
            hash text primary key, created_at bigint not null, applied_at timestamptz not null default now())`,
    );
    // A migration is known by its creation time (drizzle-kit's journal); its hash only checks
    // that an applied migration was not edited afterwards.
    const applied = await tx.execute(sql`select hash, created_at from stargate_migrations`);
    const done = new Map(
      (applied as { rows: { hash: string; created_at: string | number }[] }).rows.map((row) => [
        Number(row.created_at),
        row.hash,
      ]),
    );
    for (const migration of migrations) {
      const hash = done.get(migration.folderMillis);
      if (hash !== undefined) {
        if (hash !== migration.hash) {
          throw new Error(
            `migration ${migration.folderMillis} in drizzle/ differs from the one applied to this database; migrations are never edited once released (add a new one: npm run db:generate)`,
          );
        }
        continue;
      }
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into stargate_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
      );
    }
  });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}
