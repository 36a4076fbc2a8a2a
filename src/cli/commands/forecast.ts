import { forecastCapacity } from '../../core/forecast/forecast.js';
import { listWords } from '../../core/contracts.js';
import { seededRandom } from '../../core/random.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { fraction, oneOf, parseCommandArgs, wholeNumber } from '../args.js';
import { UsageError } from '../errors.js';
import { checkChartTarget, writeChartFiles } from '../chart-output.js';
import type { Io } from '../io.js';
import { forecastToCsv, forecastToJson } from '../../core/forecast/forecast-json.js';
import { formatForecastText } from '../report/forecast-text.js';
import { forecastUsage } from '../usage.js';

/** Runs above this would take long and say nothing more: percentiles settle well before. */
const MAX_RUNS = 1_000_000;

/**
 * `stargate forecast FILE`: GPUs and MW online by provider per quarter to the horizon's end,
 * each provider's share, and a seeded Monte Carlo of construction slips (p10/p50/p90 of GPUs
 * online and of the focus provider's share); `--chart OUT.svg` writes SVG charts (fans of GPUs
 * and share by provider, MW as scheduled) beside it.
 */
export async function forecastCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'forecast',
    argv,
    {
      runs: { type: 'string' },
      seed: { type: 'string' },
      provider: { type: 'string' },
      correlation: { type: 'string' },
      format: { type: 'string' },
      chart: { type: 'string' },
    },
    { min: 1, max: 1, usage: forecastUsage },
  );
  const format = oneOf('format', values.format, ['table', 'json', 'csv'] as const, 'table');
  const runs = wholeNumber('runs', values.runs, 1000, 0, MAX_RUNS);
  const seed = wholeNumber('seed', values.seed, 1, 0, 2 ** 32 - 1);
  const correlation = fraction('correlation', values.correlation, undefined);
  const file = positionals[0] ?? '';
  const chart = typeof values.chart === 'string' ? values.chart : undefined;
  if (chart !== undefined) await checkChartTarget(chart);
  const scenario = await loadScenarioFile(file);
  const provider = typeof values.provider === 'string' ? values.provider : undefined;
  if (provider !== undefined && !scenario.providers.some((p) => p.id === provider)) {
    throw new UsageError(
      `--provider: unknown provider ${provider}; the scenario has ${listWords(scenario.providers.map((p) => p.id))}`,
    );
  }

  const forecast = forecastCapacity(scenario, {
    runs,
    random: seededRandom(seed),
    ...(provider === undefined ? {} : { focus: provider }),
    ...(correlation === undefined ? {} : { correlation }),
  });
  const names = new Map(scenario.providers.map((p) => [p.id, p.name]));

  if (chart !== undefined) {
    const command = ['stargate forecast', file, '--runs', String(runs), '--seed', String(seed)];
    if (provider !== undefined) command.push('--provider', provider);
    if (correlation !== undefined) command.push('--correlation', String(correlation));
    const lab = scenario.parties.find((p) => p.roles.includes('lab'))?.name;
    // Loaded only here: ECharts is not needed for the text, JSON and CSV reports.
    const { forecastChartFiles } = await import('../report/chart-files.js');
    const files = forecastChartFiles(forecastToJson(forecast, seed), {
      names: Object.fromEntries(names),
      providers: scenario.providers.map((p) => p.id),
      command: command.join(' '),
      ...(lab === undefined ? {} : { lab }),
    });
    await writeChartFiles(chart, files, io);
  }

  if (format === 'json') io.out(`${JSON.stringify(forecastToJson(forecast, seed), null, 2)}\n`);
  else if (format === 'csv') io.out(forecastToCsv(forecast));
  else io.out(formatForecastText(forecast, { seed, names }));
  return 0;
}
