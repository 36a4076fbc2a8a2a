import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { buildLedger } from '../../core/ledger/build.js';
import { summarizeLedger } from '../../core/ledger/report.js';
import { forecastCapacity } from '../../core/forecast/forecast.js';
import { seededRandom } from '../../core/random.js';
import type { Scenario } from '../../core/model.js';
import { validateScenario } from '../../scenario/parse.js';
import { readPlanDocument } from '../../scenario/plan-file.js';
import { ledgerReportToJson, ledgerToJson } from '../../core/ledger/ledger-json.js';
import { forecastToJson } from '../../core/forecast/forecast-json.js';
import type { Tx } from '../../store/db.js';
import { HttpError, conflict, notFound } from '../../store/errors.js';
import { ConflictProblems, exportScenario, replaceScenario } from '../../store/scenario-store.js';
import * as t from '../../store/schema.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { numericId } from '../schemas.js';

/** The stored scenario, validated; 409 when there is none or it is not valid. */
export async function currentScenario(tx: Tx): Promise<Scenario> {
  const doc = await exportScenario(tx);
  if (!doc)
    throw conflict('no scenario: import one first (stargate import FILE, or PUT /v1/scenario)');
  const result = validateScenario(doc);
  if (!result.ok) throw new ConflictProblems('the stored scenario is not valid', result.problems);
  return result.scenario;
}

const wholeNumber = (what: string, max: number) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(0, { error: `expected ${what} of at least 0` })
    .max(max, { error: `expected ${what} of at most ${max}` });

export function scenarioRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/v1/scenario',
      tag: 'scenario',
      summary: 'The whole scenario as a scenario file (stargate export)',
      roles: ['admin', 'planner', 'viewer'],
      handler: async ({ tx }) => {
        const doc = await exportScenario(tx);
        if (!doc) throw notFound('scenario');
        return { body: doc };
      },
    }),
    route({
      method: 'PUT',
      path: '/v1/scenario',
      tag: 'scenario',
      summary: 'Replace the whole scenario (refused once procurement records exist)',
      bodyLimit: 64 * 1024 * 1024,
      description:
        'The body is a scenario document (format v1); every problem is reported, with its path.',
      roles: ['admin', 'planner'],
      body: z.record(z.string(), z.unknown(), {
        error: 'expected a scenario document (a JSON object)',
      }),
      handler: async ({ tx, body, audit }) => {
        const result = validateScenario(body);
        if (!result.ok) {
          throw new HttpError(
            400,
            'invalid_request',
            'the scenario is not valid',
            result.problems.map((p) => ({ ...p, path: ['body', ...p.path] })),
          );
        }
        const before = await exportScenario(tx);
        await replaceScenario(tx, body);
        await audit({
          action: 'scenario.replace',
          entityType: 'scenario',
          entityId: result.scenario.name,
          before: before ? { name: (before['metadata'] as { name: string }).name } : null,
          after: { name: result.scenario.name },
        });
        return { body: await exportScenario(tx) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/forecast',
      tag: 'finance',
      summary:
        'GPUs and MW online by provider per quarter, with a seeded Monte Carlo of slips (stargate forecast)',
      roles: ['admin', 'planner', 'viewer', 'funder'],
      query: z
        .object({
          runs: wholeNumber('a number of runs', 100_000).optional().describe('Default 1000'),
          seed: wholeNumber('a seed', 2 ** 32 - 1)
            .optional()
            .describe('Default 1'),
        })
        .strict(),
      handler: async ({ tx, query }) => {
        const scenario = await currentScenario(tx);
        const seed = query.seed ?? 1;
        const forecast = forecastCapacity(scenario, {
          runs: query.runs ?? 1000,
          random: seededRandom(seed),
        });
        return { body: forecastToJson(forecast, seed) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/ledger',
      tag: 'finance',
      summary:
        'The books of a stored plan (default the newest): capital called, flows, take-or-pay, balances',
      roles: ['admin', 'planner', 'viewer', 'funder'],
      query: z
        .object({
          plan: numericId.optional(),
          by: z
            .enum(['month', 'quarter', 'year'], { error: 'expected month, quarter or year' })
            .optional(),
          journal: z
            .enum(['true', 'false'], { error: 'expected true or false' })
            .optional()
            .describe(
              'Default true; false leaves out `transactions`, the journal (most of the body), for readers of the report only',
            ),
        })
        .strict(),
      handler: async ({ tx, query }) => {
        const [row] =
          query.plan === undefined
            ? await tx.select().from(t.plans).orderBy(desc(t.plans.id)).limit(1)
            : await tx.select().from(t.plans).where(eq(t.plans.id, query.plan));
        if (!row)
          throw query.plan === undefined
            ? conflict('no plan yet: POST /v1/plans first')
            : notFound(`plan ${query.plan}`);
        const result = validateScenario(row.scenario);
        if (!result.ok)
          throw new ConflictProblems(
            `the scenario of plan ${row.id} is not valid`,
            result.problems,
          );
        const money = readPlanDocument(JSON.parse(row.planJson), result.scenario);
        if (!money.ok)
          throw new ConflictProblems(`plan ${row.id} does not match its scenario`, money.problems);
        const ledger = buildLedger(result.scenario, money.money);
        const report = summarizeLedger(ledger, query.by ?? 'year');
        const plan = { source: 'stored', plan: String(row.id) };
        return {
          body:
            query.journal === 'false'
              ? ledgerReportToJson(report, plan)
              : ledgerToJson(report, ledger, plan),
        };
      },
    }),
  ];
}
