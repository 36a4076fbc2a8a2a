/**
 * How nvidia-smi writes a value it does not have, and numbers with their units, shared by the
 * CSV and the XML readers.
 */

/**
 * nvidia-smi's word for "no value": `[N/A]`, `[Not Supported]`, `[Unknown Error]`,
 * `[Insufficient Permissions]` in the CSV (any bracketed text), `N/A` in the XML, or nothing.
 * Such a value is absent from the reading, never 0.
 */
export function isNotAvailable(text: string): boolean {
  const value = text.trim();
  return value === '' || value === 'N/A' || (value.startsWith('[') && value.endsWith(']'));
}

// A number, then optionally the unit nvidia-smi prints without `nounits` (`81559 MiB`,
// `700.00 W`, `39 C`, `0 %`, `996 KB/s`).
const MEASURE =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?:\s*[A-Za-z%]+(?:\/[A-Za-z]+)?)?$/;

/** The number in `81559`, `81559 MiB` or `700.00 W`; undefined when `text` is not one. */
export function parseMeasure(text: string): number | undefined {
  const match = MEASURE.exec(text.trim());
  if (match?.[1] === undefined) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** `Yes` → true, `No` → false (nvidia-smi's XML flags); anything else is unknown. */
export function parseYesNo(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'yes') return true;
  if (value === 'no') return false;
  return undefined;
}
