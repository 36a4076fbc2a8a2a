import { grouped } from '../../core/format.js';
import type { Forecast } from '../../core/forecast/forecast.js';
import type { Percentiles } from '../../core/forecast/percentile.js';
import { formatPeriod } from '../../core/period.js';
import { renderTable } from '../table.js';
import { percent } from './units.js';

/** What the forecast was run with, for its header. */
export interface ForecastRun {
  readonly seed: number;
  /** Provider names by id, for sentences. */
  readonly names: ReadonlyMap<string, string>;
}

/**
 * The forecast for people: the answer first (the focus provider's share at the horizon's end,
 * with its p10–p90 range), then capacity by provider as scheduled, then the Monte Carlo
 * percentiles per quarter.
 */
export function formatForecastText(forecast: Forecast, run: ForecastRun): string {
  const out: string[] = [];
  const quarters = forecast.quarters;
  const first = quarters[0]?.label ?? '';
  const lastIndex = quarters.length - 1;
  const last = quarters[lastIndex];
  const sim = forecast.simulation;
  const focus = forecast.focus;
  const focusName = focus === undefined ? '' : (run.names.get(focus) ?? focus);
  out.push(
    `Forecast for ${forecast.scenario}: GPUs online by provider at the end of each quarter, ${first}..${last?.label ?? ''}`,
  );
  if (sim) {
    out.push(
      `Construction slips: ${grouped(sim.runs)} Monte Carlo runs, seed ${run.seed}, slip correlation ${sim.correlation}; ${sim.slipping} of ${sim.buildings} buildings have a delay distribution`,
    );
  } else {
    out.push('As scheduled only (no Monte Carlo runs).');
  }
  out.push('');

  if (last) {
    const at = `${last.label} (${formatPeriod(last.end)})`;
    const total = forecast.scheduled.totalGpus[lastIndex] ?? 0;
    const focusSeries = forecast.scheduled.byProvider.find((p) => p.provider === focus);
    if (focus !== undefined && focusSeries) {
      const scheduled = focusSeries.share[lastIndex] ?? 0;
      const share = sim?.focusShare[lastIndex];
      out.push(
        share
          ? `${focusName}'s share of GPUs online in ${at}: ${percent(share.p50)} (p10 ${percent(share.p10)}, p90 ${percent(share.p90)}); ${percent(scheduled)} as scheduled`
          : `${focusName}'s share of GPUs online in ${at}: ${percent(scheduled)} as scheduled`,
      );
    }
    const year = forecast.scheduled.byYear[forecast.scheduled.byYear.length - 1];
    const yearSim = sim?.byYear[sim.byYear.length - 1];
    if (focus !== undefined && year) {
      out.push(
        yearSim
          ? `${focusName}'s share of GPUs online over ${year.year} (all its quarters): ${percent(yearSim.focusShare.p50)} (p10 ${percent(yearSim.focusShare.p10)}, p90 ${percent(yearSim.focusShare.p90)}); ${percent(year.focusShare)} as scheduled`
          : `${focusName}'s share of GPUs online over ${year.year} (all its quarters): ${percent(year.focusShare)} as scheduled`,
      );
    }
    const totals = sim?.totalGpus[lastIndex];
    out.push(
      totals
        ? `GPUs online in ${at}: ${grouped(totals.p50)} (p10 ${grouped(totals.p10)}, p90 ${grouped(totals.p90)}); ${grouped(total)} as scheduled`
        : `GPUs online in ${at}: ${grouped(total)} as scheduled`,
    );
    if (sim && focus !== undefined) {
      const widest = widestBand(sim.focusShare);
      if (widest !== undefined) {
        const band = sim.focusShare[widest];
        if (band && band.p90 > band.p10) {
          out.push(
            `Most uncertain quarter for ${focusName}'s share: ${quarters[widest]?.label ?? ''}, p10 ${percent(band.p10)} to p90 ${percent(band.p90)}`,
          );
        }
      }
    }
    out.push('');
  }

  const providers = forecast.scheduled.byProvider;
  out.push('As scheduled: GPUs online, MW, and each provider’s share of GPUs');
  out.push(
    renderTable(
      [
        'QUARTER',
        ...providers.map((p) => p.provider),
        'TOTAL GPUS',
        'TOTAL MW',
        ...providers.map((p) => `${p.provider} %`),
      ],
      quarters.map((quarter, q) => [
        quarter.label,
        ...providers.map((p) => grouped(p.gpus[q] ?? 0)),
        grouped(forecast.scheduled.totalGpus[q] ?? 0),
        grouped(forecast.scheduled.totalMw[q] ?? 0),
        ...providers.map((p) => percent(p.share[q] ?? 0)),
      ]),
      [
        'left',
        ...providers.map(() => 'right' as const),
        'right',
        'right',
        ...providers.map(() => 'right' as const),
      ],
      '  ',
    ),
  );

  out.push('');
  out.push(
    sim
      ? `By year: mean GPUs online and ${focus ?? 'the focus provider'}'s share of GPU-quarters, as scheduled and p10 / p50 / p90`
      : `By year: mean GPUs online and ${focus ?? 'the focus provider'}'s share of GPU-quarters, as scheduled`,
  );
  out.push(
    renderTable(
      [
        'YEAR',
        'GPUS',
        ...(sim ? ['p10', 'p50', 'p90'] : []),
        ...(focus === undefined ? [] : [`${focus} SHARE`, ...(sim ? ['p10', 'p50', 'p90'] : [])]),
      ],
      forecast.scheduled.byYear.map((year, index) => {
        const simulated = sim?.byYear[index];
        return [
          String(year.year),
          grouped(year.totalGpus),
          ...(simulated
            ? [
                grouped(simulated.totalGpus.p10),
                grouped(simulated.totalGpus.p50),
                grouped(simulated.totalGpus.p90),
              ]
            : []),
          ...(focus === undefined
            ? []
            : [
                percent(year.focusShare),
                ...(simulated
                  ? [
                      percent(simulated.focusShare.p10),
                      percent(simulated.focusShare.p50),
                      percent(simulated.focusShare.p90),
                    ]
                  : []),
              ]),
        ];
      }),
      [
        'left',
        ...Array.from(
          { length: (sim ? 4 : 1) * (focus === undefined ? 1 : 2) },
          () => 'right' as const,
        ),
      ],
      '  ',
    ),
  );

  if (sim) {
    out.push('');
    const who = focus ?? '';
    out.push(`With slips: percentiles across ${grouped(sim.runs)} runs (p10 / p50 / p90)`);
    const cells = (p: Percentiles | undefined, format: (x: number) => string) =>
      p ? [format(p.p10), format(p.p50), format(p.p90)] : ['-', '-', '-'];
    out.push(
      renderTable(
        [
          'QUARTER',
          'TOTAL GPUS p10',
          'p50',
          'p90',
          ...(focus === undefined
            ? []
            : [`${who} GPUS p10`, 'p50', 'p90', `${who} SHARE p10`, 'p50', 'p90']),
        ],
        quarters.map((quarter, q) => [
          quarter.label,
          ...cells(sim.totalGpus[q], grouped),
          ...(focus === undefined
            ? []
            : [
                ...cells(sim.focusGpus[q], grouped),
                ...cells(sim.focusShare[q], (x) => percent(x)),
              ]),
        ]),
        ['left', ...Array.from({ length: focus === undefined ? 3 : 9 }, () => 'right' as const)],
        '  ',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function widestBand(series: readonly Percentiles[]): number | undefined {
  let best: number | undefined;
  let width = -1;
  series.forEach((p, index) => {
    if (p.p90 - p.p10 > width) {
      width = p.p90 - p.p10;
      best = index;
    }
  });
  return best;
}
