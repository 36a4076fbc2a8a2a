#!/usr/bin/env node
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { renderTable } from '../cli/table.js';
import type { ServerProcess, ServerStore } from '../tools/server-process.js';
import { EXAMPLE, api, startServer, stopAllServers } from '../tools/server-process.js';
import { serverDatabase } from './bench-database.js';

/**
 * `npm run bench:load`: the service under load from a real load generator (autocannon) on
 * loopback, each scenario 5 s with 10 connections, on three set-ups: PGlite (the default) with
 * one process, PostgreSQL with one process and with two (two generators at once, one per
 * process, their rates added). Scenarios:
 *
 * - `GET /v1/plans/1` (the example's plan, 157 kB; as a browser asks for it: gzip accepted);
 * - the same with `If-None-Match` (an unchanged plan: 304);
 * - `GET /v1/offers`;
 * - `POST /v1/requests`, each with an Idempotency-Key of its own (a request and its offer);
 * - `POST /v1/heartbeats` from 1,000 node agents of one operator token, each registered by its
 *   first heartbeat before the clock starts (a running fleet);
 * - mixed: 8 offers reads, 1 plan read (304) and 1 heartbeat in every 10. Its goal is the rate
 *   at which each kind would meet its own goal: 1 / (0.9 / reads + 0.1 / writes) — 2,000/s on
 *   PostgreSQL; none on PGlite, which has no write goal.
 *
 * The servers run as `stargate serve` does by default, except `--rate-limit 0`: the bench
 * measures what the process holds, not the per-token limit. The generator shares the machine's
 * cores with the servers. Prints a table, writes bench/results-load.json.
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-load.json';
const SECONDS = Number(process.env.STARGATE_BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
/**
 * For quick comparisons: `STARGATE_BENCH_SETUPS=pglite,pg1,pg2` (default all three) and
 * `STARGATE_BENCH_SCENARIOS=offers,requests` (scenarios whose name contains one of the words;
 * default all).
 */
const SETUPS = (process.env.STARGATE_BENCH_SETUPS ?? 'pglite,pg1,pg2').split(',');
const SCENARIO_FILTER = process.env.STARGATE_BENCH_SCENARIOS?.split(',');

const GOALS: Record<'postgres' | 'pglite', { reads: number; writes?: number; p99?: number }> = {
  postgres: { reads: 3000, writes: 500, p99: 50 },
  pglite: { reads: 2000 },
};

const REQUEST = {
  accelerator: 'vr200',
  gpus: 1000,
  window: { from: '2029-01', to: '2029-12' },
  workloadClass: 'research',
  reason: 'load bench',
};

const H100 = {
  index: 0,
  uuid: 'GPU-00000000-0000-0000-0000-000000000000',
  name: 'NVIDIA H100 80GB HBM3',
  temperatureC: 40,
  powerDrawW: 300,
  powerLimitW: 700,
  defaultPowerLimitW: 700,
  eccUncorrectedVolatile: 0,
};

interface Target {
  readonly server: ServerProcess;
  readonly admin: string;
  readonly operator: string;
  readonly etag: string;
}

type Kind = 'read' | 'write' | 'mixed';

interface Scenario {
  readonly name: string;
  readonly kind: Kind;
  /** Of a mixed scenario's requests, the share that writes. */
  readonly writeShare?: number;
  readonly requests: (target: Target, unique: () => number) => autocannon.Request[];
}

const json = { 'content-type': 'application/json' };

/** Node agents reporting in the heartbeat scenarios, registered before the clock starts. */
const NODES = 1000;

/** The body of a heartbeat of node `n % NODES` at azure-us-east, with sequence `n`. */
function heartbeatBody(n: number) {
  return {
    node: `load-node-${n % NODES}`,
    site: 'azure-us-east',
    pool: 'azure-h100',
    sequence: n,
    intervalSeconds: 30,
    observedAt: new Date().toISOString(),
    reading: { source: 'nvidia-smi', gpus: [H100] },
  };
}

/** A heartbeat of one of the node agents, each with its next sequence. */
function heartbeat(t: Target, unique: () => number): autocannon.Request {
  return {
    method: 'POST',
    path: '/v1/heartbeats',
    setupRequest: (request) => ({
      ...request,
      headers: { ...request.headers, ...json, authorization: `Bearer ${t.operator}` },
      body: JSON.stringify(heartbeatBody(unique())),
    }),
  };
}

// Reads first: the writes add requests and offers, which `GET /v1/offers` would then list.
const SCENARIOS: Scenario[] = [
  {
    name: 'GET /v1/plans/1 (gzip)',
    kind: 'read',
    requests: () => [
      { method: 'GET', path: '/v1/plans/1', headers: { 'accept-encoding': 'gzip' } },
    ],
  },
  {
    name: 'GET /v1/plans/1 unchanged (304)',
    kind: 'read',
    requests: (t) => [{ method: 'GET', path: '/v1/plans/1', headers: { 'if-none-match': t.etag } }],
  },
  { name: 'GET /v1/offers', kind: 'read', requests: () => [{ method: 'GET', path: '/v1/offers' }] },
  {
    name: 'POST /v1/heartbeats',
    kind: 'write',
    requests: (t, unique) => [heartbeat(t, unique)],
  },
  {
    name: 'mixed: 8 offers, 1 plan (304), 1 heartbeat',
    kind: 'mixed',
    writeShare: 0.1,
    requests: (t, unique) => [
      ...Array.from({ length: 8 }, () => ({ method: 'GET' as const, path: '/v1/offers' })),
      { method: 'GET', path: '/v1/plans/1', headers: { 'if-none-match': t.etag } },
      heartbeat(t, unique),
    ],
  },
  {
    name: 'POST /v1/requests (Idempotency-Key)',
    kind: 'write',
    requests: (_t, unique) => [
      {
        method: 'POST',
        path: '/v1/requests',
        body: JSON.stringify(REQUEST),
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, ...json, 'idempotency-key': `load-${unique()}` },
        }),
      },
    ],
  },
];

interface Row {
  readonly setup: string;
  readonly scenario: string;
  readonly kind: Kind;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly goal: string;
  readonly met: boolean | undefined;
}

let counter = 0;
const unique = () => ++counter;

async function prepare(server: ServerProcess): Promise<Target> {
  const admin = server.firstToken ?? '';
  const planned = await api(server, 'POST', '/v1/plans', {
    token: admin,
    body: { solver: 'fast' },
  });
  if (planned.status !== 201) throw new Error(`planning: ${JSON.stringify(planned.body)}`);
  const created = await api(server, 'POST', '/v1/requests', { token: admin, body: REQUEST });
  if (created.status !== 201) throw new Error(`a request: ${JSON.stringify(created.body)}`);
  const operator = await api(server, 'POST', '/v1/tokens', {
    token: admin,
    body: { role: 'operator', sites: ['azure-us-east'], label: 'load bench' },
  });
  const plan = await api(server, 'GET', '/v1/plans/1', { token: admin });
  // A fleet that runs: each node's first heartbeat (which registers it, audited) is sent before
  // the clock starts, so the heartbeat scenarios measure what a running fleet sends.
  const operatorToken = (operator.body as { token: string }).token;
  for (let first = 0; first < NODES; first += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const sent = await api(server, 'POST', '/v1/heartbeats', {
          token: operatorToken,
          body: heartbeatBody(unique()),
        });
        if (sent.status !== 200) throw new Error(`a heartbeat: ${JSON.stringify(sent.body)}`);
      }),
    );
  }
  return {
    server,
    admin,
    operator: operatorToken,
    etag: plan.headers.get('etag') ?? '',
  };
}

async function run(target: Target, scenario: Scenario, connections: number) {
  return autocannon({
    url: target.server.url,
    connections,
    duration: SECONDS,
    headers: { authorization: `Bearer ${target.admin}` },
    requests: scenario.requests(target, unique),
  });
}

/** A scenario's goal in req/s: its kind's, or for a mix the rate at which each part meets its own. */
function goalRate(
  goals: { reads: number; writes?: number },
  scenario: Scenario,
): number | undefined {
  if (scenario.kind === 'read') return goals.reads;
  if (goals.writes === undefined) return undefined;
  if (scenario.kind === 'write') return goals.writes;
  const share = scenario.writeShare ?? 0;
  return Math.round(1 / ((1 - share) / goals.reads + share / goals.writes));
}

async function measure(setup: string, targets: readonly Target[], goal: keyof typeof GOALS) {
  const rows: Row[] = [];
  const chosen = SCENARIOS.filter(
    (scenario) =>
      SCENARIO_FILTER === undefined || SCENARIO_FILTER.some((word) => scenario.name.includes(word)),
  );
  for (const scenario of chosen) {
    // One generator per process, the connections shared out, all at once.
    const results = await Promise.all(
      targets.map((target) => run(target, scenario, Math.ceil(CONNECTIONS / targets.length))),
    );
    const rate = results.reduce((sum, r) => sum + r.requests.average, 0);
    const p50 = Math.max(...results.map((r) => r.latency.p50));
    const p99 = Math.max(...results.map((r) => r.latency.p99));
    const wanted = goalRate(GOALS[goal], scenario);
    const latency = GOALS[goal].p99;
    rows.push({
      setup,
      scenario: scenario.name,
      kind: scenario.kind,
      requestsPerSecond: Math.round(rate),
      p50Ms: p50,
      p99Ms: p99,
      errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
      goal:
        wanted === undefined
          ? '—'
          : `≥ ${wanted}/s${latency === undefined ? '' : `, p99 ≤ ${latency} ms`}`,
      met:
        wanted === undefined
          ? undefined
          : rate >= wanted && (latency === undefined || p99 <= latency),
    });
  }
  return rows;
}

async function serve(store: ServerStore, importing: boolean): Promise<ServerProcess> {
  return startServer({
    store,
    args: ['--rate-limit', '0', ...(importing ? ['--import', EXAMPLE] : [])],
  });
}

const rows: Row[] = [];
const dir = await mkdtemp(join(tmpdir(), 'stargate-load-'));
const load = { before: loadavg()[0] ?? 0, after: 0 };
try {
  if (SETUPS.includes('pglite')) {
    const pglite = await serve({ dataDir: join(dir, 'data') }, true);
    rows.push(...(await measure('PGlite, 1 process', [await prepare(pglite)], 'pglite')));
    await pglite.kill();
  }

  // A fresh database for each set-up, so that each starts with the same offers to list.
  for (const processes of [1, 2].filter((n) => SETUPS.includes(`pg${n}`))) {
    const database = await serverDatabase(`load${processes}`);
    if (!database) {
      console.error('PostgreSQL is not reachable: only the PGlite rows were measured');
      break;
    }
    try {
      const first = await prepare(await serve(database.store, true));
      const targets = [first];
      if (processes === 2) targets.push({ ...first, server: await serve(database.store, false) });
      rows.push(
        ...(await measure(
          `PostgreSQL, ${processes} process${processes === 1 ? '' : 'es'}`,
          targets,
          'postgres',
        )),
      );
    } finally {
      await stopAllServers();
      await database.drop();
    }
  }
} finally {
  await stopAllServers();
  await rm(dir, { recursive: true, force: true });
  load.after = loadavg()[0] ?? 0;
}

console.log(
  renderTable(
    ['SET-UP', 'SCENARIO', 'REQ/S', 'P50 MS', 'P99 MS', 'ERRORS', 'NON-2XX', 'GOAL', 'MET'],
    rows.map((r) => [
      r.setup,
      r.scenario,
      String(r.requestsPerSecond),
      String(r.p50Ms),
      String(r.p99Ms),
      String(r.errors),
      String(r.non2xx),
      r.goal,
      r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    ]),
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  ),
);
console.log(
  `${SECONDS} s a scenario, ${CONNECTIONS} connections; on ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, generator on the same cores; load average ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after`,
);
await mkdir(dirname(OUTPUT), { recursive: true });
await writeFile(
  OUTPUT,
  `${JSON.stringify(
    {
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverage: load,
      },
      seconds: SECONDS,
      connections: CONNECTIONS,
      rows,
    },
    null,
    2,
  )}\n`,
);
