import { compareText } from '../core/order.js';
import type { Placeholder } from 'drizzle-orm';
import { eq, inArray, sql } from 'drizzle-orm';
import type { HealthCheck, HealthThresholds } from '../core/fleet/health.js';
import { DEFAULT_THRESHOLDS, gpuHealth } from '../core/fleet/health.js';
import type { GpuPartRule } from '../core/fleet/parts.js';
import { DEFAULT_GPU_PARTS, acceleratorOfPart } from '../core/fleet/parts.js';
import type { GpuReading, NodeReading } from '../core/fleet/readings.js';
import type { Problem } from '../scenario/problems.js';
import type { Db, Queryable, Tx } from './db.js';
import { executePrepared } from './db.js';
import { HttpError, badRequest, conflict } from './errors.js';
import type { AuditEvent } from './events.js';
import * as t from './schema.js';

/**
 * The fleet as its node agents report it: each node's latest heartbeat with the server's verdict
 * on every GPU, a bounded history, and the daily maxima of healthy GPUs per pool from which the
 * month's delivery is read (`sweepFleet`). Health is judged here, with thresholds the server
 * owns (core/fleet/health.ts); the agents only read.
 */

export interface FleetSettings {
  readonly thresholds: HealthThresholds;
  /** From the product name a GPU reports to the scenario's accelerator. */
  readonly parts: readonly GpuPartRule[];
  /** A node is stale once this many of its intervals pass with no heartbeat. */
  readonly staleAfterIntervals: number;
  /** A node writes a history row at least this often even when nothing changed (ms). */
  readonly historyEveryMs: number;
  /** History rows older than this are pruned (days). */
  readonly historyRetentionDays: number;
  /**
   * The pools and buildings whose delivery is what their agents observe: `all` (the default),
   * or a list — during a rollout, so that a pool with agents on a few of its nodes is not
   * planned on those few alone.
   */
  readonly agentDeliveries: 'all' | readonly string[];
}

export const DEFAULT_FLEET_SETTINGS: FleetSettings = {
  thresholds: DEFAULT_THRESHOLDS,
  parts: DEFAULT_GPU_PARTS,
  staleAfterIntervals: 3,
  historyEveryMs: 60 * 60 * 1000,
  historyRetentionDays: 7,
  agentDeliveries: 'all',
};

export interface HeartbeatInput {
  readonly node: string;
  readonly site: string;
  readonly pool?: string | undefined;
  readonly sequence: number;
  readonly intervalSeconds: number;
  readonly observedAt: string;
  readonly reading: NodeReading;
}

/** A GPU as stored: what was read and what the server made of it. */
export interface JudgedGpu {
  readonly reading: GpuReading;
  readonly healthy: boolean;
  readonly reasons: readonly string[];
  /** The checks it failed: what a change of state is judged by (not the reasons' values). */
  readonly checks?: readonly HealthCheck[];
}

type Audit = (event: Omit<AuditEvent, 'actor' | 'requestId'>) => Promise<void>;
type NodeRow = typeof t.fleetNodes.$inferSelect;

/**
 * Records one heartbeat. Idempotent on (node, sequence): a sequence at or below the node's last
 * one changes nothing and answers `duplicate: true`, so an agent may resend after a timeout.
 * A node belongs to the site of its first heartbeat; the caller has checked that the token may
 * speak for `input.site`. Audited: the node's first heartbeat and every change of its GPUs'
 * health, with the sender.
 */
export async function recordHeartbeat(
  tx: Tx,
  input: HeartbeatInput,
  context: { sentBy: string; now: Date; settings: FleetSettings; audit: Audit },
) {
  const { now, settings } = context;
  // A known node's row, locked, and the scenario in one statement; a new node's scenario alone.
  const found = await lockedNode(tx, input.node, input.site);
  const judged = judge(found ? found.scenario : await scenarioAt(tx, input.site), input, context);
  const { reading } = judged;
  let previous = found?.node;
  if (!previous) {
    // A node's first heartbeat. `for update` locks no row that does not exist yet, so two
    // first heartbeats (a resend while the first still waits, another process) may both get
    // here: one inserts, the other finds its row, locked, and carries on as a later heartbeat.
    const inserted = await tx
      .insert(t.fleetNodes)
      .values({ ...reading, firstSeen: now, historyAt: now })
      .onConflictDoNothing({ target: t.fleetNodes.name })
      .returning();
    const [row] = inserted;
    if (row) {
      await tx.insert(t.fleetHistory).values(historyRow(row, judged.unhealthy));
      await context.audit({
        action: 'node.register',
        entityType: 'node',
        entityId: input.node,
        before: null,
        after: summaryOf(row),
      });
      return { ...nodeView(row, now, settings), duplicate: false };
    }
    [previous] = await tx
      .select()
      .from(t.fleetNodes)
      .where(eq(t.fleetNodes.name, input.node))
      .for('update');
    if (!previous) throw conflict(`node ${input.node} was removed while it reported; send again`);
  }
  const next = nextOf(previous, input, judged, context);
  if (next.kind === 'duplicate') return { ...nodeView(previous, now, settings), duplicate: true };
  const { row } = next;
  await tx.update(t.fleetNodes).set(row).where(eq(t.fleetNodes.name, input.node));
  if (next.writeHistory) await tx.insert(t.fleetHistory).values(historyRow(row, judged.unhealthy));
  if (next.changed) {
    await context.audit({
      action: 'node.change',
      entityType: 'node',
      entityId: input.node,
      before: summaryOf(previous),
      after: summaryOf(row),
    });
  }
  return { ...nodeView(row, now, settings), duplicate: false };
}

/**
 * `recordHeartbeat`'s common case without a transaction, in two prepared statements: a known
 * node's row read (not locked) with the scenario, then its update, guarded by the row's version
 * as read (`xmin`, which every update of the row changes). Only for a heartbeat that changes
 * nothing the audit log or the history records; a resend at or below the node's sequence is
 * answered from the read. Anything else (a new node, a change of health, a history row due, a
 * site moved, the row updated or removed since it was read) writes nothing and answers
 * `undefined`: the caller runs `recordHeartbeat` in a transaction. A heartbeat the scenario
 * refuses is refused here as there (400), having written nothing.
 */
export async function recordHeartbeatAtOnce(
  db: Db,
  input: HeartbeatInput,
  context: { sentBy: string; now: Date; settings: FleetSettings },
) {
  const { now, settings } = context;
  const found = await readNode(db, input.node, input.site);
  if (!found) return undefined;
  const judged = judge(found.scenario, input, context);
  const next = nextOf(found.node, input, judged, context);
  if (next.kind === 'duplicate') return { ...nodeView(found.node, now, settings), duplicate: true };
  if (next.changed || next.writeHistory) return undefined;
  const { row } = next;
  const updated = await executePrepared(
    db,
    'stargate_heartbeat_update',
    sql`update ${t.fleetNodes} set pool_id = ${row.poolId}::text,
          accelerator_id = ${row.acceleratorId}::text, source = ${row.source}::text,
          driver_version = ${row.driverVersion}::text, cuda_version = ${row.cudaVersion}::text,
          sequence = ${row.sequence}::bigint, interval_seconds = ${row.intervalSeconds}::int,
          observed_at = ${row.observedAt.toISOString()}::timestamptz,
          received_at = ${row.receivedAt.toISOString()}::timestamptz, sent_by = ${row.sentBy}::text,
          gpus = ${JSON.stringify(row.gpus)}::json, gpu_count = ${row.gpuCount}::int,
          healthy_count = ${row.healthyCount}::int
        where name = ${input.node}::text and xmin = ${found.version}::xid
        returning name`,
  );
  if (updated.length !== 1) return undefined;
  return { ...nodeView(row, now, settings), duplicate: false };
}

/** A heartbeat's reading as the server judges it, placed in the scenario (or refused, 400). */
function judge(
  scenario: SiteScenario | undefined,
  input: HeartbeatInput,
  context: { sentBy: string; now: Date; settings: FleetSettings },
) {
  const placement = placeNode(scenario, input, context.settings.parts);
  const gpus: JudgedGpu[] = input.reading.gpus.map((reading) => {
    const verdict = gpuHealth(reading, context.settings.thresholds);
    return verdict.healthy
      ? { reading, healthy: true, reasons: [] }
      : { reading, healthy: false, reasons: verdict.reasons, checks: verdict.checks };
  });
  const healthyCount = gpus.filter((gpu) => gpu.healthy).length;
  return {
    gpus,
    unhealthy: unhealthyOf(gpus),
    reading: {
      name: input.node,
      siteId: input.site,
      poolId: placement.pool,
      acceleratorId: placement.accelerator,
      source: input.reading.source,
      driverVersion: input.reading.driverVersion ?? null,
      cudaVersion: input.reading.cudaVersion ?? null,
      sequence: input.sequence,
      intervalSeconds: input.intervalSeconds,
      observedAt: new Date(input.observedAt),
      receivedAt: context.now,
      sentBy: context.sentBy,
      gpus,
      gpuCount: gpus.length,
      healthyCount,
    },
  };
}

/**
 * What a later heartbeat does to a known node's row: nothing (`duplicate`, at or below its
 * sequence), or the row it becomes, whether that is a change the audit log records and whether
 * a history row is due. A node reporting for another site is refused (409).
 */
function nextOf(
  previous: NodeRow,
  input: HeartbeatInput,
  judged: ReturnType<typeof judge>,
  context: { now: Date; settings: FleetSettings },
) {
  if (previous.siteId !== input.site) {
    throw conflict(
      `node ${input.node} reports for site ${previous.siteId}; a node moves sites only after an admin removes it (DELETE /v1/nodes/${input.node})`,
    );
  }
  if (input.sequence <= previous.sequence) return { kind: 'duplicate' as const };
  const { reading, gpus } = judged;
  const changed =
    previous.gpuCount !== gpus.length ||
    previous.healthyCount !== reading.healthyCount ||
    previous.poolId !== reading.poolId ||
    previous.driverVersion !== reading.driverVersion ||
    stateKey(previous.gpus as JudgedGpu[]) !== stateKey(gpus);
  const writeHistory =
    changed ||
    context.now.getTime() - previous.historyAt.getTime() >= context.settings.historyEveryMs;
  return {
    kind: 'update' as const,
    changed,
    writeHistory,
    row: {
      ...reading,
      firstSeen: previous.firstSeen,
      historyAt: writeHistory ? context.now : previous.historyAt,
    },
  };
}

/** A node's state as the audit log records it: where, how many GPUs, which are unhealthy. */
function summaryOf(
  node: Pick<NodeRow, 'siteId' | 'poolId' | 'gpuCount' | 'healthyCount' | 'driverVersion'> & {
    gpus: unknown;
  },
) {
  return {
    site: node.siteId,
    ...(node.poolId === null ? {} : { pool: node.poolId }),
    gpus: node.gpuCount,
    healthy: node.healthyCount,
    unhealthy: unhealthyOf(node.gpus as JudgedGpu[]),
    ...(node.driverVersion === null ? {} : { driver: node.driverVersion }),
  };
}

function historyRow(
  node: Pick<
    NodeRow,
    'name' | 'sequence' | 'receivedAt' | 'sentBy' | 'poolId' | 'gpuCount' | 'healthyCount'
  >,
  unhealthy: ReturnType<typeof unhealthyOf>,
) {
  return {
    node: node.name,
    sequence: node.sequence,
    receivedAt: node.receivedAt,
    sentBy: node.sentBy,
    poolId: node.poolId,
    gpuCount: node.gpuCount,
    healthyCount: node.healthyCount,
    unhealthy,
  };
}

/**
 * What a change of a node's health is: which GPUs fail which checks. A hot GPU whose
 * temperature moves by a degree each reading is no change (no audit event, no history row).
 */
function stateKey(gpus: readonly JudgedGpu[]): string {
  return JSON.stringify(
    gpus.filter((gpu) => !gpu.healthy).map((gpu) => [gpu.reading.index, gpu.checks ?? []]),
  );
}

function unhealthyOf(gpus: readonly JudgedGpu[]) {
  return gpus
    .filter((gpu) => !gpu.healthy)
    .map((gpu) => ({ gpu: gpu.reading.index, reasons: gpu.reasons }));
}

/**
 * Where a node's GPUs count: its accelerator from the product names, and its pool (a pool or a
 * building of the site), as given or, when the site has exactly one of that accelerator, that
 * one. Every problem is reported at once, naming the field.
 */
function placeNode(
  scenario: SiteScenario | undefined,
  input: HeartbeatInput,
  parts: readonly GpuPartRule[],
): { accelerator: string | null; pool: string | null } {
  if (!scenario)
    throw badRequest('the heartbeat is not valid', [
      { path: ['body', 'site'], message: `expected a site of the scenario, got ${input.site}` },
    ]);
  const known = new Set(scenario.accelerators);
  const problems: Problem[] = [];
  const kinds = new Set<string>();
  input.reading.gpus.forEach((gpu, index) => {
    if (gpu.unparsable !== undefined || gpu.name === undefined) return;
    const accelerator = acceleratorOfPart(gpu.name, parts);
    const path = ['body', 'reading', 'gpus', index, 'name'];
    if (accelerator === undefined) {
      problems.push({
        path,
        message: `unknown GPU part "${gpu.name}": map it to an accelerator with stargate serve --gpu-parts FILE (docs/agent.md)`,
      });
    } else if (!known.has(accelerator)) {
      problems.push({
        path,
        message: `"${gpu.name}" is accelerator ${accelerator}, which the scenario does not have (it has ${[...known].sort().join(', ')})`,
      });
    } else kinds.add(accelerator);
  });
  if (kinds.size > 1) {
    problems.push({
      path: ['body', 'reading', 'gpus'],
      message: `expected one kind of GPU per node, got ${[...kinds].sort().join(' and ')}`,
    });
  }
  const [accelerator] = [...kinds];
  const candidates = scenario.capacity;
  let pool: string | null = null;
  if (input.pool !== undefined) {
    const given = candidates.find((c) => c.id === input.pool);
    if (!given) {
      problems.push({
        path: ['body', 'pool'],
        message: `expected a pool or building of site ${input.site} (${candidates.map((c) => c.id).join(', ') || 'it has none'}), got ${input.pool}`,
      });
    } else if (accelerator !== undefined && given.accelerator !== accelerator) {
      problems.push({
        path: ['body', 'pool'],
        message: `pool ${given.id} is ${given.accelerator}, but the node's GPUs are ${accelerator}`,
      });
    } else pool = given.id;
  } else if (accelerator !== undefined) {
    const matching = candidates.filter((c) => c.accelerator === accelerator);
    if (matching.length === 1) pool = matching[0]?.id ?? null;
  }
  if (problems.length > 0) throw badRequest('the heartbeat is not valid', problems);
  return { accelerator: accelerator ?? null, pool };
}

/** What a heartbeat is checked against: the scenario's accelerators and the site's capacity. */
interface SiteScenario {
  readonly accelerators: string[];
  readonly capacity: { id: string; accelerator: string }[];
}

/**
 * What a heartbeat is checked against, as three columns of a query: whether the site is the
 * scenario's, the scenario's accelerators, and the pools and buildings of the site, which a
 * node's GPUs can count toward (every heartbeat asks; at 10,000 nodes that is 333 times a second).
 */
function scenarioColumns(site: string | Placeholder) {
  return {
    known: sql<boolean>`exists (select 1 from ${t.sites} where ${t.sites.id} = ${site})`,
    accelerators: sql<
      string[]
    >`(select coalesce(json_agg(${t.accelerators.id}), '[]'::json) from ${t.accelerators})`,
    capacity: sql<{ id: string; accelerator: string }[]>`(
      select coalesce(json_agg(json_build_object('id', c.id, 'accelerator', c.accelerator_id)), '[]'::json)
      from (select ${t.pools.id} as id, ${t.pools.acceleratorId} as accelerator_id from ${t.pools} where ${t.pools.siteId} = ${site}
            union all
            select ${t.buildings.id}, ${t.buildings.acceleratorId} from ${t.buildings} where ${t.buildings.siteId} = ${site}) c)`,
  };
}

/** The scenario as `scenarioColumns` read it; undefined when the site is not the scenario's. */
function siteScenario(row: {
  known: boolean;
  accelerators: string[];
  capacity: { id: string; accelerator: string }[];
}): SiteScenario | undefined {
  if (!row.known) return undefined;
  return {
    accelerators: row.accelerators,
    capacity: [...row.capacity].sort((a, b) => compareText(a.id, b.id)),
  };
}

/** `scenarioColumns` alone: for a node's first heartbeat. */
async function scenarioAt(db: Queryable, site: string): Promise<SiteScenario | undefined> {
  const [row] = await db.select(scenarioColumns(site)).from(sql`(select 1) as one`);
  return row ? siteScenario(row) : undefined;
}

/**
 * A node's row (not locked) and its version, with what its heartbeat is checked against: one
 * statement, prepared once per database; nothing when the node is new.
 */
async function readNode(
  db: Db,
  name: string,
  site: string,
): Promise<{ node: NodeRow; version: string; scenario: SiteScenario | undefined } | undefined> {
  let query = preparedNodeReads.get(db);
  if (!query) {
    query = db
      .select({
        node: t.fleetNodes,
        version: sql<string>`${t.fleetNodes}.xmin::text`,
        ...scenarioColumns(sql.placeholder('site')),
      })
      .from(t.fleetNodes)
      .where(eq(t.fleetNodes.name, sql.placeholder('name')))
      .prepare('stargate_heartbeat_node');
    preparedNodeReads.set(db, query);
  }
  const [row] = await query.execute({ name, site });
  return row ? { node: row.node, version: row.version, scenario: siteScenario(row) } : undefined;
}

interface PreparedNodeRead {
  execute(values: Record<string, unknown>): Promise<
    {
      node: NodeRow;
      version: string;
      known: boolean;
      accelerators: string[];
      capacity: { id: string; accelerator: string }[];
    }[]
  >;
}

const preparedNodeReads = new WeakMap<Db, PreparedNodeRead>();

/**
 * A node's row, locked, with what its heartbeat is checked against, in one round trip (a later
 * heartbeat's first statement); nothing when the node is new.
 */
async function lockedNode(
  tx: Tx,
  name: string,
  site: string,
): Promise<{ node: NodeRow; scenario: SiteScenario | undefined } | undefined> {
  const [row] = await tx
    .select({ node: t.fleetNodes, ...scenarioColumns(site) })
    .from(t.fleetNodes)
    .where(eq(t.fleetNodes.name, name))
    .for('update', { of: t.fleetNodes });
  return row ? { node: row.node, scenario: siteScenario(row) } : undefined;
}

/**
 * The same rule as `isStale`, negated, in SQL over `fleet_nodes`: for the queries that count
 * live nodes in the database (the sweep's daily maxima, /metrics).
 */
export function liveNodeSql(now: Date, settings: FleetSettings) {
  const staleMs = settings.staleAfterIntervals * 1000;
  return sql`received_at >= ${now}::timestamptz - (interval_seconds * ${staleMs}) * interval '1 millisecond'`;
}

/** Whether a node has missed `staleAfterIntervals` heartbeats by `now`. */
function isStale(
  row: Pick<NodeRow, 'receivedAt' | 'intervalSeconds'>,
  now: Date,
  settings: FleetSettings,
) {
  return (
    now.getTime() - row.receivedAt.getTime() >
    row.intervalSeconds * 1000 * settings.staleAfterIntervals
  );
}

/** A node as the API shows it. A stale node's GPUs are shown but count as neither healthy nor delivered. */
export function nodeView(
  row: NodeRow | (Omit<NodeRow, 'gpus'> & { gpus: unknown }),
  now: Date,
  settings: FleetSettings,
) {
  const gpus = row.gpus as JudgedGpu[];
  return {
    node: row.name,
    site: row.siteId,
    ...(row.poolId === null ? {} : { pool: row.poolId }),
    ...(row.acceleratorId === null ? {} : { accelerator: row.acceleratorId }),
    source: row.source,
    ...(row.driverVersion === null ? {} : { driverVersion: row.driverVersion }),
    ...(row.cudaVersion === null ? {} : { cudaVersion: row.cudaVersion }),
    sequence: row.sequence,
    intervalSeconds: row.intervalSeconds,
    observedAt: row.observedAt.toISOString(),
    lastSeen: row.receivedAt.toISOString(),
    firstSeen: row.firstSeen.toISOString(),
    sentBy: row.sentBy,
    stale: isStale(row, now, settings),
    gpus: row.gpuCount,
    healthy: row.healthyCount,
    unhealthy: unhealthyOf(gpus),
  };
}

export type NodeView = ReturnType<typeof nodeView>;

/** Every node of the given sites (all when undefined), by name. */
export async function listNodes(
  db: Queryable,
  scope: { sites?: readonly string[] | undefined },
  now: Date,
  settings: FleetSettings,
): Promise<NodeView[]> {
  if (scope.sites !== undefined && scope.sites.length === 0) return [];
  const rows = await db
    .select()
    .from(t.fleetNodes)
    .where(scope.sites === undefined ? undefined : inArray(t.fleetNodes.siteId, [...scope.sites]));
  // Sorted here, not by the database, whose collation differs between PGlite and a server.
  return rows
    .sort((a, b) => compareText(a.name, b.name))
    .map((row) => nodeView(row, now, settings));
}

/** One node with each GPU's reading and verdict, and its recent history (newest first). */
export async function nodeDetail(
  db: Queryable,
  name: string,
  scope: { sites?: readonly string[] | undefined },
  now: Date,
  settings: FleetSettings,
) {
  const [row] = await db.select().from(t.fleetNodes).where(eq(t.fleetNodes.name, name));
  if (!row || (scope.sites !== undefined && !scope.sites.includes(row.siteId))) {
    throw new HttpError(404, 'not_found', `no node ${name}`);
  }
  const history = await db
    .select()
    .from(t.fleetHistory)
    .where(eq(t.fleetHistory.node, name))
    .orderBy(sql`${t.fleetHistory.receivedAt} desc`, sql`${t.fleetHistory.id} desc`)
    .limit(100);
  return {
    ...nodeView(row, now, settings),
    gpuDetail: row.gpus as JudgedGpu[],
    history: history.map((h) => ({
      receivedAt: h.receivedAt.toISOString(),
      sequence: h.sequence,
      sentBy: h.sentBy,
      ...(h.poolId === null ? {} : { pool: h.poolId }),
      gpus: h.gpuCount,
      healthy: h.healthyCount,
      unhealthy: h.unhealthy as ReturnType<typeof unhealthyOf>,
    })),
  };
}

/** Removes a node (an admin's act, e.g. before it moves sites); its history goes with it. */
export async function removeNode(tx: Tx, name: string, audit: Audit): Promise<void> {
  const [row] = await tx.delete(t.fleetNodes).where(eq(t.fleetNodes.name, name)).returning();
  if (!row) throw new HttpError(404, 'not_found', `no node ${name}`);
  await audit({
    action: 'node.remove',
    entityType: 'node',
    entityId: name,
    before: { site: row.siteId, gpus: row.gpuCount, healthy: row.healthyCount },
    after: null,
  });
}

/**
 * GPUs reporting, healthy and unhealthy per site, pool and accelerator; every unhealthy GPU
 * with its reasons; every stale node. Stale nodes' GPUs are not counted as reporting.
 */
export async function inventory(
  db: Queryable,
  scope: { sites?: readonly string[] | undefined },
  now: Date,
  settings: FleetSettings,
) {
  const nodes = await listNodes(db, scope, now, settings);
  const groups = new Map<
    string,
    {
      site: string;
      pool?: string;
      accelerator?: string;
      nodes: number;
      staleNodes: number;
      gpus: number;
      healthy: number;
      unhealthy: number;
    }
  >();
  for (const node of nodes) {
    const key = `${node.site}\u0000${node.pool ?? ''}\u0000${node.accelerator ?? ''}`;
    const group = groups.get(key) ?? {
      site: node.site,
      ...(node.pool === undefined ? {} : { pool: node.pool }),
      ...(node.accelerator === undefined ? {} : { accelerator: node.accelerator }),
      nodes: 0,
      staleNodes: 0,
      gpus: 0,
      healthy: 0,
      unhealthy: 0,
    };
    group.nodes += 1;
    if (node.stale) group.staleNodes += 1;
    else {
      group.gpus += node.gpus;
      group.healthy += node.healthy;
      group.unhealthy += node.gpus - node.healthy;
    }
    groups.set(key, group);
  }
  return {
    at: now.toISOString(),
    thresholds: {
      maxTemperatureC: settings.thresholds.maxTemperatureC,
      minPowerLimitFraction: settings.thresholds.minPowerLimitFraction,
      criticalXids: settings.thresholds.criticalXids,
      staleAfterIntervals: settings.staleAfterIntervals,
    },
    totals: {
      nodes: nodes.length,
      staleNodes: nodes.filter((n) => n.stale).length,
      gpus: sum(nodes.filter((n) => !n.stale).map((n) => n.gpus)),
      healthy: sum(nodes.filter((n) => !n.stale).map((n) => n.healthy)),
    },
    groups: [...groups.entries()].sort(([a], [b]) => compareText(a, b)).map(([, g]) => g),
    unhealthy: nodes
      .filter((n) => !n.stale)
      .flatMap((n) =>
        n.unhealthy.map((u) => ({
          node: n.node,
          site: n.site,
          ...(n.pool === undefined ? {} : { pool: n.pool }),
          gpu: u.gpu,
          reasons: u.reasons,
        })),
      ),
    stale: nodes
      .filter((n) => n.stale)
      .map((n) => ({
        node: n.node,
        site: n.site,
        ...(n.pool === undefined ? {} : { pool: n.pool }),
        lastSeen: n.lastSeen,
        intervalSeconds: n.intervalSeconds,
        gpus: n.gpus,
      })),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
