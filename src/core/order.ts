/**
 * Code-point order, independent of locale and of the runtime's collation: ids, and so every
 * list the tool writes, sort the same everywhere.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
