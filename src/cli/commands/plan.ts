import { planToJson } from '../../core/planner/plan-json.js';
import { loadScenarioFileWithHash } from '../../scenario/load.js';
import { oneOf, parseCommandArgs, positiveNumber } from '../args.js';
import { formatPlanCsv } from '../format/plan-csv.js';
import { formatPlanText } from '../format/plan-text.js';
import { checkChartTarget, writeChartFiles } from '../chart-output.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { planUsage } from '../usage.js';

/**
 * `stargate plan FILE`: the plan, as a summary, the spec's JSON, or CSV; `--chart OUT.svg`
 * draws GPUs placed by provider and quarter against capacity.
 */
export async function planCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'plan',
    argv,
    {
      format: { type: 'string' },
      solver: { type: 'string' },
      'time-limit': { type: 'string' },
      chart: { type: 'string' },
    },
    { min: 1, max: 1, usage: planUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json', 'csv'] as const, 'text');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const chart = typeof values.chart === 'string' ? values.chart : undefined;
  if (chart !== undefined) await checkChartTarget(chart);
  const { scenario, hash } = await loadScenarioFileWithHash(positionals[0] ?? '');
  const plan = await planScenario(scenario, io, {
    purpose: 'plan',
    planner,
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
  });
  if (chart !== undefined) {
    // Loaded only here: ECharts is not needed for the text, JSON and CSV reports.
    const { planChartFiles } = await import('../report/chart-files.js');
    const files = planChartFiles(planToJson(plan), {
      names: Object.fromEntries(scenario.providers.map((p) => [p.id, p.name])),
      providers: scenario.providers.map((p) => p.id),
    });
    await writeChartFiles(chart, files, io);
  }
  if (format === 'json') {
    // Two writes: appending the newline would copy a large plan's document once more.
    io.out(JSON.stringify(planToJson(plan, { scenarioHash: hash }), null, 2));
    io.out('\n');
  } else if (format === 'csv') io.out(formatPlanCsv(plan, scenario));
  else io.out(formatPlanText(plan, scenario));
  return 0;
}
