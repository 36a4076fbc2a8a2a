import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { requireServerDatabase } from '../test-support/stores.js';
import {
  EXAMPLE,
  api,
  sleep,
  startServer,
  stopAllServers,
} from '../test-support/server-process.js';

/**
 * PostgreSQL restarted under write load (`pg_ctlcluster … restart`, as an operator would): the
 * clients see 503s with Retry-After while it is down (never another 5xx), the server reconnects
 * by itself, every write it acknowledged is there afterwards, and a ROFR deadline that fell
 * during the outage lapses once, after it. It restarts the machine's PostgreSQL server, so it
 * runs in the services suite, one file at a time.
 */

const REQUEST = {
  accelerator: 'vr200',
  gpus: 1000,
  window: { from: '2029-01', to: '2029-12' },
  workloadClass: 'research',
  reason: 'pg restart',
};

/** Restarts the cluster without blocking: the writers go on sending while it is down. */
async function restartPostgres(): Promise<void> {
  const [version] = readdirSync('/etc/postgresql');
  if (!version) throw new Error('no PostgreSQL cluster in /etc/postgresql');
  await promisify(execFile)('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    version,
    'main',
    'restart',
  ]);
}

describe('PostgreSQL restarted under load', () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stopAllServers();
    await drop?.();
  });

  it('503 while it is down, reconnects, loses no acknowledged write, lapses a deadline once', async () => {
    const database = await requireServerDatabase();
    drop = database.drop;
    const server = await startServer({
      store: { databaseUrl: database.url },
      args: ['--import', EXAMPLE, '--sweep-every', '1'],
    });
    const token = server.firstToken ?? '';
    const first = await api(server, 'POST', '/v1/requests', { token, body: REQUEST });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const offer = (first.body as { offers: { id: number }[] }).offers[0]?.id;
    // Its deadline falls during the outage.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`update offers set deadline = now() + interval '1 second' where id = $1`, [
      offer,
    ]);
    await admin.end();

    const acked = new Set<number>();
    const statuses = new Map<number, number>();
    let unreachable = 0;
    let stop = false;
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        try {
          const answer = await api(server, 'POST', '/v1/requests', {
            token,
            body: REQUEST,
            headers: { 'idempotency-key': `restart-${w}-${n}` },
          });
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 201) acked.add((answer.body as { id: number }).id);
          if (answer.status === 503) {
            expect(answer.headers.get('retry-after')).toBe('1');
            await sleep(100);
          }
        } catch {
          unreachable++; // no answer at all: not acknowledged
          await sleep(100);
        }
      }
    };
    const writers = [0, 1, 2].map(writer);
    await sleep(1000);
    const before = acked.size;
    await restartPostgres();
    // The server finds the database again by itself: a write is acknowledged after the restart.
    const afterRestart = acked.size;
    for (let i = 0; i < 100 && acked.size <= afterRestart + 5; i++) await sleep(100);
    await sleep(2000); // a sweep or two after the outage
    stop = true;
    await Promise.all(writers);

    expect(before).toBeGreaterThan(0);
    expect(acked.size).toBeGreaterThan(afterRestart);
    expect(server.exited()).toBe(false);
    expect(unreachable).toBe(0);
    const failures = [...statuses.keys()].filter((status) => status >= 500 && status !== 503);
    expect(failures, JSON.stringify([...statuses])).toEqual([]);
    // Writes were in flight while it was down: they were told so, with 503.
    expect(statuses.get(503) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);

    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    try {
      const stored = await check.query<{ id: string }>('select id from requests');
      const ids = new Set(stored.rows.map((row) => Number(row.id)));
      const missing = [...acked].filter((id) => !ids.has(id));
      expect(missing, `acknowledged but not stored (of ${acked.size})`).toEqual([]);
      const lapses = await check.query<{ n: number }>(
        `select count(*)::int as n from events where action = 'offer.lapse'
           and (after->>'id')::bigint = $1`,
        [offer],
      );
      expect(lapses.rows[0]?.n).toBe(1);
    } finally {
      await check.end();
    }
  }, 120_000);
});
