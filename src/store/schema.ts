import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The store's schema: one set of tables for PGlite and PostgreSQL. `drizzle-kit generate`
 * writes the migrations in `drizzle/` from this file (`npm run db:generate`); never edit a
 * generated migration.
 *
 * Scenario entities keep their whole document, exactly as the scenario file gave it, in
 * `doc` (type json, which keeps key order) (validated by the same zod schema as the file), so that export gives back what import
 * took. The columns beside it are the keys other rows and queries need; foreign keys keep the
 * references whole. `position` keeps the file's list order for export (plans never depend on
 * it). `version` counts edits, for `If-Match`.
 */

const stamps = {
  version: integer('version').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

const entity = {
  id: text('id').primaryKey(),
  position: integer('position').notNull(),
  doc: json('doc').notNull(),
  ...stamps,
};

/** The scenario's singleton settings: apiVersion, metadata, horizon, programme. */
export const scenarioSettings = pgTable(
  'scenario_settings',
  {
    singleton: integer('singleton').primaryKey().default(1),
    name: text('name').notNull(),
    horizonStart: text('horizon_start').notNull(),
    horizonEnd: text('horizon_end').notNull(),
    doc: json('doc').notNull(),
    ...stamps,
  },
  (table) => [check('scenario_settings_singleton', sql`${table.singleton} = 1`)],
);

export const accelerators = pgTable('accelerators', entity);

export const providers = pgTable('providers', { ...entity, kind: text('kind').notNull() });

export const sites = pgTable(
  'sites',
  { ...entity, providerId: text('provider_id').notNull() },
  (table) => [
    foreignKey({ columns: [table.providerId], foreignColumns: [providers.id] }),
    index('sites_provider').on(table.providerId),
  ],
);

export const pools = pgTable(
  'pools',
  {
    ...entity,
    providerId: text('provider_id').notNull(),
    siteId: text('site_id'),
    acceleratorId: text('accelerator_id').notNull(),
    /** The procurement request this pool came from (accepted offer or award), if any. */
    requestId: bigint('request_id', { mode: 'number' }),
  },
  (table) => [
    foreignKey({ columns: [table.providerId], foreignColumns: [providers.id] }),
    foreignKey({ columns: [table.siteId], foreignColumns: [sites.id] }),
    foreignKey({ columns: [table.acceleratorId], foreignColumns: [accelerators.id] }),
    index('pools_site').on(table.siteId),
  ],
);

export const buildings = pgTable(
  'buildings',
  {
    ...entity,
    siteId: text('site_id').notNull(),
    acceleratorId: text('accelerator_id').notNull(),
  },
  (table) => [
    foreignKey({ columns: [table.siteId], foreignColumns: [sites.id] }),
    foreignKey({ columns: [table.acceleratorId], foreignColumns: [accelerators.id] }),
    index('buildings_site').on(table.siteId),
  ],
);

export const workloads = pgTable('workloads', { ...entity, class: text('class').notNull() });

export const contracts = pgTable('contracts', entity);

/** A contract's terms, one row each; the contract's `doc` holds everything but `terms`. */
export const contractTerms = pgTable(
  'contract_terms',
  {
    contractId: text('contract_id').notNull(),
    id: text('id').notNull(),
    position: integer('position').notNull(),
    type: text('type').notNull(),
    doc: json('doc').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.contractId, table.id] }),
    foreignKey({ columns: [table.contractId], foreignColumns: [contracts.id] }).onDelete('cascade'),
  ],
);

export const parties = pgTable('parties', entity);

export const revenueStreams = pgTable('revenue_streams', entity);

/** A stored plan: the planner's output on the state at `created_at`, as the spec's JSON. */
export const plans = pgTable('plans', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdBy: text('created_by').notNull(),
  solver: text('solver').notNull(),
  status: text('status').notNull(),
  totalUSD: text('total_usd').notNull(),
  gap: text('gap').notNull(),
  /** The scenario the plan was made from (export format), so diffs and ledgers can replay it. */
  scenario: json('scenario').notNull(),
  /** The plan JSON exactly as served (the spec's format), so reads are byte-identical. */
  planJson: text('plan_json').notNull(),
});

/**
 * A capacity request: GPUs of one accelerator over a window, for a workload class. Its
 * `state` moves offered → cleared → awarded (or fulfilled when a holder takes it all); an award
 * for part of what is open leaves the request cleared with the rest.
 */
export const requests = pgTable(
  'requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdBy: text('created_by').notNull(),
    acceleratorId: text('accelerator_id').notNull(),
    gpus: integer('gpus').notNull(),
    windowFrom: text('window_from').notNull(),
    windowTo: text('window_to').notNull(),
    workloadClass: text('workload_class').notNull(),
    reason: text('reason').notNull(),
    planId: bigint('plan_id', { mode: 'number' }),
    workloadId: text('workload_id'),
    state: text('state').notNull(),
    /** GPUs still open to other providers once cleared (requested minus accepted and awarded). */
    clearedGpus: integer('cleared_gpus').notNull().default(0),
    ...stamps,
  },
  (table) => [
    foreignKey({ columns: [table.acceleratorId], foreignColumns: [accelerators.id] }),
    foreignKey({ columns: [table.planId], foreignColumns: [plans.id] }),
  ],
);

/** An offer of a request to a right-of-first-refusal holder, with its deadline. */
export const offers = pgTable(
  'offers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: bigint('request_id', { mode: 'number' }).notNull(),
    holderId: text('holder_id').notNull(),
    contractId: text('contract_id').notNull(),
    termId: text('term_id').notNull(),
    gpus: integer('gpus').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    deadline: timestamp('deadline', { withTimezone: true, mode: 'date' }).notNull(),
    state: text('state').notNull(),
    acceptedGpus: integer('accepted_gpus'),
    pricePerGpuHour: text('price_per_gpu_hour'),
    deliveryMonth: text('delivery_month'),
    respondedAt: timestamp('responded_at', { withTimezone: true, mode: 'date' }),
    poolId: text('pool_id'),
    note: text('note'),
  },
  (table) => [
    foreignKey({ columns: [table.requestId], foreignColumns: [requests.id] }),
    index('offers_pending_deadline')
      .on(table.deadline)
      .where(sql`${table.state} = 'pending'`),
    index('offers_request').on(table.requestId),
  ],
);

/** A quote from a provider for a cleared request. */
export const quotes = pgTable(
  'quotes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: bigint('request_id', { mode: 'number' }).notNull(),
    providerId: text('provider_id').notNull(),
    siteId: text('site_id'),
    gpus: integer('gpus').notNull(),
    pricePerGpuHour: text('price_per_gpu_hour').notNull(),
    deliveryMonth: text('delivery_month').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (table) => [
    foreignKey({ columns: [table.requestId], foreignColumns: [requests.id] }),
    foreignKey({ columns: [table.providerId], foreignColumns: [providers.id] }),
    index('quotes_request').on(table.requestId),
  ],
);

/**
 * The award of a request to one quote: at most one per quote. A request may have several, each
 * for part of its open GPUs, until none is left open.
 */
export const awards = pgTable(
  'awards',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: bigint('request_id', { mode: 'number' }).notNull(),
    quoteId: bigint('quote_id', { mode: 'number' }).notNull(),
    poolId: text('pool_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (table) => [
    foreignKey({ columns: [table.requestId], foreignColumns: [requests.id] }),
    foreignKey({ columns: [table.quoteId], foreignColumns: [quotes.id] }),
    uniqueIndex('awards_one_per_quote').on(table.quoteId),
    index('awards_request').on(table.requestId),
  ],
);

/**
 * GPUs delivered in a month against a promise: a procured pool's (typed in), or any pool's or
 * building's whose nodes run the agent (observed). `pool_id` names a pool or a building (a
 * building is a pool to the planner); it has no foreign key since buildings live in their own
 * table, and a scenario import must not erase what was delivered.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    poolId: text('pool_id').notNull(),
    month: text('month').notNull(),
    gpus: integer('gpus').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdBy: text('created_by').notNull(),
    /**
     * `manual`: GPUs that arrived, typed in (they add up). `agent`: the healthy GPUs the pool's
     * node agents observed in the month (a level, one row per pool and month, updated as the
     * month goes on); where a pool has these, they are its delivery.
     */
    source: text('source').notNull().default('manual'),
  },
  (table) => [
    index('deliveries_pool').on(table.poolId),
    uniqueIndex('deliveries_agent_month')
      .on(table.poolId, table.month)
      .where(sql`${table.source} = 'agent'`),
  ],
);

/** The append-only audit log: every change, who made it, and the state before and after. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: json('before'),
    after: json('after'),
    requestId: text('request_id'),
  },
  (table) => [index('events_entity').on(table.entityType, table.entityId)],
);

/** API tokens: only a SHA-256 of the secret is kept. */
export const tokens = pgTable('tokens', {
  id: text('id').primaryKey(),
  hash: text('hash').notNull().unique(),
  role: text('role').notNull(),
  providerId: text('provider_id'),
  siteIds: jsonb('site_ids').$type<string[]>().notNull().default([]),
  label: text('label'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  /** When the token stops working by itself; null: until revoked. */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
});

/** Responses of POSTs sent with an Idempotency-Key, so that a retry acts once. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tokenId: text('token_id').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    bodyHash: text('body_hash').notNull(),
    status: integer('status').notNull(),
    response: json('response'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.tokenId, table.key] })],
);

/**
 * The latest heartbeat of each GPU node, as its agent sent it and as the server judged it. One
 * row per node, replaced in place: the fleet's state is this table, whatever its size.
 */
export const fleetNodes = pgTable(
  'fleet_nodes',
  {
    name: text('name').primaryKey(),
    siteId: text('site_id').notNull(),
    /** The pool its GPUs count toward: given by the agent, or the site's one pool of the part. */
    poolId: text('pool_id'),
    acceleratorId: text('accelerator_id'),
    source: text('source').notNull(),
    driverVersion: text('driver_version'),
    cudaVersion: text('cuda_version'),
    /** The agent's counter: a heartbeat at or below it was seen already and changes nothing. */
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    intervalSeconds: integer('interval_seconds').notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true, mode: 'date' }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    firstSeen: timestamp('first_seen', { withTimezone: true, mode: 'date' }).notNull(),
    /** The token that sent the latest heartbeat (`operator:site/tok_…`). */
    sentBy: text('sent_by').notNull(),
    /** Each GPU's reading with the server's verdict. */
    gpus: json('gpus').notNull(),
    gpuCount: integer('gpu_count').notNull(),
    healthyCount: integer('healthy_count').notNull(),
    /** When the node's last history row was written. */
    historyAt: timestamp('history_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  // No foreign keys to sites and pools: a scenario import replaces those rows, and the fleet's
  // state must outlive it. A heartbeat checks its site and pool against the scenario instead.
  (table) => [index('fleet_nodes_site').on(table.siteId)],
);

/**
 * A node's heartbeats over time, bounded: a row when its state changes (GPUs, health, pool,
 * driver) and otherwise one per history interval, pruned after the retention (docs/agent.md).
 */
export const fleetHistory = pgTable(
  'fleet_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    node: text('node').notNull(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    sentBy: text('sent_by').notNull(),
    poolId: text('pool_id'),
    gpuCount: integer('gpu_count').notNull(),
    healthyCount: integer('healthy_count').notNull(),
    /** The unhealthy GPUs and why: `[{ gpu, reasons }]`. */
    unhealthy: json('unhealthy').notNull(),
  },
  (table) => [
    foreignKey({ columns: [table.node], foreignColumns: [fleetNodes.name] }).onDelete('cascade'),
    index('fleet_history_node').on(table.node, table.receivedAt),
    index('fleet_history_received').on(table.receivedAt),
  ],
);

/** The most healthy GPUs seen at once in a pool on a day (UTC), from which a month's delivery is read. */
export const fleetPoolDays = pgTable(
  'fleet_pool_days',
  {
    poolId: text('pool_id').notNull(),
    day: text('day').notNull(),
    healthyMax: integer('healthy_max').notNull(),
  },
  (table) => [primaryKey({ columns: [table.poolId, table.day] })],
);
