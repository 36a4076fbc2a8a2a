/** From what the agents observed to what a month delivered. Pure: the store feeds it rows. */

/**
 * A month's delivered GPUs: the median of the days' maxima of healthy GPUs observed, over the
 * days of the month that had any observation (a day when no agent reported says nothing, not
 * "zero"). The median, not the maximum, so that one good hour does not count as a month's
 * delivery, nor one bad day as its loss; with an even count the lower middle value, so the
 * delivery is never rounded up.
 *
 * @example monthDelivered([800, 1000, 960]) // 960
 */
export function monthDelivered(dailyMaxima: readonly number[]): number | undefined {
  if (dailyMaxima.length === 0) return undefined;
  const sorted = [...dailyMaxima].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
