import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import {
  commitmentRow,
  planDiffResponse,
  planDocumentResponse,
  planSummaryResponse,
} from '../../api/plans.js';
import { diffPlanJson } from '../../core/diff/plan-json-diff.js';
import type { ProviderQuarter } from '../../core/plan-overview.js';
import { providerQuarters, unmetOverview } from '../../core/plan-overview.js';
import type { PlanWorkloads } from '../../core/plan-workloads.js';
import {
  summarisePlanWorkloads,
  workloadDetail,
  workloadListRow,
} from '../../core/plan-workloads.js';
import type { PlanJson } from '../../core/planner/plan-json.js';
import { validateScenario } from '../../scenario/parse.js';
import { HttpError, notFound } from '../../store/errors.js';
import { createRequest } from '../../store/procurement.js';
import { ConflictProblems, entityKind, getEntity } from '../../store/scenario-store.js';
import * as t from '../../store/schema.js';
import type { Tx } from '../../store/db.js';
import { planCurrentState } from '../planning.js';
import type { Described } from '../described.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { idSchema, numericId, numericIdParams, periodSchema } from '../schemas.js';

/** The longest a plan may hold its request (and its transaction) open. */
const PLAN_TIME_LIMIT_SECONDS = 300;

const READERS = ['admin', 'planner', 'viewer'] as const;

type PlanRow = typeof t.plans.$inferSelect;

/** The columns of a stored plan without its documents (a large plan's are tens of MB). */
const SUMMARY_COLUMNS = {
  id: t.plans.id,
  createdAt: t.plans.createdAt,
  createdBy: t.plans.createdBy,
  solver: t.plans.solver,
  status: t.plans.status,
  totalUSD: t.plans.totalUSD,
  gap: t.plans.gap,
};

/** A stored plan as lists show it. */
export function planSummary(row: Pick<PlanRow, keyof typeof SUMMARY_COLUMNS>) {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    solver: row.solver,
    status: row.status,
    totalUSD: Number(row.totalUSD),
    gap: Number(row.gap),
  };
}

/** How many plans' versions a process remembers (some 60 bytes each). */
const PLAN_VERSIONS_KEPT = 10_000;

/**
 * A stored plan never changes and is never deleted: its id and creation time name its one
 * version, so a reader that has it (If-None-Match) gets 304 without the plan being read,
 * summarised or sent. Each process remembers the versions it has read, so that a read of a plan
 * it has served before sends no query at all (a plan id names one plan for the database's
 * life: a database dropped and made again under running servers is not supported).
 */
function planVersions() {
  const known = new Map<number, string>();
  return async (tx: Tx, id: number): Promise<string> => {
    const remembered = known.get(id);
    if (remembered !== undefined) return remembered;
    const [row] = await tx
      .select({ id: t.plans.id, createdAt: t.plans.createdAt })
      .from(t.plans)
      .where(eq(t.plans.id, id));
    if (!row) throw notFound(`plan ${id}`);
    const version = `"plan-${row.id}-${row.createdAt.getTime()}"`;
    if (known.size >= PLAN_VERSIONS_KEPT) {
      const oldest = known.keys().next();
      if (!oldest.done) known.delete(oldest.value);
    }
    known.set(id, version);
    return version;
  };
}

/** How many stored plans' compressed forms a process keeps. */
const COMPRESSED_PLANS = 4;

/**
 * A stored plan never changes, so each process compresses it once per encoding and keeps the
 * newest few (as the dashboard's files are compressed once): a read of a 157 kB plan then costs
 * neither the database's read nor a compression.
 */
function compressedPlans() {
  const kept = new Map<string, Partial<Record<'br' | 'gzip', Buffer>>>();
  return {
    get(etag: string, encoding: 'br' | 'gzip'): Buffer | undefined {
      return kept.get(etag)?.[encoding];
    },
    put(etag: string, encoding: 'br' | 'gzip', text: string): Buffer {
      const body =
        encoding === 'br'
          ? brotliCompressSync(text, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } })
          : gzipSync(text);
      kept.set(etag, { ...kept.get(etag), [encoding]: body });
      for (const old of kept.keys()) {
        if (kept.size <= COMPRESSED_PLANS) break;
        kept.delete(old);
      }
      return body;
    },
  };
}

/** The encoding to send a body in: brotli, else gzip, where the client accepts it. */
function chosenEncoding(header: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = (header ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => q === undefined || !/^\s*q=0(\.0*)?\s*$/.test(q))
    .map(([name]) => name?.trim().toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return undefined;
}

/** Headers of a plan's answers: its version, to be checked again before each use. */
const versioned = (etag: string) => ({ etag, 'cache-control': 'private, no-cache' });

/** 304 when the caller already has this version (If-None-Match), else undefined. */
function notModified(
  headers: Readonly<Record<string, string | undefined>>,
  etag: string,
): { status: number; body: undefined; headers: Record<string, string> } | undefined {
  const given = headers['if-none-match'];
  if (given === undefined) return undefined;
  const tags = given.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return tags.includes(etag) || tags.includes('*')
    ? { status: 304, body: undefined, headers: versioned(etag) }
    : undefined;
}

async function loadPlan(tx: Tx, id: number) {
  const [row] = await tx.select().from(t.plans).where(eq(t.plans.id, id));
  if (!row) throw notFound(`plan ${id}`);
  return row;
}

/** `GET /v1/plans/{id}/workloads`: the plan's headline and one row per workload. */
export function planWorkloadsBody(
  plan: Pick<PlanRow, keyof typeof SUMMARY_COLUMNS>,
  summary: PlanWorkloads,
) {
  const { workloads, ...rest } = summary;
  return { plan: planSummary(plan), ...rest, workloads: workloads.map(workloadListRow) };
}

/** How many of the most unmet workloads the plan's overview names. */
const TOP_UNMET = 10;

/**
 * `GET /v1/plans/{id}/summary`: the plan at a glance, small for any portfolio: its headline
 * figures, cost and GPUs per provider and quarter, and its unmet demand with the workloads
 * that lack most.
 */
export function planOverviewBody(
  plan: Pick<PlanRow, keyof typeof SUMMARY_COLUMNS>,
  summary: PlanWorkloads,
  byQuarter: readonly ProviderQuarter[],
) {
  return {
    plan: planSummary(plan),
    scenario: summary.scenario,
    objective: summary.objective,
    bound: summary.bound,
    solver: summary.solver,
    commitments: summary.commitments,
    byProvider: byQuarter,
    unmet: unmetOverview(summary, TOP_UNMET),
  };
}

/** `GET /v1/plans/{id}/workloads/{workload}`: one workload of the plan, month by month. */
export function planWorkloadBody(planId: number, summary: PlanWorkloads, workload: string) {
  const row = summary.workloads.find((entry) => entry.workload === workload);
  if (!row) throw notFound(`workload ${workload} in plan ${planId}`);
  return { plan: planId, ...workloadDetail(summary, row) };
}

const monthRange = z.object({ from: periodSchema, to: periodSchema });
const workloadBase = {
  workload: idSchema,
  class: z.string(),
  team: z.string().nullable(),
  gpus: z.number().describe('GPUs needed in each month of the window'),
  window: monthRange,
  gang: z.boolean(),
  demandGpuMonths: z.number().describe('GPU-months needed inside the horizon'),
  placedGpuMonths: z.number(),
  unmetGpuMonths: z.number(),
  computeUSD: z.number().describe('What its placements cost'),
  unmetUSD: z.number().describe('What its unmet GPU-hours were worth'),
  placed: monthRange.nullable().describe('First and last month placed'),
  providers: z.array(z.string()),
};
const poolUse = {
  pool: idSchema,
  provider: idSchema,
  gpuMonths: z.number(),
  computeUSD: z.number(),
};
const monthRun = monthRange.extend({ gpus: z.number() });

const headline = {
  plan: planSummaryResponse,
  scenario: z.string(),
  objective: z.object({
    totalUSD: z.number(),
    computeUSD: z.number(),
    shortfallUSD: z.number(),
    unmetUSD: z.number(),
  }),
  bound: z.object({ lowerBoundUSD: z.number(), gap: z.number() }),
  solver: z.object({
    method: z.string(),
    status: z.string(),
    boundSource: z.string(),
    note: z.string().optional(),
    exact: z.object({ status: z.string(), totalUSD: z.number().optional() }).optional(),
  }),
  commitments: z.array(commitmentRow),
};

/** The list's schema, for the OpenAPI description; the handler's body is checked against it. */
export const planWorkloadsResponse = z.object({
  ...headline,
  reasons: z
    .array(z.string())
    .describe("Every distinct reason of the plan's unmet demand; rows give indices into it"),
  workloads: z.array(
    z.object({
      ...workloadBase,
      pools: z.array(z.object(poolUse)).describe('Most GPU-months first'),
      unmetRange: monthRange.nullable().describe('First and last month with unmet demand'),
      reasons: z.array(z.number().int()).describe('Indices into `reasons`'),
    }),
  ),
});

export const planOverviewResponse = z.object({
  ...headline,
  byProvider: z
    .array(
      z.object({
        provider: idSchema,
        quarter: z.string().describe('YYYY-Qn'),
        months: z.number().int().describe("Months of the quarter inside the plan's horizon"),
        gpus: z.number().describe('GPUs placed, the mean over those months'),
        capacityGpus: z
          .number()
          .describe("GPUs the provider's pools hold, placed or idle, the mean over those months"),
        computeUSD: z.number().describe("The quarter's compute cost"),
      }),
    )
    .describe('Per provider and quarter, by quarter then provider'),
  unmet: z.object({
    gpuMonths: z.number().describe('GPU-months of demand unmet in all'),
    workloads: z.number().int().describe('Workloads with any unmet demand'),
    top: z
      .array(
        z.object({
          workload: idSchema,
          class: z.string(),
          unmetGpuMonths: z.number(),
          unmetRange: monthRange.nullable().describe('First and last month with unmet demand'),
          reason: z
            .string()
            .nullable()
            .describe('The first reason naming a contract clause, else the first reason'),
        }),
      )
      .describe(`The ${TOP_UNMET} most unmet workloads, most GPU-months first`),
  }),
});

export const planWorkloadResponse = z.object({
  plan: z.number(),
  ...workloadBase,
  pools: z.array(z.object({ ...poolUse, runs: z.array(monthRun) })),
  unmet: z.array(monthRun).describe('Unmet GPUs by month, as runs of equal months'),
  reasons: z.array(z.object({ text: z.string(), periods: z.array(monthRange) })),
});

/** How many plans' summaries a server keeps: the newest few are the ones people look at. */
const SUMMARY_CACHE_SIZE = 4;

interface SummaryEntry {
  readonly summary: PlanWorkloads;
  /** The plan's `byProvider` by quarter, for its overview (the summary is per workload). */
  readonly byQuarter: readonly ProviderQuarter[];
  /** The list's body, serialised on first use (a large plan's is a few MB). */
  list?: string;
  /** The overview's body, serialised on first use. */
  overview?: string;
}

/**
 * Per-workload summaries of stored plans, least recently used first. A stored plan never
 * changes, so its summary is computed once; the key holds its creation time as well, so a
 * store rebuilt under the same server never serves another plan's summary. A plan made by
 * this server is summarised as it is stored, so the page that shows it next finds it ready
 * (a 5,000-workload plan takes seconds to read back and summarise).
 */
function summaryCache() {
  const entries = new Map<string, SummaryEntry>();
  const keyOf = (plan: { id: number; createdAt: Date }) =>
    `${plan.id}@${plan.createdAt.toISOString()}`;
  const remember = (key: string, entry: SummaryEntry) => {
    entries.delete(key);
    entries.set(key, entry);
    for (const old of entries.keys()) {
      if (entries.size <= SUMMARY_CACHE_SIZE) break;
      entries.delete(old);
    }
  };
  const summarise = (id: number, doc: unknown, plan: PlanJson): SummaryEntry => {
    const scenario = validateScenario(doc);
    if (!scenario.ok)
      throw new ConflictProblems(`the scenario of plan ${id} is not valid`, scenario.problems);
    return {
      summary: summarisePlanWorkloads(plan, scenario.scenario),
      byQuarter: providerQuarters(plan.byProvider),
    };
  };
  return {
    async get(tx: Tx, id: number) {
      const [plan] = await tx.select(SUMMARY_COLUMNS).from(t.plans).where(eq(t.plans.id, id));
      if (!plan) throw notFound(`plan ${id}`);
      const key = keyOf(plan);
      let entry = entries.get(key);
      if (!entry) {
        const row = await loadPlan(tx, id);
        entry = summarise(id, row.scenario, JSON.parse(row.planJson) as PlanJson);
      }
      remember(key, entry);
      return { plan, entry };
    },
    /** Summarises a plan just stored, from the documents still in memory. */
    put(plan: { id: number; createdAt: Date }, doc: unknown, json: PlanJson) {
      remember(keyOf(plan), summarise(plan.id, doc, json));
    },
  };
}

export function planRoutes(): Route[] {
  const summaries = summaryCache();
  const compressed = compressedPlans();
  const planVersion = planVersions();
  return [
    route({
      method: 'POST',
      path: '/v1/plans',
      tag: 'plans',
      summary: 'Plan the current state and store the plan as a new version',
      description:
        'Late pools (procured, or watched by node agents) count only what was delivered or observed healthy; the unmet rows they could have served say so.',
      roles: ['admin', 'planner'],
      body: z
        .object({
          solver: z
            .enum(['auto', 'exact', 'fast'], { error: 'expected auto, exact or fast' })
            .optional()
            .describe(
              'auto (default): exact on HiGHS up to 2,000 eligible triples (a stored plan is what what-ifs and re-solves are compared with), the fast planner above; exact: HiGHS, proves optimality; fast: the fast planner',
            ),
          timeLimitSeconds: z
            .number()
            .positive({ error: 'expected a number of seconds above 0' })
            .max(PLAN_TIME_LIMIT_SECONDS, {
              error: `expected at most ${PLAN_TIME_LIMIT_SECONDS} seconds: a plan holds its request open; plan larger portfolios with stargate plan on an export`,
            })
            .optional()
            .describe(`Seconds the planner may take; default and most ${PLAN_TIME_LIMIT_SECONDS}`),
        })
        .strict()
        .optional(),
      response: planSummaryResponse,
      successStatus: 201,
      sweepsDeadlines: true,
      computesPlan: true,
      handler: async ({ tx, body, now, principal, audit, plan }) => {
        const made = await planCurrentState(
          tx,
          now,
          {
            solver: body?.solver ?? 'auto',
            timeLimitSeconds: body?.timeLimitSeconds ?? PLAN_TIME_LIMIT_SECONDS,
          },
          plan,
        );
        const text = `${JSON.stringify(made.json, null, 2)}\n`;
        const [row] = await tx
          .insert(t.plans)
          .values({
            createdAt: now,
            createdBy: `${principal.role}/${principal.tokenId}`,
            solver: made.json.solver.method,
            status: made.json.solver.status,
            totalUSD: String(made.json.objective.totalUSD),
            gap: String(made.json.bound.gap),
            scenario: made.scenario,
            planJson: text,
          })
          .returning();
        if (!row) throw new Error('insert returned no row');
        summaries.put(row, made.scenario, made.json);
        await audit({
          action: 'plan.create',
          entityType: 'plan',
          entityId: String(row.id),
          after: planSummary(row),
        });
        return {
          status: 201,
          body: planSummary(row),
          headers: { location: `/v1/plans/${row.id}` },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/plans',
      tag: 'plans',
      summary: 'Stored plans, newest first',
      roles: READERS,
      response: z.array(planSummaryResponse),
      // Only the summary's columns: each plan's documents are MB, and lists never show them.
      handler: async ({ tx }) => ({
        body: (await tx.select(SUMMARY_COLUMNS).from(t.plans).orderBy(desc(t.plans.id))).map(
          planSummary,
        ),
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{id}',
      tag: 'plans',
      readsWithoutTransaction: true,
      summary: "A stored plan: the spec's plan JSON, byte for byte as stored",
      roles: READERS,
      params: numericIdParams,
      response: planDocumentResponse,
      handler: async ({ tx, params, headers }) => {
        const etag = await planVersion(tx, params.id);
        const same = notModified(headers, etag);
        if (same) return same;
        const encoding = chosenEncoding(headers['accept-encoding']);
        if (encoding === undefined) {
          return {
            body: undefined,
            raw: (await loadPlan(tx, params.id)).planJson,
            headers: versioned(etag),
          };
        }
        const body =
          compressed.get(etag, encoding) ??
          compressed.put(etag, encoding, (await loadPlan(tx, params.id)).planJson);
        return {
          body: undefined,
          raw: body,
          headers: { ...versioned(etag), 'content-encoding': encoding, vary: 'accept-encoding' },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{a}/diff/{b}',
      tag: 'plans',
      summary:
        'What moved from plan a to plan b: cost, providers, commitments, unmet demand, placements',
      roles: READERS,
      params: z.object({ a: numericId, b: numericId }).strict(),
      response: planDiffResponse,
      handler: async ({ tx, params }) => {
        const a = JSON.parse((await loadPlan(tx, params.a)).planJson) as PlanJson;
        const b = JSON.parse((await loadPlan(tx, params.b)).planJson) as PlanJson;
        return { body: { a: params.a, b: params.b, ...diffPlanJson(a, b) } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{id}/summary',
      tag: 'plans',
      readsWithoutTransaction: true,
      summary: 'A stored plan at a glance: cost, GPUs per provider and quarter, unmet demand',
      description: `The plan's headline figures, cost and GPUs per provider and quarter, unmet demand in all and the ${TOP_UNMET} most unmet workloads with the clause that kept each out. A few kB for any portfolio, where the plan itself (\`/v1/plans/{id}\`) is tens of MB for thousands of workloads.`,
      roles: READERS,
      params: numericIdParams,
      response: planOverviewResponse,
      handler: async ({ tx, params, headers }) => {
        const etag = await planVersion(tx, params.id);
        const same = notModified(headers, etag);
        if (same) return same;
        const { plan, entry } = await summaries.get(tx, params.id);
        if (entry.overview === undefined) {
          const body: Described<typeof planOverviewResponse> = planOverviewBody(
            plan,
            entry.summary,
            entry.byQuarter,
          );
          entry.overview = JSON.stringify(body);
        }
        return { body: undefined, raw: entry.overview, headers: versioned(etag) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{id}/workloads',
      tag: 'plans',
      readsWithoutTransaction: true,
      summary: 'A stored plan per workload: placement, GPU-months placed and unmet, cost, reasons',
      description:
        "One row per workload of the plan's scenario, with the plan's headline figures. Reasons are listed once in `reasons`; each row names its own by index. The months of each workload are at `/v1/plans/{id}/workloads/{workload}`.",
      roles: READERS,
      params: numericIdParams,
      response: planWorkloadsResponse,
      handler: async ({ tx, params, headers }) => {
        const etag = await planVersion(tx, params.id);
        const same = notModified(headers, etag);
        if (same) return same;
        const { plan, entry } = await summaries.get(tx, params.id);
        if (entry.list === undefined) {
          const body: Described<typeof planWorkloadsResponse> = planWorkloadsBody(
            plan,
            entry.summary,
          );
          entry.list = JSON.stringify(body);
        }
        return { body: undefined, raw: entry.list, headers: versioned(etag) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{id}/workloads/{workload}',
      tag: 'plans',
      readsWithoutTransaction: true,
      summary: 'One workload of a stored plan: its pools month by month, unmet GPUs, reasons',
      roles: READERS,
      params: z.object({ id: numericId, workload: idSchema }).strict(),
      response: planWorkloadResponse,
      handler: async ({ tx, params }) => {
        const { entry } = await summaries.get(tx, params.id);
        const body: Described<typeof planWorkloadResponse> = planWorkloadBody(
          params.id,
          entry.summary,
          params.workload,
        );
        return { body };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/plans/{id}/requests',
      tag: 'procurement',
      summary: "Request capacity for a plan's unmet demand: one request per workload",
      description:
        "Per workload: the most GPUs unmet in any month, over the months from its first to its last unmet one, of the workload's first accelerator unless `accelerator` is given.",
      roles: ['admin', 'planner'],
      params: numericIdParams,
      body: z
        .object({
          workloads: z
            .array(idSchema)
            .min(1)
            .optional()
            .describe('Default every workload with unmet demand'),
          accelerator: idSchema.optional(),
        })
        .strict()
        .optional(),
      successStatus: 201,
      sweepsDeadlines: true,
      handler: async ({ tx, params, body, principal, now, audit }) => {
        const plan = JSON.parse((await loadPlan(tx, params.id)).planJson) as PlanJson;
        const byWorkload = new Map<string, { gpus: number; from: string; to: string }>();
        for (const row of plan.unmet) {
          const entry = byWorkload.get(row.workload);
          byWorkload.set(row.workload, {
            gpus: Math.max(entry?.gpus ?? 0, row.gpus),
            from: entry && entry.from < row.period ? entry.from : row.period,
            to: entry && entry.to > row.period ? entry.to : row.period,
          });
        }
        const wanted = body?.workloads ?? [...byWorkload.keys()].sort();
        const missing = wanted.filter((id) => !byWorkload.has(id));
        if (missing.length > 0) {
          throw new HttpError(
            400,
            'invalid_request',
            'the request is not valid',
            missing.map((id) => ({
              path: ['body', 'workloads'],
              message: `workload ${id} has no unmet demand in plan ${params.id}`,
            })),
          );
        }
        const workloads = entityKind('workloads');
        const created = [];
        for (const id of wanted) {
          const need = byWorkload.get(id);
          const workload = workloads ? await getEntity(tx, workloads, id) : undefined;
          if (!need || !workload) throw notFound(`workload ${id}`);
          const listed = workload.doc['accelerators'] as string[];
          const accelerator = body?.accelerator ?? listed[0] ?? '';
          if (!listed.includes(accelerator)) {
            throw new HttpError(400, 'invalid_request', 'the request is not valid', [
              {
                path: ['body', 'accelerator'],
                message: `workload ${id} cannot run on ${accelerator}`,
              },
            ]);
          }
          created.push(
            await createRequest(
              tx,
              {
                accelerator,
                gpus: need.gpus,
                window: { from: need.from, to: need.to },
                workloadClass: String(workload.doc['class']),
                reason: `unmet demand of ${id} in plan ${params.id}: up to ${need.gpus} GPUs a month from ${need.from} to ${need.to}`,
                planId: params.id,
                workload: id,
              },
              `${principal.role}/${principal.tokenId}`,
              now,
              audit,
            ),
          );
        }
        return { status: 201, body: { requests: created } };
      },
    }),
  ];
}
