import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../test-support/server-process.js';
import { EXAMPLE, api, startServer, stopAllServers } from '../test-support/server-process.js';
import type { Subscription } from '../test-support/sse-client.js';
import { changeOf, subscribe } from '../test-support/sse-client.js';
import { requireServerDatabase } from '../test-support/stores.js';

/**
 * The live stream across real `stargate serve` processes: a page subscribed to one process hears,
 * within 2 s, every change made through another on the same PostgreSQL database, exactly once
 * and in the order of the log; and on PGlite, one process, the same. Latencies (the change's
 * response to the event read by the subscriber) are printed. Needs STARGATE_TEST_DATABASE_URL
 * (npm run test:services); fails without.
 */

const LIMIT_MS = 2000;

/** A request the example's ROFR (azure, 30 days) binds: an offer to azure. */
const requestBody = (reason: string) => ({
  accelerator: 'gb300',
  gpus: 1000,
  window: { from: '2027-01', to: '2027-12' },
  workloadClass: 'training',
  reason,
});

interface Detail {
  readonly id: number;
  readonly offers: readonly { readonly id: number }[];
}

/** What a subscriber is waiting for, and when the change it follows was answered. */
interface Change {
  readonly what: string;
  readonly action: string;
  readonly entityId: string;
  readonly answeredAt: number;
}

function summary(latencies: readonly number[], changes: readonly Change[]): string {
  const sorted = [...latencies].sort((x, y) => x - y);
  const slowest = latencies.indexOf(Math.max(...latencies));
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(0);
  return `n=${sorted.length} p50=${at(0.5)} ms p90=${at(0.9)} ms max=${at(1)} ms (${changes[slowest]?.what ?? '?'})`;
}

/**
 * Makes `rounds` procurement rounds and a plan through `writer`: per round a request (offered
 * to azure) and azure's refusal. Returns each change with the time its response came back.
 */
async function makeChanges(
  writer: ServerProcess,
  tokens: { admin: string; holder: string },
  rounds: number,
): Promise<Change[]> {
  const changes: Change[] = [];
  for (let round = 0; round < rounds; round++) {
    const created = await api(writer, 'POST', '/v1/requests', {
      token: tokens.admin,
      body: requestBody(`stream round ${round}`),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const detail = created.body as Detail;
    changes.push({
      what: `request ${detail.id} made`,
      action: 'offer.create',
      entityId: String(detail.id),
      answeredAt: performance.now(),
    });
    const offer = detail.offers[0];
    if (!offer) throw new Error('the request has no offer');
    const declined = await api(writer, 'POST', `/v1/offers/${offer.id}/decline`, {
      token: tokens.holder,
      body: { note: `round ${round}` },
    });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    changes.push({
      what: `offer ${offer.id} declined`,
      action: 'request.clear',
      entityId: String(detail.id),
      answeredAt: performance.now(),
    });
  }
  const plan = await api(writer, 'POST', '/v1/plans', {
    token: tokens.admin,
    body: { solver: 'fast' },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  changes.push({
    what: 'plan stored',
    action: 'plan.create',
    entityId: String((plan.body as { id: number }).id),
    answeredAt: performance.now(),
  });
  return changes;
}

/** Waits for each change on the subscription; returns the latencies, failing past 2 s. */
async function latencies(subscription: Subscription, changes: readonly Change[]) {
  const measured: number[] = [];
  for (const change of changes) {
    const event = await subscription.waitFor(
      changeOf(change.action, change.entityId),
      LIMIT_MS * 5,
    );
    const latency = event.receivedAt - change.answeredAt;
    expect(latency, `${change.what}: heard after ${latency.toFixed(0)} ms`).toBeLessThan(LIMIT_MS);
    measured.push(Math.max(0, latency));
  }
  return measured;
}

const changeIds = (subscription: Subscription) =>
  subscription.events.filter((event) => event.event === 'change').map((event) => Number(event.id));

async function holderToken(server: ServerProcess, admin: string): Promise<string> {
  const created = await api(server, 'POST', '/v1/tokens', {
    token: admin,
    body: { role: 'holder', provider: 'azure', label: 'stream holder' },
  });
  expect(created.status).toBe(201);
  return (created.body as { token: string }).token;
}

afterAll(async () => {
  await stopAllServers();
});

describe('the stream across two stargate serve processes on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let client: pg.Client | undefined;

  afterAll(async () => {
    await stopAllServers();
    await client?.end();
    await database?.drop();
  });

  it('a subscriber of process A hears every change made through B within 2 s, once, in order', async () => {
    database = await requireServerDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const store = { databaseUrl: database.url };
    const a = await startServer({ store, args: ['--import', EXAMPLE] });
    if (!a.firstToken) throw new Error(`no first admin token on stderr:\n${a.output()}`);
    const admin = a.firstToken;
    const b = await startServer({ store });
    const holder = await holderToken(b, admin);

    const onA = await subscribe(a.url, admin);
    const holderOnA = await subscribe(a.url, holder);
    // B's own subscriber too: every process delivers every change, whoever made it.
    const onB = await subscribe(b.url, admin);

    const changes = await makeChanges(b, { admin, holder }, 5);
    const measured = await latencies(onA, changes);
    await latencies(onB, changes);
    // The holder hears its offers made and declined, nothing else.
    await holderOnA.waitFor(changeOf('offer.decline', changes.at(-2)?.entityId), LIMIT_MS * 5);

    const log = (
      await client.query<{ id: string; action: string; after: unknown }>(
        'select id, action, after from events where id > $1 order by id',
        [onA.readyId],
      )
    ).rows;
    // An admin hears everything: the whole log since its ready.
    const round = ['request.create', 'offer.create', 'offer.decline', 'request.clear'];
    expect(log.map((row) => row.action)).toEqual([
      ...Array.from({ length: 5 }, () => round).flat(),
      'plan.create',
    ]);
    expect(changeIds(onA)).toEqual(log.map((row) => Number(row.id)));
    expect(changeIds(onB)).toEqual(log.map((row) => Number(row.id)));
    const azure = log.filter(
      (row) =>
        row.action.startsWith('offer.') &&
        (row.after as { holder?: string } | null)?.holder === 'azure',
    );
    expect(azure).toHaveLength(10);
    expect(changeIds(holderOnA)).toEqual(azure.map((row) => Number(row.id)));
    console.log(`stream, PostgreSQL, change through B → event on A: ${summary(measured, changes)}`);
    for (const subscription of [onA, holderOnA, onB]) subscription.close();
  });
});

describe('the stream on PGlite, one process', () => {
  let dataDir: string | undefined;

  afterAll(async () => {
    await stopAllServers();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a subscriber hears every change within 2 s, once, in order', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stargate-stream-'));
    const server = await startServer({ store: { dataDir }, args: ['--import', EXAMPLE] });
    if (!server.firstToken) throw new Error(`no first admin token on stderr:\n${server.output()}`);
    const admin = server.firstToken;
    const holder = await holderToken(server, admin);
    const subscription = await subscribe(server.url, admin);
    const changes = await makeChanges(server, { admin, holder }, 5);
    const measured = await latencies(subscription, changes);
    const ids = changeIds(subscription);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    // Five rounds of request, offer, decline, clear; one plan; the holder's token.
    const actions = subscription.changes().map((message) => message.action);
    expect(actions.filter((action) => action === 'offer.decline')).toHaveLength(5);
    expect(actions.filter((action) => action === 'plan.create')).toHaveLength(1);
    console.log(`stream, PGlite, change → event: ${summary(measured, changes)}`);
    subscription.close();
  });
});
