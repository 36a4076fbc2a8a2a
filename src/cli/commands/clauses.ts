import { availableParallelism } from 'node:os';
import { clausePricesToJson } from '../../core/decisions/clause-prices-json.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { createPlanPool } from '../../solver/plan-pool.js';
import { priceScenarioClauses } from '../../solver/price-clauses.js';
import { oneOf, parseCommandArgs, positiveNumber, wholeNumber } from '../args.js';
import type { Io } from '../io.js';
import { formatClausesCsv, formatClausesText } from '../report/clauses-text.js';
import { clausesUsage } from '../usage.js';

/**
 * `stargate clauses FILE`: what each term that shapes placement costs, alone and in pairs —
 * the base plan less the plan with the term relaxed, with an interval from both plans' proven
 * bounds. The re-solves run in parallel on worker threads.
 */
export async function clausesCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'clauses',
    argv,
    {
      format: { type: 'string' },
      solver: { type: 'string' },
      'time-limit': { type: 'string' },
      pairs: { type: 'string' },
      threads: { type: 'string' },
    },
    { min: 1, max: 1, usage: clausesUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json', 'csv'] as const, 'text');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const pairs = oneOf('pairs', values.pairs, ['all', 'none'] as const, 'all');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const threads = wholeNumber('threads', values.threads, availableParallelism(), 1, 64);
  const scenario = await loadScenarioFile(positionals[0] ?? '');
  const pool = createPlanPool({ threads });
  try {
    const prices = await priceScenarioClauses(scenario, pool, {
      planner,
      pairs: pairs === 'all',
      ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
    });
    if (format === 'json') io.out(`${JSON.stringify(clausePricesToJson(prices), null, 2)}\n`);
    else if (format === 'csv') io.out(formatClausesCsv(prices));
    else io.out(formatClausesText(prices));
  } finally {
    await pool.close();
  }
  return 0;
}
