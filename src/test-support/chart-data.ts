import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ledgerToJson } from '../core/ledger/ledger-json.js';
import { forecastToJson } from '../core/forecast/forecast-json.js';
import type { ForecastJson, LedgerJson, PlanJson } from '../charts/types.js';
import { forecastCapacity } from '../core/forecast/forecast.js';
import { buildLedger } from '../core/ledger/build.js';
import { summarizeLedger } from '../core/ledger/report.js';
import type { Scenario } from '../core/model.js';
import { seededRandom } from '../core/random.js';
import { loadScenarioFile } from '../scenario/load.js';
import { loadPlanFile } from '../scenario/plan-file.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));
const GOLDEN_PLAN = fileURLToPath(
  new URL('../../examples/stargate-2025.plan.json', import.meta.url),
);

/** The example's documents as the API serves them, for the chart tests. */
export interface ExampleCharts {
  readonly scenario: Scenario;
  /** 200 runs, seed 1. */
  readonly forecast: ForecastJson;
  /** The forecast with no runs: the schedule only. */
  readonly scheduled: ForecastJson;
  /** The golden plan (examples/stargate-2025.plan.json). */
  readonly plan: PlanJson;
  /** The books of the golden plan, by year. */
  readonly ledger: LedgerJson;
  readonly names: Readonly<Record<string, string>>;
  readonly providers: readonly string[];
}

/** Builds the example's forecast, plan and ledger documents, as the CLI and the API do. */
export async function exampleCharts(): Promise<ExampleCharts> {
  const scenario = await loadScenarioFile(EXAMPLE);
  const forecast = forecastToJson(
    forecastCapacity(scenario, { runs: 200, random: seededRandom(1) }),
    1,
  );
  const scheduled = forecastToJson(
    forecastCapacity(scenario, { runs: 0, random: seededRandom(1) }),
    1,
  );
  const plan = JSON.parse(await readFile(GOLDEN_PLAN, 'utf8')) as PlanJson;
  const books = buildLedger(scenario, await loadPlanFile(GOLDEN_PLAN, scenario));
  const ledger = ledgerToJson(summarizeLedger(books, 'year'), books, {
    source: 'file',
    file: GOLDEN_PLAN,
  });
  return {
    scenario,
    forecast,
    scheduled,
    plan,
    ledger,
    names: Object.fromEntries(scenario.providers.map((p) => [p.id, p.name])),
    providers: scenario.providers.map((p) => p.id),
  };
}

/** The series of an option, loosely typed for assertions. */
export interface SeriesLike {
  readonly type: string;
  readonly name?: string;
  readonly data?: unknown[];
  readonly stack?: string;
  readonly lineStyle?: { readonly type?: string; readonly color?: string };
  readonly itemStyle?: { readonly color?: string };
  readonly [key: string]: unknown;
}

export function seriesOf(option: Record<string, unknown>): SeriesLike[] {
  return option.series as SeriesLike[];
}

/** The names a legend lists, whether given as text or as `{ name }` items. */
export function legendNames(option: Record<string, unknown>): string[] {
  const legend = option.legend as { data: (string | { name: string })[] };
  return legend.data.map((item) => (typeof item === 'string' ? item : item.name));
}
