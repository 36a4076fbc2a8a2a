import { csvLine } from '../format.js';
import { formatPeriod } from '../period.js';
import type { Forecast } from './forecast.js';
import type { Percentiles } from './percentile.js';

/** Shares and MW to six decimals: enough to read, stable across machines. */
const round = (x: number) => Math.round(x * 1e6) / 1e6;

const percentiles = (p: Percentiles | undefined) =>
  p === undefined
    ? null
    : { p10: round(p.p10), p50: round(p.p50), p90: round(p.p90), mean: round(p.mean) };

/**
 * The forecast as one JSON document: per quarter, capacity by provider as scheduled and the
 * Monte Carlo percentiles. Shares are fractions (0–1).
 */
export function forecastToJson(forecast: Forecast, seed: number) {
  const sim = forecast.simulation;
  return {
    scenario: forecast.scenario,
    focus: forecast.focus ?? null,
    measuredAt: 'the last month of each quarter',
    simulation: sim
      ? {
          runs: sim.runs,
          seed,
          correlation: sim.correlation,
          slippingBuildings: sim.slipping,
          buildings: sim.buildings,
        }
      : null,
    years: forecast.scheduled.byYear.map((year, index) => {
      const simulated = sim?.byYear[index];
      return {
        year: year.year,
        scheduled: { meanGpus: round(year.totalGpus), focusShare: round(year.focusShare) },
        simulated: simulated
          ? {
              meanGpus: percentiles(simulated.totalGpus),
              focusShare: forecast.focus === undefined ? null : percentiles(simulated.focusShare),
            }
          : null,
      };
    }),
    quarters: forecast.quarters.map((quarter, q) => ({
      quarter: quarter.label,
      month: formatPeriod(quarter.end),
      scheduled: {
        totalGpus: forecast.scheduled.totalGpus[q] ?? 0,
        totalMw: round(forecast.scheduled.totalMw[q] ?? 0),
        providers: forecast.scheduled.byProvider.map((p) => ({
          provider: p.provider,
          gpus: p.gpus[q] ?? 0,
          mw: round(p.mw[q] ?? 0),
          share: round(p.share[q] ?? 0),
        })),
      },
      simulated: sim
        ? {
            totalGpus: percentiles(sim.totalGpus[q]),
            totalMw: percentiles(sim.totalMw[q]),
            focusGpus: forecast.focus === undefined ? null : percentiles(sim.focusGpus[q]),
            focusShare: forecast.focus === undefined ? null : percentiles(sim.focusShare[q]),
            providers: sim.byProvider.map((p) => ({
              provider: p.provider,
              gpus: percentiles(p.gpus[q]),
              share: percentiles(p.share[q]),
            })),
          }
        : null,
    })),
  };
}

/**
 * One row per quarter and provider (and `total`): scheduled GPUs, MW and share, and the
 * percentiles of GPUs and share when the forecast ran the Monte Carlo.
 */
export function forecastToCsv(forecast: Forecast): string {
  const sim = forecast.simulation;
  const lines = [
    csvLine([
      'quarter',
      'month',
      'provider',
      'gpus',
      'mw',
      'share',
      'gpus_p10',
      'gpus_p50',
      'gpus_p90',
      'share_p10',
      'share_p50',
      'share_p90',
    ]),
  ];
  const blank = ['', '', ''];
  forecast.quarters.forEach((quarter, q) => {
    const month = formatPeriod(quarter.end);
    for (const p of forecast.scheduled.byProvider) {
      const simulated = sim?.byProvider.find((s) => s.provider === p.provider);
      const gpus = simulated?.gpus[q];
      const share = simulated?.share[q];
      lines.push(
        csvLine([
          quarter.label,
          month,
          p.provider,
          p.gpus[q] ?? 0,
          round(p.mw[q] ?? 0),
          round(p.share[q] ?? 0),
          ...(gpus ? [gpus.p10, gpus.p50, gpus.p90] : blank),
          ...(share ? [round(share.p10), round(share.p50), round(share.p90)] : blank),
        ]),
      );
    }
    const total = sim?.totalGpus[q];
    lines.push(
      csvLine([
        quarter.label,
        month,
        'total',
        forecast.scheduled.totalGpus[q] ?? 0,
        round(forecast.scheduled.totalMw[q] ?? 0),
        (forecast.scheduled.totalGpus[q] ?? 0) > 0 ? 1 : 0,
        ...(total ? [total.p10, total.p50, total.p90] : blank),
        ...(total ? [1, 1, 1] : blank),
      ]),
    );
  });
  return `${lines.join('\n')}\n`;
}
