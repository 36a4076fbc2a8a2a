import { planToJson } from '../../core/planner/plan-json.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { oneOf, parseCommandArgs, positiveNumber } from '../args.js';
import { formatPlanCsv } from '../format/plan-csv.js';
import { formatPlanText } from '../format/plan-text.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { planUsage } from '../usage.js';

/** `stargate plan FILE`: the plan, as a summary, the spec's JSON, or CSV. */
export async function planCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'plan',
    argv,
    { format: { type: 'string' }, solver: { type: 'string' }, 'time-limit': { type: 'string' } },
    { min: 1, max: 1, usage: planUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json', 'csv'] as const, 'text');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const scenario = await loadScenarioFile(positionals[0] ?? '');
  const plan = await planScenario(scenario, io, {
    planner,
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
  });
  if (format === 'json') {
    // Two writes: appending the newline would copy a large plan's document once more.
    io.out(JSON.stringify(planToJson(plan), null, 2));
    io.out('\n');
  } else if (format === 'csv') io.out(formatPlanCsv(plan, scenario));
  else io.out(formatPlanText(plan, scenario));
  return 0;
}
