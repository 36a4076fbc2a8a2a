/**
 * How long to wait before the next try after `failures` failures in a row: exponential from
 * `baseMs`, capped at `capMs`, with full jitter (a uniform draw from 0 to that), so that ten
 * thousand agents that lost the server at the same moment do not all come back at the same
 * moment. `random` is passed in (a draw in [0, 1)) so tests can fix it.
 *
 * @example backoffMs(3, { baseMs: 1000, capMs: 30_000 }, () => 0.5) // 4000
 */
export function backoffMs(
  failures: number,
  limits: { readonly baseMs: number; readonly capMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(limits.capMs, limits.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}
