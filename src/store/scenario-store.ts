import { asc, eq, max, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { Problem } from '../scenario/problems.js';
import { validateScenario } from '../scenario/parse.js';
import {
  acceleratorSchema,
  buildingSchema,
  contractSchema,
  poolSchema,
  providerSchema,
  siteSchema,
  workloadSchema,
} from '../scenario/schema.js';
import { partySchema, revenueStreamSchema } from '../scenario/schema-finance.js';
import type { Queryable, Tx } from './db.js';
import * as t from './schema.js';
import { gpusFromPower } from '../scenario/normalize.js';

/** A scenario document as a file holds it (validated elsewhere). */
export type ScenarioDoc = Record<string, unknown>;
export type EntityDoc = Record<string, unknown> & { id: string };

/**
 * The kinds of scenario entity the store and the API know, in the order a scenario file lists
 * them. `columns` derives the key columns from a document that passed its schema.
 */
interface EntityKind {
  /** The scenario file's list and the API's path segment. */
  readonly list: string;
  readonly path: string;
  readonly singular: string;
  readonly table: PgTable & EntityColumns;
  readonly schema: z.ZodType;
  /** Optional in a scenario file: exported only when the file had it or it holds something. */
  readonly optional: boolean;
  readonly columns: (doc: EntityDoc) => Record<string, unknown>;
}

type EntityColumns = Record<'id' | 'position' | 'doc' | 'version', AnyPgColumn>;

/** A key column's value; documents reach the store only after their schema passed. */
const str = (doc: EntityDoc, key: string): string => doc[key] as string;
const strOrNull = (doc: EntityDoc, key: string): string | null =>
  doc[key] === undefined ? null : str(doc, key);

export const ENTITY_KINDS: readonly EntityKind[] = [
  {
    list: 'accelerators',
    path: 'accelerators',
    singular: 'accelerator',
    table: t.accelerators,
    schema: acceleratorSchema,
    optional: false,
    columns: () => ({}),
  },
  {
    list: 'providers',
    path: 'providers',
    singular: 'provider',
    table: t.providers,
    schema: providerSchema,
    optional: false,
    columns: (doc) => ({ kind: str(doc, 'kind') }),
  },
  {
    list: 'parties',
    path: 'parties',
    singular: 'party',
    table: t.parties,
    schema: partySchema,
    optional: true,
    columns: () => ({}),
  },
  {
    list: 'sites',
    path: 'sites',
    singular: 'site',
    table: t.sites,
    schema: siteSchema,
    optional: true,
    columns: (doc) => ({ providerId: str(doc, 'provider') }),
  },
  {
    list: 'pools',
    path: 'pools',
    singular: 'pool',
    table: t.pools,
    schema: poolSchema,
    optional: true,
    columns: (doc) => ({
      providerId: str(doc, 'provider'),
      siteId: strOrNull(doc, 'site'),
      acceleratorId: str(doc, 'accelerator'),
    }),
  },
  {
    list: 'buildings',
    path: 'buildings',
    singular: 'building',
    table: t.buildings,
    schema: buildingSchema,
    optional: true,
    columns: (doc) => ({ siteId: str(doc, 'site'), acceleratorId: str(doc, 'accelerator') }),
  },
  {
    list: 'workloads',
    path: 'workloads',
    singular: 'workload',
    table: t.workloads,
    schema: workloadSchema,
    optional: false,
    columns: (doc) => ({ class: str(doc, 'class') }),
  },
  {
    list: 'contracts',
    path: 'contracts',
    singular: 'contract',
    table: t.contracts,
    schema: contractSchema,
    optional: true,
    columns: () => ({}),
  },
  {
    list: 'revenueStreams',
    path: 'revenue-streams',
    singular: 'revenue stream',
    table: t.revenueStreams,
    schema: revenueStreamSchema,
    optional: true,
    columns: () => ({}),
  },
];

export function entityKind(path: string): EntityKind | undefined {
  return ENTITY_KINDS.find((kind) => kind.path === path);
}

/** The order in which an export writes the top-level keys: the spec's order. */
const TOP_LEVEL_ORDER = [
  'apiVersion',
  'kind',
  'metadata',
  'horizon',
  'accelerators',
  'providers',
  'parties',
  'programme',
  'sites',
  'pools',
  'buildings',
  'workloads',
  'contracts',
  'revenueStreams',
];

/** Any fixed number: serialises changes to the scenario (see checkChange). */
const SCENARIO_LOCK = 7_277_002;

/** The settings document's record of the file's top-level key order. */
const KEY_ORDER = '$keyOrder';

/** Deleting in this order, and inserting in its reverse, keeps every foreign key whole. */
const DELETE_ORDER: readonly PgTable[] = [
  t.contractTerms,
  t.contracts,
  t.buildings,
  t.pools,
  t.sites,
  t.workloads,
  t.revenueStreams,
  t.parties,
  t.providers,
  t.accelerators,
  t.scenarioSettings,
];

/** A problem with the state a change would leave: the change is refused, nothing written. */
export class ConflictProblems extends Error {
  constructor(
    message: string,
    readonly problems: readonly Problem[],
  ) {
    super(message);
  }
}

export async function hasScenario(db: Queryable): Promise<boolean> {
  const rows = await db.select({ one: t.scenarioSettings.singleton }).from(t.scenarioSettings);
  return rows.length > 0;
}

/**
 * Replaces the whole scenario with `doc` (which must already be valid). Pools that came from
 * procurement are part of the scenario too: a replace would orphan their requests, so it is
 * refused while procurement records exist.
 */
export async function replaceScenario(tx: Tx, doc: ScenarioDoc): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SCENARIO_LOCK})`);
  const [procured] = await tx.select({ n: sql<number>`count(*)::int` }).from(t.requests);
  if ((procured?.n ?? 0) > 0) {
    throw new ConflictProblems('the store holds procurement requests', [
      {
        path: [],
        message: `cannot replace the scenario: ${procured?.n ?? 0} procurement request(s) refer to its pools`,
      },
    ]);
  }
  for (const table of DELETE_ORDER) await tx.delete(table);
  // The settings row keeps the file's top-level key order, so an export lists the sections
  // where the file had them.
  const settings: ScenarioDoc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!ENTITY_KINDS.some((kind) => kind.list === key)) settings[key] = value;
  }
  const horizon = settings['horizon'] as { start: string; end: string };
  const metadata = settings['metadata'] as { name: string };
  await tx.insert(t.scenarioSettings).values({
    name: metadata.name,
    horizonStart: horizon.start,
    horizonEnd: horizon.end,
    doc: { ...settings, [KEY_ORDER]: Object.keys(doc) },
  });
  for (const kind of ENTITY_KINDS) {
    const list = (doc[kind.list] ?? []) as EntityDoc[];
    if (kind.list === 'contracts') {
      for (const [position, contract] of list.entries())
        await insertContract(tx, contract, position);
      continue;
    }
    const rows = list.map((item, position) => ({
      id: item.id,
      position,
      doc: item,
      ...kind.columns(item),
    }));
    // Chunks keep each statement well under PostgreSQL's 65,535 parameters.
    for (let start = 0; start < rows.length; start += 1000) {
      await tx.insert(kind.table).values(rows.slice(start, start + 1000));
    }
  }
  await forgetGoneCapacity(tx);
}

/**
 * Deliveries and the agents' daily maxima name a pool or a building with no foreign key (a
 * building is not a row of `pools`): when one goes, by a new scenario or a delete, what was
 * delivered to it goes too, so that a later pool of the same id does not inherit it.
 */
async function forgetGoneCapacity(tx: Tx): Promise<void> {
  const capacity = sql`(select ${t.pools.id} from ${t.pools} union all select ${t.buildings.id} from ${t.buildings})`;
  await tx.delete(t.deliveries).where(sql`${t.deliveries.poolId} not in ${capacity}`);
  await tx.delete(t.fleetPoolDays).where(sql`${t.fleetPoolDays.poolId} not in ${capacity}`);
}

async function insertContract(tx: Tx, contract: EntityDoc, position: number): Promise<void> {
  const { terms, ...rest } = contract as EntityDoc & { terms: EntityDoc[] };
  await tx.insert(t.contracts).values({ id: contract.id, position, doc: rest });
  await insertTerms(tx, contract.id, terms);
}

/** A contract's terms, one row each, in their order. */
async function insertTerms(tx: Tx, contractId: string, terms: readonly EntityDoc[]): Promise<void> {
  if (terms.length === 0) return;
  await tx.insert(t.contractTerms).values(
    terms.map((term, index) => ({
      contractId,
      id: term.id,
      position: index,
      type: String(term['type']),
      doc: term,
    })),
  );
}

/** The scenario as a file would hold it, lists in their stored order; undefined when empty. */
export async function exportScenario(db: Queryable): Promise<ScenarioDoc | undefined> {
  const [settings] = await db.select().from(t.scenarioSettings);
  if (!settings) return undefined;
  const { [KEY_ORDER]: keyOrder, ...rest } = settings.doc as ScenarioDoc & {
    [KEY_ORDER]?: string[];
  };
  const order = keyOrder ?? [];
  const parts: ScenarioDoc = { ...rest };
  for (const kind of ENTITY_KINDS) {
    const docs =
      kind.list === 'contracts' ? await listContracts(db) : await listDocs(db, kind.table);
    if (!kind.optional || docs.length > 0 || order.includes(kind.list)) parts[kind.list] = docs;
  }
  const ordered: ScenarioDoc = {};
  for (const key of [...order, ...TOP_LEVEL_ORDER]) if (key in parts) ordered[key] = parts[key];
  for (const key of Object.keys(parts)) if (!(key in ordered)) ordered[key] = parts[key];
  return ordered;
}

async function listDocs(db: Queryable, table: PgTable & EntityColumns): Promise<EntityDoc[]> {
  const rows = await db
    .select({ doc: table.doc })
    .from(table)
    .orderBy(asc(table.position), asc(table.id));
  return rows.map((row) => row.doc as EntityDoc);
}

async function listContracts(db: Queryable): Promise<EntityDoc[]> {
  const contracts = await db
    .select({ id: t.contracts.id, doc: t.contracts.doc })
    .from(t.contracts)
    .orderBy(asc(t.contracts.position), asc(t.contracts.id));
  const terms = await db
    .select()
    .from(t.contractTerms)
    .orderBy(asc(t.contractTerms.contractId), asc(t.contractTerms.position));
  const byContract = new Map<string, EntityDoc[]>();
  for (const term of terms) {
    const list = byContract.get(term.contractId) ?? [];
    list.push(term.doc as EntityDoc);
    byContract.set(term.contractId, list);
  }
  return contracts.map((row) => ({
    ...(row.doc as EntityDoc),
    terms: byContract.get(row.id) ?? [],
  }));
}

export interface StoredEntity {
  readonly doc: EntityDoc;
  readonly version: number;
}

export async function getEntity(
  db: Queryable,
  kind: EntityKind,
  id: string,
  options: { lock?: boolean } = {},
): Promise<StoredEntity | undefined> {
  const query = db
    .select({ doc: kind.table.doc, version: kind.table.version })
    .from(kind.table)
    .where(eq(kind.table.id, id));
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) return undefined;
  const doc =
    kind.list === 'contracts'
      ? { ...(row.doc as EntityDoc), terms: await contractTerms(db, id) }
      : (row.doc as EntityDoc);
  return { doc, version: Number(row.version) };
}

async function contractTerms(db: Queryable, contractId: string): Promise<EntityDoc[]> {
  const rows = await db
    .select({ doc: t.contractTerms.doc })
    .from(t.contractTerms)
    .where(eq(t.contractTerms.contractId, contractId))
    .orderBy(asc(t.contractTerms.position));
  return rows.map((row) => row.doc as EntityDoc);
}

export async function listEntities(db: Queryable, kind: EntityKind): Promise<StoredEntity[]> {
  if (kind.list === 'contracts') {
    const docs = await listContracts(db);
    const versions = await db
      .select({ id: t.contracts.id, version: t.contracts.version })
      .from(t.contracts);
    const byId = new Map(versions.map((row) => [row.id, row.version]));
    return docs.map((doc) => ({ doc, version: byId.get(doc.id) ?? 1 }));
  }
  const rows = await db
    .select({ doc: kind.table.doc, version: kind.table.version })
    .from(kind.table)
    .orderBy(asc(kind.table.position), asc(kind.table.id));
  return rows.map((row) => ({ doc: row.doc as EntityDoc, version: Number(row.version) }));
}

/** Inserts a new entity at the end of its list. The caller checks the whole scenario after. */
export async function insertEntity(
  tx: Tx,
  kind: EntityKind,
  doc: EntityDoc,
  extra: Record<string, unknown> = {},
): Promise<StoredEntity> {
  const [last] = await tx.select({ position: max(kind.table.position) }).from(kind.table);
  const position = Number(last?.position ?? -1) + 1;
  if (kind.list === 'contracts') {
    await insertContract(tx, doc, position);
  } else {
    await tx
      .insert(kind.table)
      .values({ id: doc.id, position, doc, ...kind.columns(doc), ...extra } as never);
  }
  return { doc, version: 1 };
}

/** Replaces an entity's document in place (same id); bumps its version. */
export async function updateEntity(
  tx: Tx,
  kind: EntityKind,
  doc: EntityDoc,
  version: number,
): Promise<StoredEntity> {
  if (kind.list === 'contracts') {
    const { terms, ...rest } = doc as EntityDoc & { terms: EntityDoc[] };
    await tx
      .update(t.contracts)
      .set({ doc: rest, version: version + 1, updatedAt: sql`now()` })
      .where(eq(t.contracts.id, doc.id));
    await tx.delete(t.contractTerms).where(eq(t.contractTerms.contractId, doc.id));
    await insertTerms(tx, doc.id, terms);
  } else {
    await tx
      .update(kind.table)
      .set({ doc, version: version + 1, updatedAt: sql`now()`, ...kind.columns(doc) })
      .where(eq(kind.table.id, doc.id));
  }
  return { doc, version: version + 1 };
}

export async function deleteEntity(tx: Tx, kind: EntityKind, id: string): Promise<void> {
  await tx.delete(kind.table).where(eq(kind.table.id, id));
  if (kind.table === t.pools || kind.table === t.buildings) await forgetGoneCapacity(tx);
}

export type EntityChange =
  | { readonly op: 'insert'; readonly doc: EntityDoc }
  | { readonly op: 'update'; readonly doc: EntityDoc }
  | { readonly op: 'delete'; readonly id: string };

/**
 * Checks the scenario as the change would leave it, as `stargate validate` checks a file, before
 * anything is written; throws `ConflictProblems` listing every problem if it would be broken (a
 * pool naming an unknown provider, a provider deleted while pools still name it). Foreign keys
 * back this up against changes racing in other transactions.
 */
export async function checkChange(
  tx: Queryable,
  kind: EntityKind,
  change: EntityChange,
): Promise<void> {
  // Two changes each valid alone may be invalid together (a site deleted while a term starts
  // naming it): changes to the scenario take turns, each checking what the last one left.
  await tx.execute(sql`select pg_advisory_xact_lock(${SCENARIO_LOCK})`);
  const doc = await exportScenario(tx);
  if (!doc) {
    throw new ConflictProblems('the store holds no scenario', [
      {
        path: [],
        message: 'no scenario: import one first (stargate import FILE, or PUT /v1/scenario)',
      },
    ]);
  }
  const list = ((doc[kind.list] ?? []) as EntityDoc[]).slice();
  if (change.op === 'insert') list.push(change.doc);
  else {
    const id = change.op === 'delete' ? change.id : change.doc.id;
    const index = list.findIndex((item) => item.id === id);
    if (change.op === 'delete') list.splice(index, 1);
    else list[index] = change.doc;
  }
  const result = validateScenario({ ...doc, [kind.list]: list });
  if (!result.ok) {
    throw new ConflictProblems('the change would leave the scenario invalid', result.problems);
  }
}

/**
 * The GPUs each building promises, as the planner counts them (`gpus`, else from its IT power
 * and its accelerator's kW per GPU: scenario/normalize.ts).
 */
export async function buildingGpus(
  db: Queryable,
  buildings: readonly (typeof t.buildings.$inferSelect)[],
): Promise<Map<string, number>> {
  if (buildings.length === 0) return new Map();
  const kwPerGpu = new Map(
    (await db.select().from(t.accelerators)).map((row) => [
      row.id,
      (row.doc as { kwPerGpu: number }).kwPerGpu,
    ]),
  );
  return new Map(
    buildings.map((building) => {
      const doc = building.doc as { gpus?: number; itMW: number };
      return [
        building.id,
        doc.gpus ?? gpusFromPower(doc.itMW, kwPerGpu.get(building.acceleratorId) ?? 1),
      ];
    }),
  );
}
