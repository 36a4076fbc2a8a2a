import { grouped } from '../core/format.js';

/**
 * Number formats of the charts, built on the project's formatters (`grouped`; money is
 * `formatUSDNumber` of core/money.ts) so that a chart and the report beside it print the same
 * figure the same way.
 */

/**
 * A count for an axis, short enough for a tick: `850`, `12.5K`, `1.25M`. Tooltips and labels
 * give the exact figure with `grouped`.
 */
export function countShort(value: number): string {
  const magnitude = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  if (magnitude >= 1e6) return `${sign}${trim((magnitude / 1e6).toFixed(2))}M`;
  if (magnitude >= 1e4) return `${sign}${trim((magnitude / 1e3).toFixed(1))}K`;
  return grouped(value);
}

/** Megawatts: whole above 100, one decimal below (a building can be a few MW). */
export function megawatts(value: number): string {
  return Math.abs(value) >= 100 ? `${grouped(value)} MW` : `${trim(value.toFixed(1))} MW`;
}

/** A fraction as a percentage: `0.6457` → `64.6%`. */
export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A quarter label (`2027-Q3`) on an axis: the year at each year's first quarter, else blank. */
export function yearAtFirstQuarter(label: string, index: number): string {
  return label.endsWith('-Q1') || index === 0 ? label.slice(0, 4) : '';
}

/** A value axis's top and tick step. */
export interface AxisScale {
  readonly max: number;
  readonly interval: number;
}

/**
 * A value axis that fits the data: the smallest round top (a whole number of steps of 1, 2,
 * 2.5 or 5 × a power of ten, three to nine of them, or `maxSteps`) above the maximum with a little
 * headroom. Never below `floor` (so an empty chart still has an axis), never above `cap` (a
 * share stops at 100 %, and gets there only when the data does).
 *
 * @example fittedScale(0.62, { floor: 0.05, cap: 1 }) // { max: 0.7, interval: 0.1 }
 */
export function fittedScale(
  max: number,
  options: { floor?: number; cap?: number; maxSteps?: number } = {},
): AxisScale {
  const target = Math.max(max * 1.05, options.floor ?? 1);
  const power = 10 ** Math.floor(Math.log10(target));
  let best: AxisScale | undefined;
  for (const scale of [power / 10, power]) {
    for (const nice of [1, 2, 2.5, 5]) {
      const interval = clean(nice * scale);
      const steps = Math.ceil(target / interval - 1e-9);
      if (steps < 3 || steps > (options.maxSteps ?? 9)) continue;
      const top = clean(steps * interval);
      if (best === undefined || top < best.max) best = { max: top, interval };
    }
  }
  const fitted = best ?? { max: clean(Math.ceil(target / power) * power), interval: power };
  if (options.cap !== undefined && fitted.max > options.cap) {
    return { max: options.cap, interval: clean(options.cap / 5) };
  }
  return fitted;
}

/** Steps such as 0.1 × 7 leave binary noise (0.7000000000000001) that would show on an axis. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Text for HTML tooltips: names come from scenario files. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
