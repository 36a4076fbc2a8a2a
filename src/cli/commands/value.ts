import { availableParallelism } from 'node:os';
import type { Scenario } from '../../core/model.js';
import type { PlannerChoice } from '../../core/planner/planner.js';
import type { ValueReport } from '../../core/planner/value-json.js';
import { valueToJson } from '../../core/planner/value-json.js';
import { loadScenarioFile } from '../../scenario/load.js';
import type { PlanPool } from '../../solver/plan-pool.js';
import { createPlanPool } from '../../solver/plan-pool.js';
import { valueOfScenario } from '../../solver/value-of.js';
import { oneOf, parseCommandArgs, positiveNumber, wholeNumber } from '../args.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { formatValueText, valueToCsv } from '../report/value-text.js';
import { valueUsage } from '../usage.js';

/**
 * `stargate value FILE`: what capacity is worth — per pool and month, the marginal value of one
 * more GPU (the capacity row's dual in the LP with the plan's gang choices fixed), and per
 * building what coming online a month earlier saves and a month or a quarter late costs,
 * each re-planned to compare (exact up to 2,000 triples, `choosePlanner`).
 */
export async function valueCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'value',
    argv,
    {
      format: { type: 'string' },
      solver: { type: 'string' },
      'time-limit': { type: 'string' },
      top: { type: 'string' },
      threads: { type: 'string' },
    },
    { min: 1, max: 1, usage: valueUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json', 'csv'] as const, 'text');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const top = wholeNumber('top', values.top, 20, 1, 1_000_000);
  const threads = wholeNumber('threads', values.threads, availableParallelism(), 1, 64);
  const scenario = await loadScenarioFile(positionals[0] ?? '');
  const options = {
    planner,
    threads,
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
  };
  const report = await valueOf(scenario, io, options);
  if (format === 'json') io.out(`${JSON.stringify(valueToJson(report), null, 2)}\n`);
  else if (format === 'csv') io.out(valueToCsv(report));
  else io.out(formatValueText(report, top));
  return 0;
}

/**
 * Plans the scenario to compare (exact up to 2,000 triples), then prices capacity and every
 * building move (`valueOfScenario`), on a pool of `threads` worker threads made only if a move
 * needs one.
 */
async function valueOf(
  scenario: Scenario,
  io: Io,
  options: { planner: PlannerChoice; timeLimitSeconds?: number; threads: number },
): Promise<ValueReport> {
  const planning = {
    purpose: 'compare' as const,
    planner: options.planner,
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
  };
  const base = await planScenario(scenario, io, planning);
  let pool: PlanPool | undefined;
  try {
    return await valueOfScenario(
      scenario,
      base,
      () => (pool ??= createPlanPool({ threads: options.threads })),
      planning,
    );
  } finally {
    await pool?.close();
  }
}
