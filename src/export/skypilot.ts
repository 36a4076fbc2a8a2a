import type { Rules } from '../core/contracts.js';
import { listWords } from '../core/contracts.js';
import type { Pool, Scenario } from '../core/model.js';
import { compareText } from '../core/order.js';
import { intersect } from '../core/period.js';
import type { PlanPlacements } from '../scenario/plan-placements.js';
import type { Problem } from '../scenario/problems.js';
import {
  DEFAULT_GPUS_PER_NODE,
  GPUS_PER_NODE,
  INFRA_PATTERN,
  SKYPILOT_ACCELERATORS,
  SKYPILOT_CLOUDS,
  infraCovers,
} from './skypilot-infra.js';

/**
 * One workload of a plan as a SkyPilot task: `resources.ordered` lists the places the plan
 * gives the workload, most GPU-months first, so SkyPilot's failover tries them in the plan's
 * order and no other. A place is an `infra` (a cloud, a region, a Kubernetes context) and an
 * accelerator; a place whose `infra` would also reach a pool the contract forbids the workload
 * is left out, as is a provider SkyPilot cannot be pointed at, each with a note.
 */

export interface SkyResources {
  readonly infra: string;
  readonly accelerators: string;
}

export interface SkyTask {
  readonly name: string;
  readonly resources: { readonly ordered: readonly SkyResources[] };
}

/** A place in the task, with what the plan puts there (for the YAML's comments). */
export interface SkyPlace extends SkyResources {
  readonly gpuMonths: number;
  readonly pools: readonly string[];
}

export interface SkypilotOptions {
  /** `infra` per site or provider id (a site's wins), e.g. `abilene` → `k8s/abilene`. */
  readonly infra: ReadonlyMap<string, string>;
  /** GPUs per node for `NAME:COUNT`; default by accelerator (`GPUS_PER_NODE`). */
  readonly gpusPerNode?: number;
}

export interface SkypilotExport {
  readonly task: SkyTask;
  readonly places: readonly SkyPlace[];
  /** What was left out, and why, for stderr. */
  readonly notes: readonly string[];
}

/**
 * The `infra` a user typed, checked and with its cloud (or `k8s`) in lower case as SkyPilot's
 * schema wants it; undefined when SkyPilot would not accept it or it holds a wildcard.
 *
 * @example normalizeInfra('K8S/abilene') // 'k8s/abilene'
 */
export function normalizeInfra(text: string): string | undefined {
  if (!INFRA_PATTERN.test(text) || text.includes('*')) return undefined;
  const slash = text.indexOf('/');
  return slash < 0
    ? text.toLowerCase()
    : `${text.slice(0, slash).toLowerCase()}${text.slice(slash)}`;
}

/**
 * The task for one workload. The plan must have been checked against the scenario.
 *
 * @example skypilotTask(scenario, plan, rules, 'api-2027', { infra: new Map() }) // { ok: true, result: { task: { name: 'api-2027', resources: { ordered: [{ infra: 'azure', accelerators: 'GB300:4' }, …] } } } }
 */
export function skypilotTask(
  scenario: Scenario,
  plan: PlanPlacements,
  rules: Rules,
  workloadId: string,
  options: SkypilotOptions,
): { ok: true; result: SkypilotExport } | { ok: false; problems: Problem[] } {
  const workload = scenario.workloads.find((w) => w.id === workloadId);
  if (!workload) {
    const ids = scenario.workloads.map((w) => w.id).sort(compareText);
    const shown = ids.length > 12 ? [...ids.slice(0, 12), `${ids.length - 12} more`] : ids;
    return {
      ok: false,
      problems: [
        {
          path: ['workload'],
          message: `unknown workload ${workloadId}; the scenario has ${listWords(shown)}`,
        },
      ],
    };
  }
  const pools = new Map(scenario.pools.map((p) => [p.id, p]));
  const infraOf = (pool: Pool): string | undefined =>
    (pool.site === undefined ? undefined : options.infra.get(pool.site)) ??
    options.infra.get(pool.provider) ??
    (SKYPILOT_CLOUDS.includes(pool.provider) ? pool.provider : undefined);

  const gpuMonths = new Map<string, number>();
  for (const row of plan.assignments) {
    if (row.workload === workload.id)
      gpuMonths.set(row.pool, (gpuMonths.get(row.pool) ?? 0) + row.gpus);
  }
  if (gpuMonths.size === 0) {
    return {
      ok: false,
      problems: [
        {
          path: ['workload'],
          message: `the plan places none of ${workload.id}'s demand: nothing to run (see the plan's unmet reasons)`,
        },
      ],
    };
  }

  const notes = new Set<string>();
  const unmapped = new Map<string, Set<string>>();
  const places = new Map<
    string,
    { infra: string; accelerator: string; gpuMonths: number; pools: string[]; price: bigint }
  >();
  for (const [poolId, months] of gpuMonths) {
    const pool = pools.get(poolId);
    if (!pool) continue;
    const infra = infraOf(pool);
    if (infra === undefined) {
      const where = unmapped.get(pool.provider) ?? new Set<string>();
      where.add(pool.site ?? pool.id);
      unmapped.set(pool.provider, where);
      continue;
    }
    const key = `${infra}\u0000${pool.accelerator}`;
    const place = places.get(key) ?? {
      infra,
      accelerator: pool.accelerator,
      gpuMonths: 0,
      pools: [],
      price: pool.pricePerGpuHour,
    };
    place.gpuMonths += months;
    place.pools.push(pool.id);
    if (pool.pricePerGpuHour < place.price) place.price = pool.pricePerGpuHour;
    places.set(key, place);
  }
  for (const [provider, where] of [...unmapped].sort(([a], [b]) => compareText(a, b))) {
    const sites = [...where].sort(compareText);
    notes.add(
      `provider ${provider} (${listWords(sites)}) has no SkyPilot mapping; left out (give --infra ${sites[0] ?? provider}=k8s/CONTEXT, or --infra ${provider}=CLOUD)`,
    );
  }

  // The workload's window in the horizon: a pool the contract closes to it in any of these
  // months is a place SkyPilot must not reach.
  const window = intersect(workload.window, scenario.horizon);
  const forbidden = scenario.pools.flatMap((pool) => {
    const infra = infraOf(pool);
    if (infra === undefined || !window) return [];
    const denial = rules
      .termDenials(workload, pool)
      .find((d) => intersect(d.during, window) !== undefined);
    return denial ? [{ pool, infra, rule: denial.rule }] : [];
  });

  const ordered: SkyPlace[] = [];
  const sorted = [...places.values()].sort(
    (a, b) =>
      b.gpuMonths - a.gpuMonths ||
      (a.price < b.price ? -1 : a.price > b.price ? 1 : 0) ||
      compareText(a.infra, b.infra) ||
      compareText(a.accelerator, b.accelerator),
  );
  for (const place of sorted) {
    const name = SKYPILOT_ACCELERATORS[place.accelerator] ?? place.accelerator.toUpperCase();
    const count = options.gpusPerNode ?? GPUS_PER_NODE[place.accelerator] ?? DEFAULT_GPUS_PER_NODE;
    const clash = forbidden.find(
      // Either way round: a forbidden pool known only as "somewhere in azure" may be in the
      // narrower place too.
      (f) =>
        f.pool.accelerator === place.accelerator &&
        (infraCovers(place.infra, f.infra) || infraCovers(f.infra, place.infra)),
    );
    if (clash) {
      notes.add(
        `${place.infra} (${name}) left out: it would also reach pool ${clash.pool.id}, where ${clash.rule}; map sites to narrower infra with --infra SITE=INFRA`,
      );
      continue;
    }
    if (SKYPILOT_ACCELERATORS[place.accelerator] === undefined) {
      notes.add(`accelerator ${place.accelerator} has no known SkyPilot name; written as ${name}`);
    }
    ordered.push({
      infra: place.infra,
      accelerators: `${name}:${count}`,
      gpuMonths: place.gpuMonths,
      pools: place.pools.sort(compareText),
    });
  }
  if (ordered.length === 0) {
    return {
      ok: false,
      problems: [
        {
          path: ['infra'],
          message: `no place the plan gives ${workload.id} can be given to SkyPilot: ${[...notes].join('; ')}`,
        },
      ],
    };
  }
  return {
    ok: true,
    result: {
      task: {
        name: workload.id,
        resources: { ordered: ordered.map(({ infra, accelerators }) => ({ infra, accelerators })) },
      },
      places: ordered,
      notes: [...notes],
    },
  };
}
