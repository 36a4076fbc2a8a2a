import type { Micros } from './money.js';

/**
 * A whole number with thousands separators, the same on every machine and locale.
 *
 * @example grouped(1234567) // '1,234,567'
 */
export function grouped(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A price per GPU-hour: at least two decimals, more only when the price has them.
 *
 * @example formatPrice(2_125_000n) // '$2.125'
 */
export function formatPrice(micros: Micros): string {
  const whole = micros / 1_000_000n;
  let fraction = String(micros % 1_000_000n)
    .padStart(6, '0')
    .replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return `$${whole}.${fraction}`;
}
