import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Period } from '../../core/period.js';
import { parsePeriod } from '../../core/period.js';
import { kueueCrdValidator } from '../../export/crd-files.js';
import { exportKueue } from '../../export/export-plan.js';
import { KUEUE_API_VERSIONS } from '../../export/kueue.js';
import { namespacesOf } from '../../export/namespaces.js';
import { manifestsJson, manifestsYaml } from '../../export/render.js';
import { validateScenario } from '../../scenario/parse.js';
import type { Problem } from '../../scenario/problems.js';
import { scenarioHash } from '../../scenario/scenario-hash.js';
import { HttpError, notFound } from '../../store/errors.js';
import { ConflictProblems } from '../../store/scenario-store.js';
import * as t from '../../store/schema.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { numericIdParams, periodSchema } from '../schemas.js';

const READERS = ['admin', 'planner', 'viewer'] as const;

/** The query fields that stand for the export's problems' first path key. */
const FIELDS: Readonly<Record<string, string>> = {
  month: 'month',
  'namespace-of': 'namespaceOf',
};

/**
 * Exports of stored plans for schedulers (docs/export.md). A stored plan keeps the scenario
 * it was made from, so the export needs nothing else.
 */
export function exportRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/v1/plans/{id}/export/kueue',
      tag: 'plans',
      summary: 'A month of a stored plan as Kueue objects: quotas, cohorts and queues',
      description:
        "A Cohort per site, a ResourceFlavor per pool with work that month, a ClusterQueue per workload class (or workload, `perWorkload=true`) and site with the GPUs the plan gives it on each pool as nominal quota, and a LocalQueue for each in the class's namespace; pools a use-restriction reserves get borrowingLimit and lendingLimit 0. Every object is checked against Kueue's CRD schemas first. `Accept: application/yaml` gives one multi-document YAML stream for `kubectl apply -f -`; otherwise JSON, a `v1` List.",
      roles: READERS,
      params: numericIdParams,
      query: z
        .object({
          month: periodSchema,
          apiVersion: z
            .enum(KUEUE_API_VERSIONS, { error: 'expected v1beta2 or v1beta1' })
            .optional()
            .describe(
              'Default v1beta2; v1beta1 for Kueue releases that serve only v1beta1 (no Cohort objects then)',
            ),
          perWorkload: z
            .enum(['true', 'false'], { error: 'expected true or false' })
            .optional()
            .describe('A ClusterQueue per workload and site instead of per class and site'),
          namespaceOf: z
            .string()
            .optional()
            .describe(
              "The LocalQueues' namespace per class, `CLASS=NS` separated by commas; default the class's name",
            ),
        })
        .strict(),
      handler: async ({ tx, params, query, headers }) => {
        const [row] = await tx
          .select({ scenario: t.plans.scenario, planJson: t.plans.planJson })
          .from(t.plans)
          .where(eq(t.plans.id, params.id));
        if (!row) throw notFound(`plan ${params.id}`);
        const scenario = validateScenario(row.scenario);
        if (!scenario.ok)
          throw new ConflictProblems(
            `the scenario of plan ${params.id} is not valid`,
            scenario.problems,
          );
        const made = exportKueue(
          {
            scenario: scenario.scenario,
            scenarioHash: scenarioHash(row.scenario),
            plan: JSON.parse(row.planJson) as unknown,
            planId: String(params.id),
          },
          {
            // Checked by periodSchema.
            months: [parsePeriod(query.month) as Period],
            monthField: 'month',
            apiVersion: query.apiVersion ?? 'v1beta2',
            perWorkload: query.perWorkload === 'true',
            namespaces: namespacesOfQuery(query.namespaceOf),
          },
          await kueueCrdValidator(),
        );
        if (!made.ok) throw httpError(made.problems, params.id);
        const objects = made.value[0]?.result.objects ?? [];
        const yaml = prefersYaml(headers['accept']);
        return {
          body: undefined,
          raw: yaml ? manifestsYaml(objects) : manifestsJson(objects),
          headers: { vary: 'Accept' },
          ...(yaml ? { contentType: 'application/yaml; charset=utf-8' } : {}),
        };
      },
    }),
  ];
}

/** `namespaceOf` (`CLASS=NS,CLASS=NS`) as a map, or a 400 naming the field. */
function namespacesOfQuery(value: string | undefined): Map<string, string> {
  const parsed = namespacesOf((value ?? '').split(',').filter((entry) => entry !== ''));
  if ('error' in parsed) {
    throw new HttpError(400, 'invalid_request', 'the request is not valid', [
      { path: ['query', 'namespaceOf'], message: parsed.error },
    ]);
  }
  return parsed.namespaces;
}

/** A bad query field is the caller's (400); a stored plan at odds with its scenario, a 409. */
function httpError(problems: readonly Problem[], id: number): Error {
  const ofQuery = problems.filter((p) => FIELDS[String(p.path[0])] !== undefined);
  if (ofQuery.length > 0) {
    return new HttpError(
      400,
      'invalid_request',
      'the request is not valid',
      ofQuery.map((p) => ({
        ...p,
        path: ['query', FIELDS[String(p.path[0])] ?? '', ...p.path.slice(1)],
      })),
    );
  }
  return new ConflictProblems(`plan ${id} cannot be exported`, problems);
}

/**
 * Whether the caller asked for YAML over JSON: the YAML media type with the highest quality in
 * `Accept`, against `application/json`; without either, JSON.
 */
export function prefersYaml(accept: string | undefined): boolean {
  let yaml = -1;
  let json = -1;
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters
      .map((p) => p.trim())
      .find((p) => p.startsWith('q='))
      ?.slice(2);
    const quality = q === undefined ? 1 : Number(q);
    if (!Number.isFinite(quality)) continue;
    if (/^(application|text)\/(x-)?yaml$/.test(type.trim())) yaml = Math.max(yaml, quality);
    if (type.trim() === 'application/json') json = Math.max(json, quality);
  }
  return yaml > 0 && yaml >= json;
}
