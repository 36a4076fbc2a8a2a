import { capacityChart } from '../../charts/capacity.js';
import { fanChart } from '../../charts/fan.js';
import { capitalChart, flowsSankey } from '../../charts/ledger.js';
import { planCapacityChart } from '../../charts/plan.js';
import type { ForecastJson, LedgerJson, PlanJson } from '../../charts/types.js';
import { grouped } from '../../core/format.js';
import { renderSvg, svgTheme } from './chart-svg.js';

/**
 * The SVG files of the CLI's `--chart OUT.svg`, drawn from the dashboard's chart definitions
 * (src/charts) at a slide's size, 1280 × 720 (16:9), scaling to their container. One chart
 * per file, so that each fills a slide: `OUT.svg` holds the command's main chart and
 * `OUT-<name>.svg` beside it the others (`chartPath` in ../chart-output.ts).
 */
export interface ChartFile {
  /** Added to OUT's name before `.svg`; empty for OUT itself. */
  readonly suffix: string;
  /** What the file shows, for the line the command prints. */
  readonly what: string;
  readonly svg: string;
}

const SLIDE = { width: 1280, height: 720 } as const;

/** What every chart of a scenario needs: its providers' names and ids (for colours). */
export interface ChartNames {
  readonly names: Readonly<Record<string, string>>;
  readonly providers: readonly string[];
}

function years(labels: readonly string[]): string {
  const first = labels[0]?.slice(0, 4) ?? '';
  const last = labels[labels.length - 1]?.slice(0, 4) ?? '';
  return first === last ? first : `${first}–${last}`;
}

/**
 * `stargate forecast --chart`: GPUs online by provider as a fan (OUT.svg), each provider's
 * share of them as a fan (OUT-share.svg), and MW online by provider as scheduled
 * (OUT-mw.svg).
 */
export function forecastChartFiles(
  forecast: ForecastJson,
  context: ChartNames & { readonly command: string; readonly lab?: string },
): ChartFile[] {
  const span = years(forecast.quarters.map((q) => q.quarter));
  const sim = forecast.simulation;
  const whose = context.lab === undefined ? '' : `${context.lab}'s `;
  const how = sim
    ? `${grouped(sim.runs)} runs of construction slips, seed ${sim.seed}, slip correlation ${sim.correlation}`
    : 'as scheduled, no slips simulated';
  const subtitle = `Scenario ${forecast.scenario} · at each quarter's end · ${how} · ${context.command}`;
  const base = { theme: svgTheme, names: context.names, providers: context.providers, subtitle };
  return [
    {
      suffix: '',
      what: 'GPUs online by provider',
      svg: renderSvg(
        fanChart(forecast, {
          ...base,
          metric: 'gpus',
          title: `${whose}GPUs online by provider, ${span}`,
        }),
        SLIDE,
      ),
    },
    {
      suffix: 'share',
      what: 'share of GPUs online by provider',
      svg: renderSvg(
        fanChart(forecast, {
          ...base,
          metric: 'share',
          title: `Each provider's share of ${whose}GPUs online, ${span}`,
        }),
        SLIDE,
      ),
    },
    {
      suffix: 'mw',
      what: 'MW online by provider, as scheduled',
      svg: renderSvg(
        capacityChart(forecast, {
          ...base,
          subtitle: `Scenario ${forecast.scenario} · at each quarter's end · as scheduled, no slips · ${context.command}`,
          metric: 'mw',
          title: `${whose}MW online by provider, as scheduled, ${span}`,
        }),
        SLIDE,
      ),
    },
  ];
}

/**
 * `stargate ledger --chart`: capital called against committed per funder (OUT.svg) and the
 * flows between parties over the whole horizon (OUT-flows.svg).
 */
export function ledgerChartFiles(ledger: LedgerJson, context: ChartNames): ChartFile[] {
  const span = `${ledger.horizon.from} to ${ledger.horizon.to}`;
  const base = {
    theme: svgTheme,
    names: context.names,
    providers: context.providers,
    subtitle: `Scenario ${ledger.scenario} · by ${ledger.by}`,
  };
  const company =
    ledger.capital === null
      ? undefined
      : (ledger.parties.find((p) => p.id === ledger.capital?.company)?.name ??
        ledger.capital.company);
  return [
    {
      suffix: '',
      what: 'capital called against committed, per funder',
      svg: renderSvg(
        capitalChart(ledger, {
          ...base,
          title:
            company === undefined
              ? `Capital called against committed, ${span}`
              : `Capital called into ${company} against committed, per funder, ${span}`,
        }),
        SLIDE,
      ),
    },
    {
      suffix: 'flows',
      what: 'flows between parties, all periods',
      svg: renderSvg(
        flowsSankey(ledger, { ...base, title: `Money between parties, ${span}` }),
        SLIDE,
      ),
    },
  ];
}

/** `stargate plan --chart`: GPUs placed per provider and quarter against capacity. */
export function planChartFiles(plan: PlanJson, context: ChartNames): ChartFile[] {
  const span = years(plan.byProvider.map((r) => r.period));
  return [
    {
      suffix: '',
      what: 'GPUs placed by provider against capacity',
      svg: renderSvg(
        planCapacityChart(plan, {
          theme: svgTheme,
          names: context.names,
          providers: context.providers,
          title: `GPUs placed by provider against capacity, per quarter, ${span}`,
          subtitle: `Scenario ${plan.scenario} · plan ${plan.solver.method} (${plan.solver.status})`,
        }),
        SLIDE,
      ),
    },
  ];
}
