import { comparePlans } from '../../core/diff/compare-plans.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { oneOf, parseCommandArgs, positiveNumber } from '../args.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { diffToJson, formatDiffText } from '../report/diff-text.js';
import { diffUsage } from '../usage.js';

/**
 * `stargate diff A B`: plans two scenarios and shows them side by side — cost, unmet demand,
 * each provider's share of the GPU-hours placed, and the status of every commitment.
 */
export async function diffCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'diff',
    argv,
    { format: { type: 'string' }, solver: { type: 'string' }, 'time-limit': { type: 'string' } },
    { min: 2, max: 2, usage: diffUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const [fileA = '', fileB = ''] = positionals;
  // Both files are read before either is planned, so that a broken second file fails fast.
  const [scenarioA, scenarioB] = await Promise.all([
    loadScenarioFile(fileA),
    loadScenarioFile(fileB),
  ]);
  const options = { planner, ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }) };
  const planA = await planScenario(scenarioA, io, options);
  const planB = await planScenario(scenarioB, io, options);
  const comparison = comparePlans(planA, planB);
  const sides = {
    a: { file: fileA, plan: `${planA.solver.method}, ${planA.solver.status}` },
    b: { file: fileB, plan: `${planB.solver.method}, ${planB.solver.status}` },
  };
  if (format === 'json') io.out(`${JSON.stringify(diffToJson(comparison, sides), null, 2)}\n`);
  else io.out(formatDiffText(comparison, sides));
  return 0;
}
