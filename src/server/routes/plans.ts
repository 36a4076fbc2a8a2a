import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { diffPlanJson } from '../../core/diff/plan-json-diff.js';
import type { PlanJson } from '../../core/planner/plan-json.js';
import { HttpError, notFound } from '../../store/errors.js';
import { createRequest } from '../../store/procurement.js';
import { entityKind, getEntity } from '../../store/scenario-store.js';
import * as t from '../../store/schema.js';
import type { Tx } from '../../store/db.js';
import { planCurrentState } from '../planning.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { idSchema, numericId, numericIdParams } from '../schemas.js';

/** The longest a plan may hold its request (and its transaction) open. */
const PLAN_TIME_LIMIT_SECONDS = 300;

const READERS = ['admin', 'planner', 'viewer'] as const;

/** A stored plan as lists show it. */
export function planSummary(row: typeof t.plans.$inferSelect) {
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

async function loadPlan(tx: Tx, id: number) {
  const [row] = await tx.select().from(t.plans).where(eq(t.plans.id, id));
  if (!row) throw notFound(`plan ${id}`);
  return row;
}

export function planRoutes(): Route[] {
  return [
    route({
      method: 'POST',
      path: '/v1/plans',
      tag: 'plans',
      summary: 'Plan the current state and store the plan as a new version',
      description:
        'Late procured pools count only what was delivered; the unmet rows they could have served say so.',
      roles: ['admin', 'planner'],
      body: z
        .object({
          solver: z
            .enum(['auto', 'exact', 'fast'], { error: 'expected auto, exact or fast' })
            .optional(),
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
      successStatus: 201,
      sweepsDeadlines: true,
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
      handler: async ({ tx }) => ({
        body: (await tx.select().from(t.plans).orderBy(desc(t.plans.id))).map(planSummary),
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{id}',
      tag: 'plans',
      summary: "A stored plan: the spec's plan JSON, byte for byte as stored",
      roles: READERS,
      params: numericIdParams,
      handler: async ({ tx, params }) => ({
        body: undefined,
        raw: (await loadPlan(tx, params.id)).planJson,
      }),
    }),
    route({
      method: 'GET',
      path: '/v1/plans/{a}/diff/{b}',
      tag: 'plans',
      summary:
        'What moved from plan a to plan b: cost, providers, commitments, unmet demand, placements',
      roles: READERS,
      params: z.object({ a: numericId, b: numericId }).strict(),
      handler: async ({ tx, params }) => {
        const a = JSON.parse((await loadPlan(tx, params.a)).planJson) as PlanJson;
        const b = JSON.parse((await loadPlan(tx, params.b)).planJson) as PlanJson;
        return { body: { a: params.a, b: params.b, ...diffPlanJson(a, b) } };
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
