/**
 * A whole number with thousands separators, the same on every machine and locale: the one
 * digit grouping of the project (counts, and the dollars of `formatUSD`). A number is rounded
 * to the nearest whole; a bigint is exact.
 *
 * @example grouped(1234567) // '1,234,567'
 * @example grouped(-123456789012345678n) // '-123,456,789,012,345,678'
 */
export function grouped(value: number | bigint): string {
  const negative = value < 0;
  const digits =
    typeof value === 'bigint'
      ? String(negative ? -value : value)
      : String(Math.abs(Math.round(value)));
  return (negative ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A CSV line, quoting the cells that need it (RFC 4180).
 *
 * @example csvLine(['a', 'b,c', 1]) // 'a,"b,c",1'
 */
export function csvLine(cells: readonly (string | number)[]): string {
  return cells
    .map((cell) => {
      const text = String(cell);
      return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}
