import { buildLedger } from '../../core/ledger/build.js';
import type { PlanMoney } from '../../core/ledger/plan-money.js';
import { planMoney } from '../../core/ledger/plan-money.js';
import { summarizeLedger } from '../../core/ledger/report.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { loadPlanFile } from '../../scenario/plan-file.js';
import { oneOf, parseCommandArgs, positiveNumber } from '../args.js';
import { checkChartTarget, writeChartFiles } from '../chart-output.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { ledgerToCsv, ledgerToJson } from '../../core/ledger/ledger-json.js';
import { formatLedgerText } from '../report/ledger-text.js';
import { ledgerUsage } from '../usage.js';

/**
 * `stargate ledger FILE`: the double-entry books of a scenario and its plan — capital called
 * against committed, flows between parties, take-or-pay burn-down, balances. Without
 * `--plan` it plans the scenario first, as `stargate plan` would. `--chart OUT.svg` draws the
 * capital called against committed (OUT.svg) and the flows between parties (OUT-flows.svg).
 */
export async function ledgerCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'ledger',
    argv,
    {
      plan: { type: 'string' },
      by: { type: 'string' },
      format: { type: 'string' },
      solver: { type: 'string' },
      'time-limit': { type: 'string' },
      chart: { type: 'string' },
    },
    { min: 1, max: 1, usage: ledgerUsage },
  );
  const by = oneOf('by', values.by, ['month', 'quarter', 'year'] as const, 'year');
  const format = oneOf('format', values.format, ['table', 'json', 'csv'] as const, 'table');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const chart = typeof values.chart === 'string' ? values.chart : undefined;
  if (chart !== undefined) await checkChartTarget(chart);
  const scenario = await loadScenarioFile(positionals[0] ?? '');

  let money: PlanMoney;
  let source: Record<string, string>;
  if (typeof values.plan === 'string') {
    money = await loadPlanFile(values.plan, scenario);
    source = { source: 'file', file: values.plan };
  } else {
    const plan = await planScenario(scenario, io, {
      purpose: 'plan',
      planner,
      ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
    });
    money = planMoney(plan);
    source = { source: 'planned', method: plan.solver.method, status: plan.solver.status };
  }

  const ledger = buildLedger(scenario, money);
  const report = summarizeLedger(ledger, by);
  if (chart !== undefined) {
    // Loaded only here: ECharts is not needed for the text, JSON and CSV reports.
    const { ledgerChartFiles } = await import('../report/chart-files.js');
    const files = ledgerChartFiles(ledgerToJson(report, ledger, source), {
      names: Object.fromEntries(scenario.providers.map((p) => [p.id, p.name])),
      providers: scenario.providers.map((p) => p.id),
    });
    await writeChartFiles(chart, files, io);
  }
  if (format === 'json') {
    io.out(`${JSON.stringify(ledgerToJson(report, ledger, source), null, 2)}\n`);
  } else if (format === 'csv') {
    io.out(ledgerToCsv(report, ledger));
  } else {
    const words =
      source.source === 'file'
        ? `from ${source.file ?? ''}`
        : `planned now (${source.method ?? ''}, ${source.status ?? ''})`;
    io.out(formatLedgerText(report, words));
  }
  return 0;
}
