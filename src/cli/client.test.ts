import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { buildApp } from '../server/app.js';
import type { Store } from '../store/db.js';
import { openStore } from '../store/db.js';
import { replaceScenario } from '../store/scenario-store.js';
import { createToken } from '../store/tokens.js';
import { readScenarioDocument } from '../scenario/load.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

let store: Store;
let app: App;
let server: string;
let admin: string;
let viewer: string;
/** The API's clock: real time, moved forward where a test needs a later month. */
let now = new Date();

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

/** A client command against the test server, as `token`. */
const as = (token: string, ...argv: string[]) => cli(...argv, '--server', server, '--token', token);

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain('internal error');
}

beforeAll(async () => {
  store = await openStore({ kind: 'memory' });
  const doc = await readScenarioDocument(EXAMPLE);
  await store.db.transaction((tx) => replaceScenario(tx, doc));
  admin = (await createToken(store.db, { role: 'admin' }, new Date())).secret;
  viewer = (await createToken(store.db, { role: 'viewer' }, new Date())).secret;
  app = buildApp({ store, version: 'test', clock: () => Promise.resolve(now) });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  server = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.fastify.close();
  await store.close();
});

// One procurement walk-through, in order, as an operator and the ROFR holder run it.
describe('the walk-through: request, holder declines, quote, award, plan', () => {
  let holder = '';

  it('plans the current state and shows the unmet demand the request will cover', async () => {
    const created = await as(admin, 'plans', 'create');
    expect(created).toMatchObject({ status: 0, stderr: '' });
    expect(created.stdout).toContain('Created plan 1; read it with: stargate plans show 1');

    const shown = await as(admin, 'plans', 'show', '1');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/^Plan 1 of stargate-2025: exact, optimal;/);
    expect(shown.stdout).toMatch(/^ {2}pretrain-2029 +2029-10\.\.2030-02 +380,000 +1,900,000$/m);
    expect(shown.stdout).not.toContain('req-1-');
  });

  it('creates a holder token for azure over the API', async () => {
    const created = await as(admin, 'token', 'create', '--role', 'holder', '--provider', 'azure');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^sgt_[\w-]+\n$/);
    expect(created.stderr).toMatch(/^created holder token tok_[0-9a-f]{12} on http:/);
    holder = created.stdout.trim();
  });

  it('makes a request; the rofr term turns it into an offer to azure', async () => {
    const created = await as(
      admin,
      'requests',
      'create',
      '--accelerator',
      'vr200',
      '--gpus',
      '380000',
      '--from',
      '2029-10',
      '--to',
      '2030-02',
      '--class',
      'training',
      '--reason',
      'pretrain-2029 has no site',
    );
    expect(created).toMatchObject({ status: 0, stderr: '' });
    expect(created.stdout).toContain(
      'Created request 1: offered to azure under rofr term msft-rofr of msft-openai-2025',
    );
    expect(created.stdout).toMatch(/^Request 1: offered; 380,000 vr200 GPUs a month/m);
    // The events written with the request, which the POST's own answer now carries.
    expect(created.stdout).toMatch(/^History\n {2}AT +ACTOR +ACTION +DETAIL\n/m);
    expect(created.stdout).toMatch(/^ {2}\S+ \S+ +admin\/tok_\w+ +request\.create +offered$/m);
    expect(created.stdout).toMatch(
      /^ {2}\S+ \S+ +admin\/tok_\w+ +offer\.create +offer 1 to azure: pending$/m,
    );
    expect(created.stdout).not.toMatch(/^History\n {2}none$/m);
  });

  it('shows the holder its offer, as a table and as JSON, without the lab’s reasons', async () => {
    const table = await as(holder, 'offers', 'list');
    expect(table.status).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ID +REQUEST +HOLDER +STATE +GPUS +ACCELERATOR +WINDOW +DEADLINE/);
    expect(lines[1]).toMatch(
      /^ 1 +1 +azure +pending +380,000 +vr200 +2029-10\.\.2030-02 .* msft-rofr of msft-openai-2025 +-$/,
    );

    const json = await as(holder, 'offers', 'list', '--json');
    expect(json.status).toBe(0);
    const offers = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(json.stdout).toBe(`${JSON.stringify(offers, null, 2)}\n`);
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ id: 1, holder: 'azure', state: 'pending', gpus: 380000 });
    expect(offers[0]?.['requested']).toEqual({
      id: 1,
      accelerator: 'vr200',
      window: { from: '2029-10', to: '2030-02' },
    });
    // The same state prints the same bytes.
    expect((await as(holder, 'offers', 'list', '--json')).stdout).toBe(json.stdout);
  });

  it('refuses a quote while the offer is pending, naming the term (409, exit 2)', async () => {
    const refused = await as(
      admin,
      'quotes',
      'create',
      '--request',
      '1',
      '--provider',
      'stargate',
      '--gpus',
      '380000',
      '--price',
      '3.00',
      '--delivery',
      '2029-10',
    );
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^stargate: 409 conflict: request 1 is not cleared: rofr term msft-rofr of msft-openai-2025 gives azure until .* to answer offer 1; a quote must wait\n$/,
    );
  });

  it('lets the holder decline; a retry with the same Idempotency-Key replays the answer', async () => {
    const declined = await as(
      holder,
      'offers',
      'decline',
      '1',
      '--note',
      'no vr200 to spare',
      '--idempotency-key',
      'decline-1',
    );
    expect(declined).toMatchObject({ status: 0, stderr: '' });
    // The holder is told what it gave up, not how the request ended (that is the lab's).
    expect(declined.stdout).toMatch(
      /^Declined offer 1: azure waives its right of first refusal on 380,000 vr200 GPUs a month, 2029-10\.\.2030-02\n\nOffer 1 to azure: declined\n {2}for: {6}request 1: vr200 GPUs, 2029-10\.\.2030-02\n {2}offered: {2}380,000 vr200 GPUs a month, 2029-10\.\.2030-02, under rofr term msft-rofr of msft-openai-2025\n/,
    );
    expect(declined.stdout).toContain('answer:   declined: no vr200 to spare');

    const replayed = await as(
      holder,
      'offers',
      'decline',
      '1',
      '--note',
      'no vr200 to spare',
      '--idempotency-key',
      'decline-1',
    );
    expect(replayed).toEqual(declined);

    // A new invocation gets a new key, so it is a new request, refused.
    const again = await as(holder, 'offers', 'decline', '1');
    expect(again.status).toBe(2);
    expect(again.stderr).toBe('stargate: 409 conflict: offer 1 is already declined\n');
  });

  it('takes a quote from stargate and awards it: a new pool, rofr cleared', async () => {
    const quoted = await as(
      admin,
      'quotes',
      'create',
      '--request',
      '1',
      '--provider',
      'stargate',
      '--gpus',
      '380000',
      '--price',
      '3.00',
      '--delivery',
      '2029-10',
    );
    expect(quoted).toMatchObject({ status: 0, stderr: '' });
    expect(quoted.stdout).toContain('Created quote 1 for request 1');
    expect(quoted.stdout).toMatch(/^ 1 +1 +stargate +- +380,000 +\$3\.00 +2029-10 /m);

    const awarded = await as(admin, 'awards', 'create', '--quote', '1');
    expect(awarded).toMatchObject({ status: 0, stderr: '' });
    expect(awarded.stdout).toContain(
      'Awarded request 1 to quote 1: new pool req-1-stargate, rofr cleared',
    );

    const listed = await as(viewer, 'awards', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { id: 1, request: 1, quote: 1, pool: 'req-1-stargate' },
    ]);
  });

  it('shows the request with its offer, quote, award and history', async () => {
    const shown = await as(viewer, 'requests', 'show', '1');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(
      /^Request 1: awarded; 380,000 vr200 GPUs a month, 2029-10\.\.2030-02/,
    );
    expect(shown.stdout).toMatch(
      /^ {3}1 +azure +declined +380,000 .* declined: no vr200 to spare$/m,
    );
    expect(shown.stdout).toContain('Award 1: quote 1, new pool req-1-stargate (rofr cleared)');
    const actions = [...shown.stdout.matchAll(/ (request|offer|quote|award)\.(\w+) /g)].map(
      (match) => `${match[1] ?? ''}.${match[2] ?? ''}`,
    );
    expect(actions).toEqual([
      'request.create',
      'offer.create',
      'offer.decline',
      'request.clear',
      'quote.create',
      'award.create',
      'request.award',
    ]);

    const listed = await as(viewer, 'requests', 'list', '--state', 'awarded');
    expect(listed.stdout).toMatch(/^ 1 +awarded +vr200 +380,000 +2029-10\.\.2030-02 /m);
    const none = await as(viewer, 'requests', 'list', '--state', 'offered');
    expect(none.stdout).toBe('No requests.\n');
  });

  it('plans again: the work lands on the new pool', async () => {
    expect((await as(admin, 'plans', 'create')).status).toBe(0);
    const shown = await as(viewer, 'plans', 'show', '2');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(
      /^ {2}req-1-stargate +2029-10\.\.2030-02 +380,000 +1,900,000 +pretrain-2029$/m,
    );
    expect(shown.stdout).not.toMatch(/^ {2}pretrain-2029 /m);
    expect((await as(viewer, 'plans', 'show', 'latest')).stdout).toBe(shown.stdout);

    const json = await as(viewer, 'plans', 'show', '2', '--json');
    const plan = JSON.parse(json.stdout) as { assignments: { pool: string; workload: string }[] };
    expect(plan.assignments.filter((a) => a.pool === 'req-1-stargate')).toHaveLength(5);

    const diff = await as(viewer, 'plans', 'diff', '1', '2');
    expect(diff.status).toBe(0);
    expect(diff.stdout).toMatch(/^ {2}pretrain-2029 +1,900,000 +0 +-1,900,000$/m);
    expect(diff.stdout).toMatch(/^ {2}pretrain-2029 +req-1-stargate +0 +1,900,000 +\+1,900,000$/m);

    const listed = await as(viewer, 'plans', 'list');
    expect(
      listed.stdout
        .split('\n')
        .slice(1, 3)
        .map((line) => line.trim()[0]),
    ).toEqual(['2', '1']);
  });

  it('records a delivery; a pool short of its promise shows as late once its month comes', async () => {
    expect((await as(viewer, 'deliveries', 'late')).stdout).toBe('No delivery is late.\n');
    // Deliveries are recorded when they arrive: the clock moves to the promised month.
    now = new Date('2029-10-15T00:00:00Z');
    const recorded = await as(
      admin,
      'deliveries',
      'record',
      '--pool',
      'req-1-stargate',
      '--month',
      '2029-10',
      '--gpus',
      '100000',
    );
    expect(recorded).toMatchObject({ status: 0, stderr: '' });
    expect(recorded.stdout).toContain(
      'Recorded 100,000 GPUs delivered to req-1-stargate in 2029-10',
    );

    now = new Date('2029-11-15T00:00:00Z');
    const late = await as(viewer, 'deliveries', 'late');
    expect(late.stdout).toMatch(
      /^req-1-stargate +stargate +- +1 +380,000 +2029-10 +100,000 +280,000 +2 +manual$/m,
    );
    const listed = await as(viewer, 'deliveries', 'list', '--pool', 'req-1-stargate', '--json');
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { pool: 'req-1-stargate', month: '2029-10', gpus: 100000 },
    ]);
  });
});

describe('requests from a plan', () => {
  it('requests the unmet demand of one workload, and names a workload without any', async () => {
    const created = await as(
      admin,
      'requests',
      'from-plan',
      '1',
      '--workload',
      'pretrain-2027',
      '--json',
    );
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ requests: [2] });

    const refused = await as(admin, 'requests', 'from-plan', '1', '--workload', 'research-2029');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      [
        'stargate: 400 invalid_request: the request is not valid',
        '  body.workloads: workload research-2029 has no unmet demand in plan 1',
        '',
      ].join('\n'),
    );
  });
});

describe('errors', () => {
  it('reports a bad token as 401, exit 2', async () => {
    const result = await as('sgt_not-a-token', 'plans', 'list');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: 'stargate: 401 unauthorized: unknown, expired or revoked token\n',
    });
  });

  it('reports a holder listing quotes as 403, exit 2', async () => {
    const holder = (await createToken(store.db, { role: 'holder', providerId: 'azure' }, now))
      .secret;
    const result = await as(holder, 'quotes', 'list');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: 'stargate: 403 forbidden: role holder may not GET /v1/quotes\n',
    });
  });

  it('prints every problem of a 400 with its path, exit 2', async () => {
    const result = await as(
      admin,
      'requests',
      'create',
      '--accelerator',
      'vr200',
      '--gpus',
      '10',
      '--from',
      '2029-13',
      '--to',
      '2029-01',
      '--class',
      'training',
      '--reason',
      'x',
    );
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: [
        'stargate: 400 invalid_request: the request is not valid',
        '  body.window.from: expected YYYY-MM, got "2029-13"',
        '  body.window.to: expected a window whose end is no earlier than its start',
        '',
      ].join('\n'),
    });
  });

  it('names the URL of a server that does not answer, exit 1, no stack trace', async () => {
    const closed = await freePort();
    const result = await cli(
      'plans',
      'list',
      '--server',
      `http://127.0.0.1:${closed}`,
      '--token',
      admin,
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^stargate: cannot reach the stargate server at http://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`,
      ),
    );
    expectNoStackTrace(result.stderr);
  });

  it('checks flags before calling: a missing flag, a bad count, an unknown verb (exit 2)', async () => {
    const missing = await as(admin, 'quotes', 'create', '--request', '1');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('stargate: --provider is required');
    const bad = await as(admin, 'offers', 'accept', '1', '--price', '2', '--gpus', 'lots');
    expect(bad.stderr).toContain('--gpus: expected a whole number of at least 1, got lots');
    const verb = await as(admin, 'offers', 'take', '1');
    expect(verb.status).toBe(2);
    expect(verb.stderr).toContain(
      'offers: unknown verb take; expected one of list, show, accept, decline',
    );
    const server = await cli('plans', 'list', '--server', 'localhost:8080', '--token', admin);
    expect(server.stderr).toContain('--server: expected an http:// or https:// URL');
  });
});

describe('connection from the environment', () => {
  const saved = { server: process.env['STARGATE_SERVER'], token: process.env['STARGATE_TOKEN'] };
  afterEach(() => {
    for (const [name, value] of [
      ['STARGATE_SERVER', saved.server],
      ['STARGATE_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  it('reads STARGATE_SERVER and STARGATE_TOKEN; flags win over them', async () => {
    process.env['STARGATE_SERVER'] = server;
    process.env['STARGATE_TOKEN'] = viewer;
    const listed = await cli('plans', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ID +CREATED/);
    const overridden = await cli('plans', 'list', '--token', 'sgt_wrong');
    expect(overridden.status).toBe(2);
    expect(overridden.stderr).toContain('401 unauthorized');
  });

  it('refuses an empty --token rather than fall back to STARGATE_TOKEN', async () => {
    process.env['STARGATE_SERVER'] = server;
    process.env['STARGATE_TOKEN'] = admin;
    const result = await cli('quotes', 'list', '--token', '');
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toContain('stargate: --token: empty; expected a value');
  });

  it('says where a token comes from when there is none', async () => {
    Reflect.deleteProperty(process.env, 'STARGATE_TOKEN');
    const result = await cli('plans', 'list', '--server', server);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no token: pass --token TOKEN or set STARGATE_TOKEN');
  });
});

// Against a stand-in server: what the client sends, and how it reads answers the real API
// rarely gives (a 500, a proxy's HTML).
describe('the wire', () => {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let reply = {
    status: 201,
    type: 'application/json',
    body: '{"id":7,"request":1,"quote":3,"pool":"p","createdAt":"2026-01-01T00:00:00.000Z","createdBy":"admin/tok"}',
  };
  let fake = '';
  const stub = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
      });
      response.writeHead(reply.status, { 'content-type': reply.type });
      response.end(reply.body);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    fake = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve, reject) =>
      stub.close((error) => {
        if (error) reject(error);
        else resolve();
      }),
    );
  });

  const call = (...argv: string[]) => cli(...argv, '--server', `${fake}/`, '--token', 'sgt_t');

  it('sends the token, JSON, and a fresh Idempotency-Key on each POST unless one is given', async () => {
    seen.length = 0;
    expect((await call('awards', 'create', '--quote', '3')).status).toBe(0);
    expect((await call('awards', 'create', '--quote', '3')).status).toBe(0);
    expect(
      (await call('awards', 'create', '--quote', '3', '--idempotency-key', 'k-1')).status,
    ).toBe(0);
    expect(seen.map((request) => `${request.method} ${request.url} ${request.body}`)).toEqual([
      'POST /v1/awards {"quote":3}',
      'POST /v1/awards {"quote":3}',
      'POST /v1/awards {"quote":3}',
    ]);
    const keys = seen.map((request) => request.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('k-1');
    expect(seen[0]?.headers['authorization']).toBe('Bearer sgt_t');
    expect(seen[0]?.headers['content-type']).toBe('application/json');

    seen.length = 0;
    reply = { status: 200, type: 'application/json', body: '[]' };
    expect((await call('quotes', 'list', '--request', '4')).stdout).toBe('No quotes.\n');
    expect(seen[0]?.url).toBe('/v1/quotes?request=4');
    expect(seen[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('maps a 500 to exit 1 and an answer that is not the API’s to its status', async () => {
    reply = {
      status: 500,
      type: 'application/json',
      body: '{"error":{"code":"internal","message":"internal error; see the log","requestId":"r1"}}',
    };
    expect(await call('plans', 'list')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'stargate: 500 internal: internal error; see the log\n',
    });
    reply = { status: 502, type: 'text/html', body: '<html>Bad Gateway</html>\n' };
    expect(await call('plans', 'list')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'stargate: 502 bad_gateway: <html>Bad Gateway</html>\n',
    });
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  return port;
}
