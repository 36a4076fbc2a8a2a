import { Ajv } from 'ajv';
import { Document } from 'yaml';
import { compileRules } from '../core/contracts.js';
import { grouped } from '../core/format.js';
import type { Scenario } from '../core/model.js';
import type { Period } from '../core/period.js';
import { formatPeriod } from '../core/period.js';
import type { PlanPlacements } from '../scenario/plan-placements.js';
import { readPlanPlacements } from '../scenario/plan-placements.js';
import type { Problem } from '../scenario/problems.js';
import { isDnsLabel } from './kube-names.js';
import type { KueueApiVersion, KueueExport } from './kueue.js';
import { kueueManifests } from './kueue.js';
import type { ManifestValidator } from './kueue-validator.js';
import { checkMonth, checkPlanForScenario } from './plan-check.js';
import type { SkypilotExport, SkypilotOptions } from './skypilot.js';
import { skypilotTask } from './skypilot.js';
import { SKYPILOT_TASK_SCHEMA } from './skypilot-schema.js';

/**
 * The exports as the CLI and the API run them: read the plan document, check it belongs to
 * the scenario, build the objects, and check every object against its schema before anyone
 * writes it. Problems come back as values, each path starting with what was wrong — `plan`,
 * `scenario`, `month`, `workload`, `namespace-of`, `infra` — for the CLI's flags and the API's
 * query fields. An object that fails its schema is a bug of stargate, thrown, never written.
 */

export interface PlanSource {
  readonly scenario: Scenario;
  /** `scenarioHash` of the scenario's document. */
  readonly scenarioHash: string;
  /** The plan document as parsed JSON. */
  readonly plan: unknown;
  /** The stored plan's id, or `sha256:` of the plan file. */
  readonly planId: string;
}

export interface KueueRequest {
  /** The months to export, in order, without gaps; each must lie in the horizon. */
  readonly months: readonly Period[];
  /** The query field or flag that named a single month, for problems; a range's are `from` and `to`. */
  readonly monthField: string;
  readonly apiVersion: KueueApiVersion;
  readonly perWorkload: boolean;
  readonly namespaces: ReadonlyMap<string, string>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** A plan's placements, if the document reads and belongs to the scenario. */
export function placementsFor(source: PlanSource): Checked<PlanPlacements> {
  const read = readPlanPlacements(source.plan);
  if (!read.ok) {
    return { ok: false, problems: read.problems.map((p) => ({ ...p, path: ['plan', ...p.path] })) };
  }
  const problems = checkPlanForScenario(read.plan, source.scenario, source.scenarioHash);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: read.plan };
}

/** Kueue objects for each month asked, validated against the CRDs. */
export function exportKueue(
  source: PlanSource,
  request: KueueRequest,
  validator: ManifestValidator,
): Checked<{ month: Period; result: KueueExport }[]> {
  const { scenario } = source;
  // A range is contiguous, and so is the horizon: its two ends say it all.
  const [first] = request.months;
  const last = request.months[request.months.length - 1];
  const problems: Problem[] =
    first === undefined || last === undefined
      ? [{ path: [request.monthField], message: 'no month to export' }]
      : first === last
        ? checkMonth(scenario, first, request.monthField)
        : [...checkMonth(scenario, first, 'from'), ...checkMonth(scenario, last, 'to')];
  const classes = new Set(scenario.workloads.map((w) => w.class));
  for (const [className, namespace] of request.namespaces) {
    if (!classes.has(className))
      problems.push({
        path: ['namespace-of'],
        message: `no workload has class ${className}; classes: ${[...classes].sort().join(', ')}`,
      });
    if (!isDnsLabel(namespace))
      problems.push({
        path: ['namespace-of'],
        message: `${namespace} is not a Kubernetes namespace name (lowercase letters, digits and -, at most 63)`,
      });
  }
  if (problems.length > 0) return { ok: false, problems };
  const placements = placementsFor(source);
  if (!placements.ok) return placements;
  const rules = compileRules(scenario);
  const months: { month: Period; result: KueueExport }[] = [];
  for (const month of request.months) {
    const made = kueueManifests(scenario, placements.value, rules, {
      month,
      apiVersion: request.apiVersion,
      perWorkload: request.perWorkload,
      namespaces: request.namespaces,
      planId: source.planId,
      scenarioHash: source.scenarioHash,
    });
    if (!made.ok) return made;
    const invalid = made.result.objects.flatMap((object) => validator.check(object));
    if (invalid.length > 0) {
      throw new Error(
        `stargate made Kueue objects that do not validate for ${formatPeriod(month)}; nothing was written:\n  ${invalid.join('\n  ')}`,
      );
    }
    months.push({ month, result: made.result });
  }
  return { ok: true, value: months };
}

let skypilotSchema: ReturnType<Ajv['compile']> | undefined;

/** The SkyPilot task of one workload, checked against SkyPilot's task schema. */
export function exportSkypilot(
  source: PlanSource,
  workload: string,
  options: SkypilotOptions,
): Checked<SkypilotExport & { yaml: string }> {
  const placements = placementsFor(source);
  if (!placements.ok) return placements;
  const made = skypilotTask(
    source.scenario,
    placements.value,
    compileRules(source.scenario),
    workload,
    options,
  );
  if (!made.ok) return made;
  skypilotSchema ??= new Ajv({ allErrors: true }).compile(SKYPILOT_TASK_SCHEMA);
  if (!skypilotSchema(made.result.task)) {
    throw new Error(
      `stargate made a SkyPilot task that does not validate; nothing was written: ${JSON.stringify(skypilotSchema.errors)}`,
    );
  }
  return { ok: true, value: { ...made.result, yaml: skypilotYaml(source, made.result) } };
}

/** The task as YAML, with where it comes from and what the plan puts at each place. */
function skypilotYaml(source: PlanSource, made: SkypilotExport): string {
  const doc = new Document(made.task, { version: '1.1' });
  doc.commentBefore = [
    ` SkyPilot task for workload ${made.task.name}: stargate export skypilot`,
    ` plan ${source.planId}`,
    ` scenario ${source.scenario.name} ${source.scenarioHash}`,
    ' resources.ordered: the places the plan gives it, most GPU-months first; SkyPilot tries',
    ' them in this order and no other. Add setup:, run: and num_nodes: as the job needs.',
  ].join('\n');
  const ordered = doc.getIn(['resources', 'ordered']) as { items?: { commentBefore?: string }[] };
  made.places.forEach((place, index) => {
    const item = ordered.items?.[index];
    if (item)
      item.commentBefore = ` ${grouped(place.gpuMonths)} GPU-months in the plan: ${place.pools.join(', ')}`;
  });
  return doc.toString({ lineWidth: 0 });
}
