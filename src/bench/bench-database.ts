import pg from 'pg';
import type { ServerStore } from '../tools/server-process.js';

/** The PostgreSQL server the benches make their scratch databases on. */
export const BENCH_DATABASE_URL =
  process.env['STARGATE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly store: ServerStore;
  /** The scratch database's URL, for the bench's own queries. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the bench's PostgreSQL server, for `stargate serve` to migrate and fill;
 * undefined when the server is not reachable. `drop()` removes it, connections and all.
 */
export async function serverDatabase(purpose: string): Promise<BenchDatabase | undefined> {
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `stargate_bench_${purpose}_${process.pid}`;
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    store: { databaseUrl: url.toString() },
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
