import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Queryable, Store } from '../store/db.js';
import { openStore } from '../store/db.js';

/**
 * The stores a store or API suite runs against: always embedded PGlite (in memory); the
 * PostgreSQL server too when `STARGATE_TEST_DATABASE_URL` names one (`npm run test:services`,
 * which `.ci/run` runs against 127.0.0.1:5432). Each test gets a database of its own, dropped
 * afterwards.
 */
export interface TestBackend {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<TestStore>;
}

export interface TestStore extends Store {
  /** For PostgreSQL: the URL of the test's own database (for a second process). */
  readonly url?: string;
  /** Closes the store and drops its database. */
  dispose(): Promise<void>;
}

export const SERVER_URL = process.env['STARGATE_TEST_DATABASE_URL'];

/** Embedded PGlite, for the suites that run on it alone (whatever STARGATE_TEST_BACKENDS says). */
export const pgliteBackend: TestBackend = { name: 'pglite', open: openMemory };

/**
 * `STARGATE_TEST_BACKENDS=postgres` keeps only the server's runs of the suites that run on every
 * backend: `npm run test:services` sets it, since `npm test` has run their PGlite halves. A
 * backend named there that is not available (postgres without `STARGATE_TEST_DATABASE_URL`, a
 * misspelt name) is an error, never a silent skip.
 */
const CHOSEN = process.env['STARGATE_TEST_BACKENDS']?.split(',').map((name) => name.trim());

export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [pgliteBackend];
  if (SERVER_URL) backends.push({ name: 'postgres', open: () => openServerDatabase(SERVER_URL) });
  if (CHOSEN === undefined) return backends;
  const missing = CHOSEN.filter((name) => !backends.some((backend) => backend.name === name));
  if (missing.length > 0 || CHOSEN.length === 0) {
    throw new Error(
      `STARGATE_TEST_BACKENDS=${CHOSEN.join(',')}: ${missing.join(', ') || 'nothing'} not available (pglite always; postgres with STARGATE_TEST_DATABASE_URL)`,
    );
  }
  return backends.filter((backend) => CHOSEN.includes(backend.name));
}

async function openMemory(): Promise<TestStore> {
  const store = await openStore({ kind: 'memory' });
  return { ...store, dispose: () => store.close() };
}

/** Creates a fresh database on the server, opens (and so migrates) it. */
export async function createServerDatabase(
  serverUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `stargate_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A fresh database on the server `STARGATE_TEST_DATABASE_URL` names, for a suite that needs
 * one: without it the suite fails rather than skips.
 */
export function requireServerDatabase(): ReturnType<typeof createServerDatabase> {
  if (!SERVER_URL) {
    throw new Error(
      'STARGATE_TEST_DATABASE_URL is not set: this suite needs a PostgreSQL server ' +
        '(npm run test:services sets it to the local one)',
    );
  }
  return createServerDatabase(SERVER_URL);
}

async function openServerDatabase(serverUrl: string): Promise<TestStore> {
  const database = await createServerDatabase(serverUrl);
  const store = await openStore({ kind: 'postgres', url: database.url });
  return {
    ...store,
    url: database.url,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * Resolves once a statement of this database whose text is `LIKE pattern` waits on a lock
 * (`pg_stat_activity`): for a PostgreSQL test that holds a lock in another session and must
 * act only once the statement under test waits for it. Fails after 10 s.
 */
export async function untilWaitingOnLock(db: Queryable, pattern: string): Promise<void> {
  for (let waited = 0; waited <= 10_000; waited += 10) {
    const waiting = await db.execute(
      sql`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query like ${pattern}
            and datname = current_database()`,
    );
    if ((waiting as { rows: { n: number }[] }).rows[0]?.n === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no statement like ${pattern} waited on a lock within 10 s`);
}
