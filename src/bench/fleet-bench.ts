#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { renderTable } from '../cli/table.js';
import type { ServerProcess } from '../tools/server-process.js';
import { EXAMPLE, api, startServer, stopAllServers } from '../tools/server-process.js';
import type { HeapSample } from './agent-memory.js';
import { BENCH_DATABASE_URL, serverDatabase } from './bench-database.js';
import type { WindowResult } from './fleet-load.js';
import { LATE_MS, heartbeatSender, heartbeatWindow, registerFleet } from './fleet-load.js';
import { FLEET_SITES, simulatedFleet } from './fleet-sim.js';

/**
 * `npm run bench:fleet`: the node-agent fleet (issue 12). One `stargate serve` process on a
 * fresh PostgreSQL database with the example scenario; 10,000 simulated nodes of eight GPUs
 * register (one heartbeat each, as fast as the server takes them, not timed), then each sends a
 * heartbeat every 30 s, phases spread evenly (333/s), for a window (default 60 s). Measured: the
 * rate achieved against the rate offered, client-side latency, errors, the server's RSS, the
 * growth of the fleet's tables (extrapolated to a day, and modelled from the history rule), one
 * GET /v1/inventory and one GET /metrics with the whole fleet, the CPU each party used; and,
 * in a child process, the agent loop's heap over 100,000 heartbeats. Prints tables; writes
 * bench/results-fleet.json.
 *
 * Knobs: STARGATE_BENCH_FLEET_NODES (10000), STARGATE_BENCH_FLEET_SECONDS (60),
 * STARGATE_BENCH_AGENT_HEARTBEATS (100000), STARGATE_BENCH_OUT, STARGATE_TEST_DATABASE_URL;
 * STARGATE_BENCH_FLEET_DEBUG=1 prints the server's /metrics (its own latency histogram) on stderr.
 */

const NODES = Number(process.env['STARGATE_BENCH_FLEET_NODES'] ?? 10_000);
const SECONDS = Number(process.env['STARGATE_BENCH_FLEET_SECONDS'] ?? 60);
const AGENT_HEARTBEATS = Number(process.env['STARGATE_BENCH_AGENT_HEARTBEATS'] ?? 100_000);
const OUTPUT = process.env['STARGATE_BENCH_OUT'] ?? 'bench/results-fleet.json';
const INTERVAL_MS = 30_000;
const FAULT_SHARE = 0.005;
const P99_TARGET_MS = 100;
const AGENT_GROWTH_LIMIT = 1024 * 1024;
const HISTORY_PER_DAY = 24; // DEFAULT_FLEET_SETTINGS.historyEveryMs: one row an hour
const HISTORY_RETENTION_DAYS = 7;
const TABLES = ['fleet_nodes', 'fleet_history', 'fleet_pool_days', 'events', 'deliveries'];
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface TableSize {
  readonly bytes: number;
  readonly rows: number;
  /** When autovacuum last vacuumed and analysed the table (ms since the epoch), if ever. */
  readonly autovacuumAt?: number;
  readonly autoanalyzeAt?: number;
  /** Rows updated, of them in place (HOT: no index touched), and dead row versions now. */
  readonly updates: number;
  readonly hotUpdates: number;
  readonly deadRows: number;
}

async function tableSizes(url: string): Promise<Record<string, TableSize>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sizes: Record<string, TableSize> = {};
    for (const table of TABLES) {
      const result = await client.query<{
        bytes: string;
        rows: number;
        vacuumed: Date | null;
        analyzed: Date | null;
        updates: string;
        hot: string;
        dead: string;
      }>(
        `select pg_total_relation_size($1::regclass)::bigint as bytes,
           (select count(*)::int from ${table}) as rows,
           s.last_autovacuum as vacuumed, s.last_autoanalyze as analyzed,
           s.n_tup_upd as updates, s.n_tup_hot_upd as hot, s.n_dead_tup as dead
         from pg_stat_user_tables s where s.relid = $1::regclass`,
        [table],
      );
      const row = result.rows[0];
      sizes[table] = {
        bytes: Number(row?.bytes ?? 0),
        rows: row?.rows ?? 0,
        updates: Number(row?.updates ?? 0),
        hotUpdates: Number(row?.hot ?? 0),
        deadRows: Number(row?.dead ?? 0),
        ...(row?.vacuumed ? { autovacuumAt: row.vacuumed.getTime() } : {}),
        ...(row?.analyzed ? { autoanalyzeAt: row.analyzed.getTime() } : {}),
      };
    }
    return sizes;
  } finally {
    await client.end();
  }
}

/**
 * CPU used by the PostgreSQL processes working for the bench's database (the server's pool,
 * autovacuum): the pool opens and closes connections as load comes and goes, so the backends
 * are looked up again at each `sample()`, and a backend first seen after the start counts whole.
 */
async function postgresCpu(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async (baseline: boolean) => {
    const result = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    for (const { pid } of result.rows) {
      const used = cpuSeconds(pid);
      if (!first.has(pid)) first.set(pid, baseline ? used : 0);
      last.set(pid, used);
    }
  };
  await sample(true);
  return {
    sample: () => sample(false),
    /** CPU seconds since the start, then closes the tracker. */
    finish: async () => {
      await sample(false);
      await client.end();
      let used = 0;
      for (const [pid, at] of last) used += at - (first.get(pid) ?? 0);
      return used;
    },
  };
}

/** CPU seconds a process has used (user + system), or 0 where /proc does not say. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The machine's busy and total CPU time so far (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/);
    const n = fields.filter((f) => f !== '').map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return 0;
  }
}

async function timed(server: ServerProcess, path: string, token: string | undefined) {
  const started = performance.now();
  const response = await api(server, 'GET', path, { token });
  const ms = Math.round((performance.now() - started) * 10) / 10;
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  return { ms, body: response.body };
}

interface AgentMemory {
  readonly heartbeats: number;
  readonly failedPosts: number;
  readonly simulatedDays: number;
  readonly seconds: number;
  readonly samples: readonly HeapSample[];
  readonly growthBytes: number;
  readonly growthFromStartBytes: number;
}

/** The agent loop's heap, measured in a child process of its own (node --expose-gc). */
function agentMemory(): AgentMemory {
  const script = fileURLToPath(new URL('./agent-memory.js', import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', script, String(AGENT_HEARTBEATS)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`agent memory: ${child.stderr}`);
  return JSON.parse(child.stdout) as AgentMemory;
}

/**
 * Each table's growth: its size and rows before and after the window, and a day of it
 * modelled from the table's rule.
 */
function growthOf(
  before: Record<string, TableSize>,
  after: Record<string, TableSize>,
  nodeCount: number,
  pools: number,
) {
  // A window right after registration sees no hourly history row fall due (every node's last
  // one is minutes old), so a day is modelled from each table's rule, with the window's rate of
  // changes and the bytes per row the tables hold now.
  const changesPerSecond =
    ((after['fleet_history']?.rows ?? 0) - (before['fleet_history']?.rows ?? 0)) / SECONDS;
  const changesPerDay = Math.round(changesPerSecond * 86_400);
  const hourlyPerDay = nodeCount * HISTORY_PER_DAY;
  const rule: Record<string, { rowsPerDay: number; why: string }> = {
    fleet_nodes: { rowsPerDay: 0, why: 'one row per node, updated in place' },
    fleet_history: {
      rowsPerDay: hourlyPerDay + changesPerDay,
      why: `nodes × 24 hourly + changes; pruned after ${HISTORY_RETENTION_DAYS} days`,
    },
    fleet_pool_days: { rowsPerDay: pools, why: 'one per pool and day' },
    events: { rowsPerDay: changesPerDay, why: 'one per change of health (audit, kept)' },
    deliveries: { rowsPerDay: Math.round((pools / 30) * 10) / 10, why: 'one per pool and month' },
  };
  const growth = TABLES.map((table) => {
    const a = before[table] ?? { bytes: 0, rows: 0 };
    const b = after[table] ?? { bytes: 0, rows: 0 };
    const { rowsPerDay, why } = rule[table] ?? { rowsPerDay: 0, why: '' };
    // Bytes per row only where there are rows enough for the pages not to dominate.
    const bytesPerRow = b.rows >= 100 ? Math.round(b.bytes / b.rows) : undefined;
    return {
      table,
      bytesBefore: a.bytes,
      bytesAfter: b.bytes,
      rowsBefore: a.rows,
      rowsAfter: b.rows,
      rowsPerDay,
      bytesPerRow,
      bytesPerDay: bytesPerRow === undefined ? undefined : Math.round(rowsPerDay * bytesPerRow),
      why,
    };
  });
  return { growth, changesPerSecond, changesPerDay, hourlyPerDay };
}

interface Row {
  readonly measure: string;
  readonly target: string;
  readonly value: string;
  readonly met: 'yes' | 'NO' | '';
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const share = (x: number) => `${Math.round(x * 100)} %`;

async function main(): Promise<number> {
  const agent = agentMemory();
  const database = await serverDatabase('fleet');
  if (!database) {
    process.stderr.write(
      `PostgreSQL at ${BENCH_DATABASE_URL} is not reachable: the fleet bench needs it\n`,
    );
    return 1;
  }
  const nodes = simulatedFleet(NODES, FAULT_SHARE);
  try {
    const server = await startServer({ store: database.store, args: ['--import', EXAMPLE] });
    const admin = server.firstToken ?? '';
    const grant = await api(server, 'POST', '/v1/tokens', {
      token: admin,
      body: { role: 'operator', sites: FLEET_SITES, label: 'fleet bench' },
    });
    if (grant.status !== 201) throw new Error(`token: ${JSON.stringify(grant.body)}`);
    const operator = (grant.body as { token: string }).token;
    const rssAtStart = rssMiB(server.pid);
    const sender = heartbeatSender(server.url, operator);

    const registration = await registerFleet(nodes, sender, 32);
    if ((registration.statuses['200'] ?? 0) !== nodes.length) {
      throw new Error(`registration: ${JSON.stringify(registration.statuses)}\n${server.output()}`);
    }

    const before = await tableSizes(database.url);
    const postgres = await postgresCpu(database.url);
    const rssBefore = rssMiB(server.pid);
    const cpuBefore = {
      server: cpuSeconds(server.pid),
      machine: machineCpu(),
    };
    const windowStart = performance.now();
    const windowStartAt = Date.now();
    // The machine's load second by second, to tell a burst of slow requests that came with a
    // busy machine (other work on the shared cores) from one that did not.
    const busyBySecond: number[] = [];
    let lastCpu = machineCpu();
    const sampler = setInterval(() => {
      const now = machineCpu();
      busyBySecond.push((now.busy - lastCpu.busy) / Math.max(1, now.total - lastCpu.total));
      lastCpu = now;
      postgres.sample().catch(() => undefined);
    }, 1000);
    const window: WindowResult = await heartbeatWindow(nodes, sender, {
      seconds: SECONDS,
      intervalMs: INTERVAL_MS,
      firstBeat: 1,
      slowMs: P99_TARGET_MS,
    });
    clearInterval(sampler);
    const elapsed = (performance.now() - windowStart) / 1000;
    const machineAfter = machineCpu();
    const cpu = {
      server: (cpuSeconds(server.pid) - cpuBefore.server) / elapsed,
      postgres: (await postgres.finish()) / elapsed,
      generator: window.generatorCpu,
      machineBusy:
        (machineAfter.busy - cpuBefore.machine.busy) /
        Math.max(1, machineAfter.total - cpuBefore.machine.total),
    };
    const rssAfter = rssMiB(server.pid);
    const after = await tableSizes(database.url);
    sender.close();

    const inventory = await timed(server, '/v1/inventory', admin);
    const reported = (inventory.body as { totals: { nodes: number } }).totals.nodes;
    if (reported !== nodes.length)
      throw new Error(`inventory counts ${reported} nodes, not ${nodes.length}`);
    const metrics = await timed(server, '/metrics', undefined);
    if (process.env['STARGATE_BENCH_FLEET_DEBUG']) {
      process.stderr.write(`${String(metrics.body)}\n`);
    }
    const rssEnd = rssMiB(server.pid);
    await server.kill();

    const { growth, changesPerSecond, changesPerDay, hourlyPerDay } = growthOf(
      before,
      after,
      nodes.length,
      new Set(nodes.map((n) => n.pool)).size,
    );
    const bytesPerDay = growth.reduce((sum, g) => sum + (g.bytesPerDay ?? 0), 0);
    const historyPerDay = growth.find((g) => g.table === 'fleet_history')?.bytesPerDay ?? 0;

    const p99Met = window.latency.p99 <= P99_TARGET_MS;
    const errors = window.offered - window.ok;
    const rows: Row[] = [
      {
        measure: `heartbeats/s sustained (offered ${window.offeredPerSecond}/s)`,
        target: `≥ ${Math.floor(nodes.length / (INTERVAL_MS / 1000))}`,
        value: String(window.achievedPerSecond),
        met:
          window.achievedPerSecond >= Math.floor(nodes.length / (INTERVAL_MS / 1000))
            ? 'yes'
            : 'NO',
      },
      { measure: 'latency p50', target: '', value: `${window.latency.p50} ms`, met: '' },
      { measure: 'latency p95', target: '', value: `${window.latency.p95} ms`, met: '' },
      {
        measure: 'latency p99',
        target: `≤ ${P99_TARGET_MS} ms`,
        value: `${window.latency.p99} ms`,
        met: p99Met ? 'yes' : 'NO',
      },
      { measure: 'latency max', target: '', value: `${window.latency.max} ms`, met: '' },
      {
        measure: 'latency p99 from due time (generator lag included)',
        target: '',
        value: `${window.latencyFromDue.p99} ms`,
        met: '',
      },
      {
        measure: `errors (of ${window.offered})`,
        target: '0',
        value: errors === 0 ? '0' : JSON.stringify(window.statuses),
        met: errors === 0 ? 'yes' : 'NO',
      },
      {
        measure: `requests started > ${LATE_MS} ms late by the generator`,
        target: '≤ 1 %',
        value: `${window.lateStarts} (max lag ${window.maxStartLagMs} ms)`,
        met: window.lateStarts <= window.offered / 100 ? 'yes' : 'NO',
      },
      {
        measure: 'server RSS: start, window start → end, after GETs',
        target: '',
        value: `${rssAtStart}, ${rssBefore} → ${rssAfter}, ${rssEnd} MiB`,
        met: '',
      },
      {
        measure: 'CPU (cores): server, PostgreSQL, generator; machine busy',
        target: '',
        value: `${cpu.server.toFixed(2)}, ${cpu.postgres.toFixed(2)}, ${cpu.generator.toFixed(2)}; ${share(cpu.machineBusy)} of ${cpus().length}`,
        met: '',
      },
      {
        measure: 'database growth per day (modelled: see the table below)',
        target: '',
        value: `${mib(bytesPerDay)} (history levels off at ${mib(historyPerDay * HISTORY_RETENTION_DAYS)})`,
        met: '',
      },
      {
        measure: `GET /v1/inventory, ${nodes.length} nodes`,
        target: '',
        value: `${inventory.ms} ms`,
        met: '',
      },
      { measure: 'GET /metrics', target: '', value: `${metrics.ms} ms`, met: '' },
      {
        measure: `agent heap growth, ${agent.heartbeats} heartbeats (${agent.simulatedDays} days, ${agent.failedPosts} failed posts)`,
        target: '≤ 1 MiB',
        value: `${kib(agent.growthBytes)} (from the start ${kib(agent.growthFromStartBytes)})`,
        met: Math.abs(agent.growthBytes) <= AGENT_GROWTH_LIMIT ? 'yes' : 'NO',
      },
    ];

    const out = process.stdout;
    out.write(
      `Fleet: ${nodes.length} nodes × 8 GPUs at ${FLEET_SITES.join(', ')}, one heartbeat per node every ${INTERVAL_MS / 1000} s; ` +
        `a window of ${SECONDS} s after registering every node (${registration.seconds.toFixed(1)} s, ${Math.round(nodes.length / registration.seconds)}/s).\n` +
        `One stargate serve process on PostgreSQL; the load generator, the server and PostgreSQL share this machine's ${cpus().length} cores.\n\n`,
    );
    out.write(
      `${renderTable(
        ['MEASURE', 'TARGET', 'VALUE', 'MET'],
        rows.map((r) => [r.measure, r.target, r.value, r.met]),
      )}\n\n`,
    );
    out.write(
      `${renderTable(
        [
          'TABLE',
          'SIZE BEFORE → AFTER',
          'ROWS BEFORE → AFTER',
          'ROWS/DAY',
          'B/ROW',
          'PER DAY',
          'RULE',
        ],
        growth.map((g) => [
          g.table,
          `${kib(g.bytesBefore)} → ${kib(g.bytesAfter)}`,
          `${g.rowsBefore} → ${g.rowsAfter}`,
          String(g.rowsPerDay),
          g.bytesPerRow === undefined ? '' : String(g.bytesPerRow),
          g.bytesPerDay !== undefined
            ? mib(g.bytesPerDay)
            : g.rowsPerDay < 100
              ? 'negligible'
              : '?',
          g.why,
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
      )}\n`,
    );
    const bursts = window.slowBySecond
      .map((n, second) => ({ n, second }))
      .filter((s) => s.n > 0)
      .map((s) => {
        const busy = busyBySecond[s.second];
        return `${s.second} s: ${s.n}${busy === undefined ? '' : ` (machine ${share(busy)} busy)`}`;
      });
    out.write(
      `Requests over ${P99_TARGET_MS} ms by second of the window: ${bursts.length === 0 ? 'none' : bursts.join(', ')}.\n`,
    );
    // Autovacuum shares the cores too: when it ran in the window, it may explain a burst.
    const upkeep = TABLES.flatMap((table) => {
      const b = after[table];
      const inWindow = (at: number | undefined, what: string) =>
        at !== undefined &&
        at >= windowStartAt &&
        at !== before[table]?.[what === 'vacuum' ? 'autovacuumAt' : 'autoanalyzeAt']
          ? [`${table} auto${what} at ${((at - windowStartAt) / 1000).toFixed(1)} s`]
          : [];
      return [...inWindow(b?.autovacuumAt, 'vacuum'), ...inWindow(b?.autoanalyzeAt, 'analyze')];
    });
    const nodesAfter = after['fleet_nodes'];
    if (nodesAfter) {
      out.write(
        `fleet_nodes: ${nodesAfter.updates - (before['fleet_nodes']?.updates ?? 0)} updates in the window, ` +
          `${nodesAfter.hotUpdates - (before['fleet_nodes']?.hotUpdates ?? 0)} of them in place (HOT); ${nodesAfter.deadRows} dead row versions at the end (autovacuum reclaims them).\n`,
      );
    }
    out.write(
      `Autovacuum in the window (finished at): ${upkeep.length === 0 ? 'none' : upkeep.join(', ')}.\n`,
    );
    out.write(
      `Changes of health in the window: ${changesPerSecond.toFixed(2)}/s (the flapping nodes), ${changesPerDay}/day at that rate; ` +
        `hourly history rows: ${hourlyPerDay}/day (none fall due in the window).\n`,
    );
    await mkdir(dirname(OUTPUT), { recursive: true });
    await writeFile(
      OUTPUT,
      `${JSON.stringify(
        {
          machine: {
            cpus: cpus().length,
            cpu: cpus()[0]?.model ?? '',
            memoryGiB: Math.round(totalmem() / 2 ** 30),
          },
          node: process.version,
          date: new Date().toISOString(),
          note: 'the load generator, the server and PostgreSQL share the machine',
          fleet: {
            nodes: nodes.length,
            gpusPerNode: 8,
            intervalSeconds: INTERVAL_MS / 1000,
            sites: FLEET_SITES,
            faultyNodes: nodes.filter((n) => n.fault !== 'none').length,
          },
          registration,
          window,
          serverRssMiB: {
            start: rssAtStart,
            windowStart: rssBefore,
            windowEnd: rssAfter,
            afterGets: rssEnd,
          },
          cpuCores: cpu,
          tables: growth,
          autovacuumInWindow: upkeep,
          machineBusyBySecond: busyBySecond.map((b) => Math.round(b * 100) / 100),
          changesPerSecond,
          bytesPerDay,
          inventoryMs: inventory.ms,
          metricsMs: metrics.ms,
          agentMemory: agent,
          measures: rows,
        },
        null,
        2,
      )}\n`,
    );
    out.write(`wrote ${OUTPUT}\n`);
    return 0;
  } finally {
    await stopAllServers();
    await database.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
