import type { DelayDistribution } from '../model.js';
import type { Random } from '../random.js';

/**
 * Turns a delay distribution into its quantile function: a uniform draw `u` in [0, 1) gives
 * whole months of slip. Sampling through the quantile function lets the forecast correlate
 * the slips of buildings (a Gaussian copula) while each building keeps its own distribution.
 *
 * A triangular slip is continuous; a building that is ready partway through a month counts
 * from the next whole month, so the months are rounded up.
 *
 * @example slipQuantile({ type: 'triangular', min: 0, mode: 2, max: 6 })(0.5) // 3 (2.54 months, rounded up)
 */
export function slipQuantile(delay: DelayDistribution): (u: number) => number {
  if (delay.type === 'discrete') {
    const months = delay.outcomes.map((o) => o.months);
    const cumulative: number[] = [];
    let sum = 0;
    for (const outcome of delay.outcomes) {
      sum += outcome.probability;
      cumulative.push(sum);
    }
    const last = months[months.length - 1] ?? 0;
    return (u) => {
      for (let i = 0; i < cumulative.length; i++) {
        if (u < (cumulative[i] ?? 0)) return months[i] ?? 0;
      }
      // Probabilities that add up to a hair under 1 leave the top of [0, 1) to the last outcome.
      return last;
    };
  }
  const { min, mode, max } = delay;
  const width = max - min;
  if (width <= 0) return () => wholeMonths(min);
  const split = (mode - min) / width;
  return (u) => {
    const x =
      u < split
        ? min + Math.sqrt(u * width * (mode - min))
        : max - Math.sqrt((1 - u) * width * (max - mode));
    return wholeMonths(x);
  };
}

/** Rounds a continuous slip up to whole months, ignoring float noise (2.0000000001 is 2). */
function wholeMonths(x: number): number {
  return Math.max(0, Math.ceil(x - 1e-9));
}

/**
 * The whole months a building is late for certain: the least slip its delay allows (a
 * triangular minimum rounded up, as every slip is). 0 when it may come online on time.
 */
export function certainSlip(delay: DelayDistribution | undefined): number {
  if (delay === undefined) return 0;
  if (delay.type === 'triangular') return wholeMonths(delay.min);
  const possible = delay.outcomes.filter((o) => o.probability > 0).map((o) => o.months);
  return possible.length === 0 ? 0 : Math.min(...possible);
}

/** The mean slip of a distribution in months, before rounding (for reports). */
export function meanSlip(delay: DelayDistribution): number {
  if (delay.type === 'discrete') {
    return delay.outcomes.reduce((sum, o) => sum + o.months * o.probability, 0);
  }
  return (delay.min + delay.mode + delay.max) / 3;
}

/**
 * Standard normal draws from a uniform source (Box–Muller, both values used). Deterministic
 * for a given `Random`.
 */
export function normalSource(random: Random): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // 1 − next() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - random.next()));
    const angle = 2 * Math.PI * random.next();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/**
 * The standard normal distribution function Φ(x), to about 1e-7 (Abramowitz and Stegun
 * 7.1.26 on erf).
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  const cdf = 0.5 * (1 + (x < 0 ? -erf : erf));
  // Keep u inside [0, 1): a quantile function is not defined at 1.
  return Math.min(Math.max(cdf, 0), 1 - Number.EPSILON);
}
