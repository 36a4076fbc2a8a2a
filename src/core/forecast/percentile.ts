/** The 10th, 50th and 90th percentiles of a sample, and its mean. */
export interface Percentiles {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly mean: number;
}

/**
 * The nearest-rank percentile of sorted values: the smallest value with at least `p` % of
 * the sample at or below it, so it is always a value some run produced.
 *
 * @example nearestRank(Float64Array.of(1, 2, 3, 4), 50) // 2
 */
export function nearestRank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

/**
 * Percentiles of each column of a row-major matrix (`rows` runs × `columns` quarters).
 */
export function percentilesByColumn(
  values: Float64Array,
  rows: number,
  columns: number,
): Percentiles[] {
  const column = new Float64Array(rows);
  const result: Percentiles[] = [];
  for (let c = 0; c < columns; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const value = values[r * columns + c] ?? 0;
      column[r] = value;
      sum += value;
    }
    column.sort();
    result.push({
      p10: nearestRank(column, 10),
      p50: nearestRank(column, 50),
      p90: nearestRank(column, 90),
      mean: rows > 0 ? sum / rows : 0,
    });
  }
  return result;
}
