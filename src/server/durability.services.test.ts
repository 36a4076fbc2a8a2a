import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { requireServerDatabase } from '../test-support/stores.js';
import type { ServerProcess, ServerStore } from '../test-support/server-process.js';
import {
  EXAMPLE,
  api,
  sleep,
  startServer,
  stopAllServers,
} from '../test-support/server-process.js';

/**
 * A `stargate serve` killed with SIGKILL while writes are in flight, then restarted on the same
 * data, has lost no write it acknowledged: on PGlite (a --data directory, which must recover
 * and whose pid lock the dead process left behind must be taken over) and on PostgreSQL
 * (DATABASE_URL; needs STARGATE_TEST_DATABASE_URL, and fails without it).
 */

interface Backend {
  readonly name: 'pglite' | 'postgres';
  setUp(): Promise<{ store: ServerStore; pidFile?: string; tearDown(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'pglite',
    setUp: () => {
      const dir = mkdtempSync(join(tmpdir(), 'stargate-durability-'));
      return Promise.resolve({
        store: { dataDir: dir },
        pidFile: join(dir, 'stargate.pid'),
        tearDown: () => {
          rmSync(dir, { recursive: true, force: true });
          return Promise.resolve();
        },
      });
    },
  },
  {
    name: 'postgres',
    setUp: async () => {
      const database = await requireServerDatabase();
      return { store: { databaseUrl: database.url }, tearDown: database.drop };
    },
  },
];

const POOL = {
  id: 'durable-pool',
  provider: 'coreweave',
  site: 'coreweave-us',
  accelerator: 'h100',
  gpus: 100,
  window: { from: '2026-01', to: '2026-12' },
  pricePerGpuHour: '2.00',
  origin: 'existing',
};

const requestBody = (reason: string) => ({
  accelerator: 'gb300',
  gpus: 10,
  window: { from: '2027-01', to: '2027-12' },
  workloadClass: 'training',
  reason,
});

describe.each(backends)('SIGKILL mid-request on $name', (backend) => {
  let setUp: Awaited<ReturnType<Backend['setUp']>> | undefined;

  afterEach(async () => {
    await stopAllServers();
  });

  afterAll(async () => {
    await stopAllServers();
    await setUp?.tearDown();
  });

  it('loses no acknowledged write, and the restarted server opens the store', async () => {
    // Set up in the test, not a hook: without a server the test fails, it is not skipped.
    setUp = await backend.setUp();
    const { store, pidFile } = setUp;
    let server: ServerProcess = await startServer({ store, args: ['--import', EXAMPLE] });
    if (!server.firstToken) throw new Error(`no first admin token on stderr:\n${server.output()}`);
    const token = server.firstToken;
    const created = await api(server, 'POST', '/v1/pools', { token, body: POOL });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    /** Every request acknowledged (201): its id and the reason it was sent with. */
    const acked = new Map<number, string>();
    /** The pool as the last acknowledged PATCH left it. */
    let pool = { version: 1, gpus: POOL.gpus };
    const cycles = 3;
    const log: string[] = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      let stop = false;
      let inFlight = 0;
      const refused: string[] = [];
      /** The PATCH in flight when the server died, if any: it may or may not have committed. */
      let lost: { version: number; gpus: number } | undefined;
      const target = server;

      const requestWriter = async (writer: number) => {
        for (let n = 0; !stop; n++) {
          const reason = `durable ${backend.name} ${cycle}.${writer}.${n}`;
          inFlight++;
          try {
            const response = await api(target, 'POST', '/v1/requests', {
              token,
              body: requestBody(reason),
            });
            if (response.status === 201) acked.set((response.body as { id: number }).id, reason);
            else refused.push(`${response.status} ${JSON.stringify(response.body)}`);
          } catch {
            return; // No response: the server is gone; this write is not acknowledged.
          } finally {
            inFlight--;
          }
        }
      };
      const patchWriter = async () => {
        for (let n = 1; !stop; n++) {
          const next = { version: pool.version + 1, gpus: 1000 * (cycle + 1) + n };
          inFlight++;
          try {
            const response = await api(target, 'PATCH', `/v1/pools/${POOL.id}`, {
              token,
              headers: { 'if-match': `"${pool.version}"` },
              body: { gpus: next.gpus },
            });
            if (response.status === 200) pool = next;
            else refused.push(`${response.status} ${JSON.stringify(response.body)}`);
          } catch {
            lost = next;
            return;
          } finally {
            inFlight--;
          }
        }
      };

      const before = acked.size;
      const writers = [requestWriter(0), requestWriter(1), requestWriter(2), patchWriter()];
      // Let some writes through, then kill at a varying moment while others are in flight.
      for (let waited = 0; acked.size < before + 15 + 5 * cycle; waited += 5) {
        if (waited > 60_000) throw new Error(`too few writes acknowledged:\n${server.output()}`);
        await sleep(5);
      }
      await sleep(cycle * 7);
      while (inFlight === 0) await sleep(1);
      const inFlightAtKill = inFlight;
      const killedPid = server.pid;
      await server.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      expect(refused).toEqual([]);
      expect(inFlightAtKill).toBeGreaterThan(0);
      if (pidFile) {
        // The dead process could not remove its lock; the next one must take it over.
        expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(killedPid));
      }

      server = await startServer({ store });
      expect(server.firstToken).toBeUndefined();
      if (pidFile) expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(server.pid));

      const list = await api(server, 'GET', '/v1/requests', { token });
      expect(list.status).toBe(200);
      const stored = list.body as { id: number; reason: string }[];
      const reasons = new Map(stored.map((row) => [row.id, row.reason]));
      const missing = [...acked].filter(([id, reason]) => reasons.get(id) !== reason);
      expect(missing).toEqual([]);
      // Nothing was written twice either.
      expect(new Set(stored.map((row) => row.reason)).size).toBe(stored.length);

      const got = await api(server, 'GET', `/v1/pools/${POOL.id}`, { token });
      expect(got.status).toBe(200);
      const now = {
        version: Number(/^"(\d+)"$/.exec(got.headers.get('etag') ?? '')?.[1]),
        gpus: (got.body as { gpus: number }).gpus,
      };
      // The acknowledged PATCH is there; the one in flight at the kill may be there too.
      const expected: { version: number; gpus: number }[] = [pool];
      if (lost) expected.push(lost);
      expect(expected).toContainEqual(now);
      log.push(
        `cycle ${cycle}: ${acked.size - before} requests acknowledged, ${stored.length - acked.size} more stored than acknowledged in all; ` +
          `${inFlightAtKill} in flight at the kill; pool at version ${now.version}${now.version === pool.version ? '' : ' (the PATCH in flight committed)'}`,
      );
      pool = now;
    }
    // The restarted store takes writes as before.
    const after = await api(server, 'POST', '/v1/requests', {
      token,
      body: requestBody(`after the last restart`),
    });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    console.info(`${backend.name}:\n  ${log.join('\n  ')}`);
    await server.kill('SIGTERM');
    if (pidFile) expect(() => readFileSync(pidFile)).toThrow();
  });
});
