import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestStore } from '../test-support/stores.js';
import { testBackends, untilWaitingOnLock } from '../test-support/stores.js';
import { appendEvent, auditedTransaction } from './events.js';
import type { HeartbeatInput } from './fleet.js';
import { DEFAULT_FLEET_SETTINGS, recordHeartbeat, recordHeartbeatAtOnce } from './fleet.js';
import { replaceScenario } from './scenario-store.js';
import * as t from './schema.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const T0 = new Date('2026-12-03T10:00:00.000Z');
const SENT_BY = 'operator:azure-us-east/tok_1';
const settings = DEFAULT_FLEET_SETTINGS;

const H100 = {
  index: 0,
  uuid: 'GPU-4337529d-7956-3dfb-5b95-828a478c72ac',
  name: 'NVIDIA H100 80GB HBM3',
  temperatureC: 39,
  powerDrawW: 92.07,
  powerLimitW: 700,
  defaultPowerLimitW: 700,
  eccUncorrectedVolatile: 0,
};

const beat = (node: string, sequence: number, at: Date, gpu = H100): HeartbeatInput => ({
  node,
  site: 'azure-us-east',
  sequence,
  intervalSeconds: 30,
  observedAt: at.toISOString(),
  reading: { source: 'nvidia-smi', gpus: [gpu] },
});

const later = (ms: number) => new Date(T0.getTime() + ms);

for (const backend of testBackends()) {
  describe(`a known node's heartbeat without a transaction on ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
      const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
      await auditedTransaction(store.db, (tx) => replaceScenario(tx, doc));
      for (const node of ['a', 'b']) await long(beat(node, 1, T0), T0);
    });
    afterEach(async () => {
      await store.dispose();
    });

    const long = (input: HeartbeatInput, now: Date) =>
      auditedTransaction(store.db, (tx) =>
        recordHeartbeat(tx, input, {
          sentBy: SENT_BY,
          now,
          settings,
          audit: (event) => appendEvent(tx, { ...event, actor: SENT_BY }, now),
        }),
      );
    const atOnce = (input: HeartbeatInput, now: Date) =>
      recordHeartbeatAtOnce(store.db, input, { sentBy: SENT_BY, now, settings });

    const row = async (name: string) => {
      const [found] = await store.db.select().from(t.fleetNodes).where(eq(t.fleetNodes.name, name));
      return found;
    };
    const counts = async () => ({
      events: await store.db.$count(t.events),
      history: await store.db.$count(t.fleetHistory),
    });

    it('writes the row and answers as the transaction does', async () => {
      const now = later(30_000);
      const before = await counts();
      const fast = await atOnce(beat('b', 2, now), now);
      const slow = await long(beat('a', 2, now), now);
      expect(fast).toEqual({ ...slow, node: 'b' });
      expect(fast).toMatchObject({ sequence: 2, duplicate: false });
      expect({ ...(await row('b')), name: 'a' }).toEqual(await row('a'));
      expect(await counts()).toEqual(before);
    });

    it('answers a resend from what it read, writing nothing', async () => {
      const stored = await row('b');
      const resent = await atOnce(beat('b', 1, T0), later(30_000));
      expect(resent).toMatchObject({ node: 'b', sequence: 1, duplicate: true });
      expect(await row('b')).toEqual(stored);
    });

    it('leaves a new node, a change of health and a history row due to the transaction', async () => {
      const before = await counts();
      const stored = await row('b');
      const hot = { ...H100, temperatureC: 95 };
      for (const [input, now] of [
        [beat('c', 1, T0), T0],
        [beat('b', 2, later(30_000), hot), later(30_000)],
        [beat('b', 2, later(settings.historyEveryMs)), later(settings.historyEveryMs)],
      ] as const) {
        expect(await atOnce(input, now)).toBeUndefined();
      }
      expect(await row('c')).toBeUndefined();
      expect(await row('b')).toEqual(stored);
      expect(await counts()).toEqual(before);
    });

    it('refuses as the transaction does: a node of another site (409), a GPU it cannot place (400)', async () => {
      const stored = await row('b');
      await expect(
        atOnce({ ...beat('b', 2, T0), site: 'azure-us-central' }, T0),
      ).rejects.toMatchObject({
        status: 409,
      });
      await expect(
        atOnce(beat('b', 2, T0, { ...H100, name: 'NVIDIA Z9' }), T0),
      ).rejects.toMatchObject({ status: 400 });
      expect(await row('b')).toEqual(stored);
    });

    if (backend.name === 'postgres') {
      it('writes nothing where the row changed between its read and its update', async () => {
        const other = new pg.Client({ connectionString: store.url });
        await other.connect();
        try {
          await other.query('begin');
          await other.query(`select 1 from fleet_nodes where name = 'b' for update`);
          // Its read does not wait for the lock; its update does, then finds another version.
          const pending = atOnce(beat('b', 2, later(30_000)), later(30_000));
          await untilWaitingOnLock(store.db, 'update "fleet_nodes"%');
          await other.query(`update fleet_nodes set sequence = 5 where name = 'b'`);
          await other.query('commit');
          expect(await pending).toBeUndefined();
          expect((await row('b'))?.sequence).toBe(5);
        } finally {
          await other.end();
        }
      });
    }
  });
}
