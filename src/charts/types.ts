/**
 * The inputs of the charts: the JSON documents the API serves and the CLI prints, taken as
 * types only, so the browser bundle carries none of the code that makes them.
 */
import type { forecastToJson } from '../core/forecast/forecast-json.js';
import type { ledgerToJson } from '../core/ledger/ledger-json.js';
import type { PlanJson } from '../core/planner/plan-json.js';
import type { ChartTheme } from './theme.js';

export type { PlanJson };
export type { EChartsCoreOption } from './echarts.js';
export type { ChartTheme } from './theme.js';

/** `GET /v1/forecast` and `stargate forecast --format json`. */
export type ForecastJson = ReturnType<typeof forecastToJson>;

/**
 * `GET /v1/ledger` and `stargate ledger --format json`, with or without the journal: the
 * charts read the report only, so the dashboard may ask for the books without their
 * transactions (`?journal=false`, a twentieth of the body).
 */
export type LedgerJson = Omit<ReturnType<typeof ledgerToJson>, 'transactions'>;

/** What the cost-by-component chart reads of a plan: the plan itself or its summary. */
export interface PlanCosts {
  readonly objective: PlanJson['objective'];
  /** Compute cost per provider in any slices (months of the plan, quarters of its summary). */
  readonly byProvider: readonly { readonly provider: string; readonly computeUSD: number }[];
}

/** What every chart takes besides its data. */
export interface ChartOptions {
  readonly theme: ChartTheme;
  /**
   * A title drawn in the chart. The dashboard leaves it off (its panels have headings); the
   * CLI passes one, since an SVG on a slide has nothing else to say what it shows.
   */
  readonly title?: string;
  /** A line under the title saying how the data was made (e.g. the runs and seed). */
  readonly subtitle?: string;
  /**
   * Display names by id (providers, parties). The forecast and plan documents carry ids only;
   * an id without a name is shown as it is.
   */
  readonly names?: Readonly<Record<string, string>>;
  /**
   * Every provider id of the scenario. Colours go by rank in this list, so a provider keeps
   * its colour on a chart that shows only some providers; default: the chart's own providers.
   */
  readonly providers?: readonly string[];
}
