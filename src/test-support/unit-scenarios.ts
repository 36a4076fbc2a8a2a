import type { Pool, Scenario, Workload } from '../core/model.js';
import type { Period } from '../core/period.js';
import { parsePeriod } from '../core/period.js';
import { parseScenario } from '../scenario/parse.js';
import type { Problem } from '../scenario/problems.js';
import { formatProblem } from '../scenario/problems.js';

/**
 * Helpers for unit tests that write scenarios the way a user does: as YAML text, read through
 * the same parser as the CLI.
 */

/** Removes the common leading indentation, so YAML can be written indented inside a test. */
export function dedent(text: string): string {
  const lines = text
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n')
    .split('\n');
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}

/** Parses a scenario that must be valid; fails with every problem listed when it is not. */
export function parseValid(text: string): Scenario {
  const result = parseScenario(text);
  if (!result.ok) {
    throw new Error(
      `expected a valid scenario, got:\n${result.problems.map(formatProblem).join('\n')}`,
    );
  }
  return result.scenario;
}

/** Parses a scenario that must be invalid; returns its problems. */
export function parseInvalid(text: string): readonly Problem[] {
  const result = parseScenario(text);
  if (result.ok) throw new Error('expected problems, but the scenario is valid');
  return result.problems;
}

/** A period from `YYYY-MM`; throws on anything else. */
export function month(text: string): Period {
  const period = parsePeriod(text);
  if (period === undefined) throw new Error(`not a period: ${text}`);
  return period;
}

/** The pool with this id; throws when there is none. */
export function poolOf(scenario: Scenario, id: string): Pool {
  const pool = scenario.pools.find((p) => p.id === id);
  if (!pool) throw new Error(`no pool ${id}`);
  return pool;
}

/** The workload with this id; throws when there is none. */
export function workloadOf(scenario: Scenario, id: string): Workload {
  const workload = scenario.workloads.find((w) => w.id === id);
  if (!workload) throw new Error(`no workload ${id}`);
  return workload;
}

/**
 * One quarter, one workload, two pools: Azure sells 100 GPUs at $3; Stargate's b1 (100 GPUs at
 * $1) comes online in March; api needs 150 GPUs worth $5 an hour all quarter, so every pool is
 * full every month it exists. Small enough to price capacity, building moves and what-ifs by
 * hand (value, what-if tests).
 */
export function quarterScenario(name: string): string {
  return dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: ${name} }
  horizon: { start: 2026-01, end: 2026-03 }
  accelerators:
    - { id: gb200, kwPerGpu: 1.0 }
  providers:
    - { id: azure, name: Azure, kind: hyperscaler }
    - { id: stargate, name: Stargate, kind: owned }
  sites:
    - { id: abilene, provider: stargate }
  pools:
    - { id: az, provider: azure, accelerator: gb200, gpus: 100, window: { from: 2026-01, to: 2026-03 }, pricePerGpuHour: "3.00" }
  buildings:
    - { id: b1, site: abilene, itMW: 0.1, gpus: 100, accelerator: gb200, online: 2026-03, pricePerGpuHour: "1.00", rofr: cleared }
  workloads:
    - { id: api, class: api, accelerators: [gb200], gpus: 150, window: { from: 2026-01, to: 2026-03 }, valuePerGpuHour: "5" }
`);
}
