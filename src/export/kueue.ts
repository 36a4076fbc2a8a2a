import type { Rules } from '../core/contracts.js';
import { matchesSelector } from '../core/contracts.js';
import type { Pool, Scenario, Term, Workload } from '../core/model.js';
import { compareText } from '../core/order.js';
import type { Period } from '../core/period.js';
import { contains, formatPeriod, intersect } from '../core/period.js';
import type { PlanPlacements } from '../scenario/plan-placements.js';
import type { Problem } from '../scenario/problems.js';
import { GPU_PRODUCT_LABEL, GPU_PRODUCT_LABELS, POOL_LABEL } from './gpu-products.js';
import { joinNames, kubeName } from './kube-names.js';

/**
 * A plan's month as Kueue objects (docs/export.md): a Cohort per site (v1beta2), a ResourceFlavor per
 * pool with work that month, a ClusterQueue per workload class (or workload) and site whose
 * nominal quota on each pool is what the plan gives it there, and a LocalQueue for each in the
 * class's namespace. Pure and deterministic: every list is sorted, every name derived from ids.
 */

export const KUEUE_GROUP = 'kueue.x-k8s.io';
export const KUEUE_API_VERSIONS = ['v1beta2', 'v1beta1'] as const;
export type KueueApiVersion = (typeof KUEUE_API_VERSIONS)[number];
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Kueue's bound: a resource group lists at most 64 flavors. */
export const MAX_FLAVORS = 64;

export const KUEUE_KINDS = ['Cohort', 'ResourceFlavor', 'ClusterQueue', 'LocalQueue'] as const;
export type KueueKind = (typeof KUEUE_KINDS)[number];

export const ANNOTATION = {
  plan: 'stargate.dev/plan',
  scenario: 'stargate.dev/scenario',
  scenarioHash: 'stargate.dev/scenario-hash',
  month: 'stargate.dev/month',
  clause: 'stargate.dev/clause',
  pool: 'stargate.dev/pool',
  provider: 'stargate.dev/provider',
  site: 'stargate.dev/site',
  accelerator: 'stargate.dev/accelerator',
  class: 'stargate.dev/class',
  workload: 'stargate.dev/workload',
} as const;

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'stargate' } as const;

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: KueueKind;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface KueueOptions {
  readonly month: Period;
  readonly apiVersion: KueueApiVersion;
  /** A ClusterQueue per workload and site instead of per class and site. */
  readonly perWorkload: boolean;
  /** The namespace of a class's LocalQueues; a class not listed gets its own name. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** The stored plan's id, or `sha256:` of the plan file. */
  readonly planId: string;
  readonly scenarioHash: string;
}

/** An id or class that is not a Kubernetes name, and the name it was given. */
export interface Rename {
  readonly what: 'pool' | 'site' | 'provider' | 'class' | 'workload';
  readonly id: string;
  readonly name: string;
}

/** One ClusterQueue's nominal quota of GPUs on one flavor: what a diff compares. */
export interface Quota {
  readonly queue: string;
  readonly flavor: string;
  readonly gpus: number;
}

export interface KueueExport {
  /** Cohorts, ResourceFlavors, ClusterQueues, LocalQueues, each by name. */
  readonly objects: readonly KubeObject[];
  readonly renames: readonly Rename[];
  /** Every positive nominal quota, by queue then flavor. */
  readonly quotas: readonly Quota[];
}

/** A cohort: a site, or the pools of a provider that have no site. */
interface Place {
  readonly key: string;
  readonly name: string;
  readonly provider: string;
  readonly site?: string;
}

/** Who a ClusterQueue is for: a class, or one workload (`--per-workload`). */
interface Group {
  readonly key: string;
  readonly name: string;
  readonly className: string;
  readonly workload?: string;
  /** The group's workloads that need capacity this month. */
  readonly active: readonly Workload[];
}

interface BindingTerm {
  readonly clause: string;
  readonly term: Term;
}

/**
 * The Kueue objects of one month of a plan. The plan must have been checked against the
 * scenario (`checkPlanForScenario`) and the month must lie in the horizon; what can still go
 * wrong is a queue over Kueue's 64 flavors or two ids that map to one name.
 *
 * @example
 * const made = kueueManifests(scenario, plan, compileRules(scenario), {
 *   month: parsePeriod('2027-06')!, apiVersion: 'v1beta2', perWorkload: false,
 *   namespaces: new Map(), planId: 'sha256:…', scenarioHash: 'sha256:…',
 * });
 */
export function kueueManifests(
  scenario: Scenario,
  plan: PlanPlacements,
  rules: Rules,
  options: KueueOptions,
): { ok: true; result: KueueExport } | { ok: false; problems: Problem[] } {
  const { month } = options;
  const apiVersion = `${KUEUE_GROUP}/${options.apiVersion}`;
  const pools = new Map(scenario.pools.map((p) => [p.id, p]));
  const workloads = new Map(scenario.workloads.map((w) => [w.id, w]));
  const binding = bindingTerms(scenario, month);
  const renames = new Map<string, Rename>();
  const nameOf = (what: Rename['what'], id: string): string => {
    const name = kubeName(id);
    if (name !== id) renames.set(`${what}\u0000${id}`, { what, id, name });
    return name;
  };

  // GPUs per group and pool this month.
  const quota = new Map<string, Map<string, number>>();
  const groups = new Map<string, Group>();
  for (const row of plan.assignments) {
    if (row.period !== month) continue;
    const workload = workloads.get(row.workload);
    if (!workload || !pools.has(row.pool)) continue;
    const key = options.perWorkload ? workload.id : workload.class;
    if (!groups.has(key)) {
      groups.set(key, {
        key,
        name: options.perWorkload ? nameOf('workload', workload.id) : nameOf('class', key),
        className: workload.class,
        ...(options.perWorkload ? { workload: workload.id } : {}),
        active: options.perWorkload
          ? [workload]
          : scenario.workloads.filter((w) => w.class === key && contains(w.window, month)),
      });
    }
    const byPool = quota.get(key) ?? new Map<string, number>();
    byPool.set(row.pool, (byPool.get(row.pool) ?? 0) + row.gpus);
    quota.set(key, byPool);
  }
  const activePools = [...new Set([...quota.values()].flatMap((m) => [...m.keys()]))]
    .map((id) => pools.get(id))
    .filter((p): p is Pool => p !== undefined)
    .sort((a, b) => compareText(a.id, b.id));

  const places = new Map<string, Place>();
  const placeOf = (pool: Pool): Place => {
    const key = pool.site ?? `provider\u0000${pool.provider}`;
    let place = places.get(key);
    if (!place) {
      place =
        pool.site === undefined
          ? {
              key,
              name: joinNames('provider', nameOf('provider', pool.provider)),
              provider: pool.provider,
            }
          : { key, name: nameOf('site', pool.site), provider: pool.provider, site: pool.site };
      places.set(key, place);
    }
    return place;
  };
  const poolsAt = new Map<string, Pool[]>();
  for (const pool of activePools) {
    const place = placeOf(pool);
    poolsAt.set(place.key, [...(poolsAt.get(place.key) ?? []), pool]);
  }

  const fences = (pool: Pool) =>
    binding
      .filter(({ term }) => term.type === 'use-restriction' && matchesSelector(term.pools, pool))
      .map((b) => b.clause);
  const rofrs = (pool: Pool) =>
    binding
      .filter(
        ({ term }) =>
          term.type === 'rofr' &&
          pool.origin === 'new' &&
          pool.provider !== term.holder &&
          matchesSelector(term.pools, pool),
      )
      .map((b) => b.clause);
  const exclusivities = (className: string) =>
    binding
      .filter(({ term }) => term.type === 'exclusivity' && term.classes.includes(className))
      .map((b) => b.clause);

  const common = {
    [ANNOTATION.plan]: options.planId,
    [ANNOTATION.scenario]: scenario.name,
    [ANNOTATION.scenarioHash]: options.scenarioHash,
    [ANNOTATION.month]: formatPeriod(month),
  };
  const problems: Problem[] = [];
  const cohorts: KubeObject[] = [];
  const flavors: KubeObject[] = [];
  const clusterQueues: KubeObject[] = [];
  const localQueues: KubeObject[] = [];
  const quotas: Quota[] = [];

  // A cohort exists once a ClusterQueue names it; the object only carries the site's
  // annotations. Kueue releases that serve only v1beta1 ClusterQueues served Cohort as
  // v1alpha1, or not at all, so a v1beta1 export leaves it out.
  const namedCohorts = options.apiVersion === 'v1beta1' ? [] : [...places.values()];
  for (const place of namedCohorts.sort((a, b) => compareText(a.name, b.name))) {
    cohorts.push({
      apiVersion,
      kind: 'Cohort',
      metadata: {
        name: place.name,
        labels: { ...MANAGED_BY },
        annotations: sortKeys({
          ...common,
          [ANNOTATION.provider]: place.provider,
          ...(place.site === undefined ? {} : { [ANNOTATION.site]: place.site }),
        }),
      },
      spec: {},
    });
  }

  for (const pool of activePools) {
    const name = nameOf('pool', pool.id);
    const product = GPU_PRODUCT_LABELS[pool.accelerator];
    flavors.push({
      apiVersion,
      kind: 'ResourceFlavor',
      metadata: {
        name,
        labels: { ...MANAGED_BY },
        annotations: sortKeys({
          ...common,
          [ANNOTATION.pool]: pool.id,
          [ANNOTATION.provider]: pool.provider,
          ...(pool.site === undefined ? {} : { [ANNOTATION.site]: pool.site }),
          [ANNOTATION.accelerator]: pool.accelerator,
          ...clauseAnnotation([...fences(pool), ...rofrs(pool)]),
        }),
      },
      spec: {
        nodeLabels: sortKeys({
          [POOL_LABEL]: name,
          ...(product === undefined ? {} : { [GPU_PRODUCT_LABEL]: product }),
        }),
      },
    });
  }

  for (const group of [...groups.values()].sort((a, b) => compareText(a.name, b.name))) {
    const byPool = quota.get(group.key) ?? new Map<string, number>();
    const namespace = options.namespaces.get(group.className) ?? nameOf('class', group.className);
    const groupPlaces = [
      ...new Set(
        [...byPool.keys()].flatMap((id) => {
          const pool = pools.get(id);
          return pool ? [placeOf(pool)] : [];
        }),
      ),
    ];
    for (const place of groupPlaces.sort((a, b) => compareText(a.name, b.name))) {
      const queue = joinNames(group.name, place.name);
      const atPlace = poolsAt.get(place.key) ?? [];
      const given = atPlace.filter((p) => (byPool.get(p.id) ?? 0) > 0).sort(byPreference);
      // Idle capacity the contract lets the group use, to borrow in the cohort; not on fenced
      // pools, where nothing is lent.
      const borrowable = atPlace
        .filter(
          (p) =>
            (byPool.get(p.id) ?? 0) === 0 &&
            fences(p).length === 0 &&
            group.active.some((w) => rules.decide(w, p, month).allowed),
        )
        .sort(byPreference);
      if (given.length > MAX_FLAVORS) {
        problems.push({
          path: ['month'],
          message: `ClusterQueue ${queue} would have quota on ${given.length} pools in ${formatPeriod(month)}; Kueue allows ${MAX_FLAVORS} flavors per resource group (try --per-workload)`,
        });
        continue;
      }
      const listed = [...given, ...borrowable.slice(0, MAX_FLAVORS - given.length)];
      const clauses = new Set(exclusivities(group.className));
      const flavorList = listed.map((pool) => {
        const gpus = byPool.get(pool.id) ?? 0;
        const fenced = fences(pool);
        for (const clause of fenced) clauses.add(clause);
        if (gpus > 0) quotas.push({ queue, flavor: nameOf('pool', pool.id), gpus });
        return {
          name: nameOf('pool', pool.id),
          resources: [
            {
              name: GPU_RESOURCE,
              nominalQuota: gpus,
              ...(fenced.length > 0 ? { borrowingLimit: 0, lendingLimit: 0 } : {}),
            },
          ],
        };
      });
      const annotations = sortKeys({
        ...common,
        [ANNOTATION.class]: group.className,
        ...(group.workload === undefined ? {} : { [ANNOTATION.workload]: group.workload }),
        [ANNOTATION.provider]: place.provider,
        ...(place.site === undefined ? {} : { [ANNOTATION.site]: place.site }),
        ...clauseAnnotation([...clauses]),
      });
      clusterQueues.push({
        apiVersion,
        kind: 'ClusterQueue',
        metadata: { name: queue, labels: { ...MANAGED_BY }, annotations },
        spec: {
          [options.apiVersion === 'v1beta1' ? 'cohort' : 'cohortName']: place.name,
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          resourceGroups: [{ coveredResources: [GPU_RESOURCE], flavors: flavorList }],
        },
      });
      localQueues.push({
        apiVersion,
        kind: 'LocalQueue',
        metadata: { name: queue, namespace, labels: { ...MANAGED_BY }, annotations },
        spec: { clusterQueue: queue },
      });
    }
  }

  const objects = [
    ...cohorts,
    ...flavors,
    ...clusterQueues.sort((a, b) => compareText(a.metadata.name, b.metadata.name)),
    ...localQueues.sort(
      (a, b) =>
        compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
        compareText(a.metadata.name, b.metadata.name),
    ),
  ];
  problems.push(...collisions(objects));
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    result: {
      objects,
      renames: [...renames.values()].sort(
        (a, b) => compareText(a.what, b.what) || compareText(a.id, b.id),
      ),
      quotas: quotas.sort(
        (a, b) => compareText(a.queue, b.queue) || compareText(a.flavor, b.flavor),
      ),
    },
  };
}

/** Terms that bind in the month: their contract is in effect then (clipped to the horizon). */
function bindingTerms(scenario: Scenario, month: Period): BindingTerm[] {
  const terms: BindingTerm[] = [];
  for (const contract of scenario.contracts) {
    const during = intersect(contract.effective, scenario.horizon);
    if (!during || !contains(during, month)) continue;
    for (const term of contract.terms) terms.push({ clause: `${contract.id}/${term.id}`, term });
  }
  return terms;
}

/** The plan's preference among pools: the cheapest first, as the planner fills them. */
function byPreference(a: Pool, b: Pool): number {
  return a.pricePerGpuHour < b.pricePerGpuHour
    ? -1
    : a.pricePerGpuHour > b.pricePerGpuHour
      ? 1
      : compareText(a.id, b.id);
}

function clauseAnnotation(clauses: readonly string[]): Record<string, string> {
  const unique = [...new Set(clauses)].sort(compareText);
  return unique.length === 0 ? {} : { [ANNOTATION.clause]: unique.join(',') };
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

/** Two objects of one kind (and namespace) with one name: two ids that map to one name. */
function collisions(objects: readonly KubeObject[]): Problem[] {
  const seen = new Map<string, KubeObject>();
  const problems: Problem[] = [];
  for (const object of objects) {
    const key = `${object.kind}\u0000${object.metadata.namespace ?? ''}\u0000${object.metadata.name}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push({
        path: ['scenario'],
        message: `two ${object.kind}s would be named ${object.metadata.name} (${describe(earlier)} and ${describe(object)}); rename one of the ids`,
      });
    }
    seen.set(key, object);
  }
  return problems;
}

function describe(object: KubeObject): string {
  const a = object.metadata.annotations;
  return (
    a[ANNOTATION.pool] ??
    a[ANNOTATION.workload] ??
    [a[ANNOTATION.class], a[ANNOTATION.site] ?? a[ANNOTATION.provider]]
      .filter((x) => x !== undefined)
      .join(' at ')
  );
}
