import { PERIOD_PATTERN, ID_PATTERN } from './schema-primitives.js';

/**
 * Defensive readers of a raw, unvalidated document, for the cross-reference checks that run
 * beside the schema: a field with the wrong shape reads as undefined (the schema reports it),
 * so every problem is found in one pass.
 */

export type Path = (string | number)[];
export type Report = (path: Path, message: string) => void;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

export function items(value: unknown, key: string): [number, unknown][] {
  const list = field(value, key);
  return Array.isArray(list) ? list.map((item, index) => [index, item] as [number, unknown]) : [];
}

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD_PATTERN.test(value);
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Collects the ids of a list and reports repeats; returns the set of well-formed ids. */
export function uniqueIds(
  parent: unknown,
  key: string,
  report: Report,
  at: Path = [],
): Set<string> {
  const ids = new Set<string>();
  for (const [index, item] of items(parent, key)) {
    const id = field(item, 'id');
    if (!isId(id)) continue;
    if (ids.has(id)) report([...at, key, index, 'id'], `duplicate id ${id} in ${key}`);
    ids.add(id);
  }
  return ids;
}

/** Reports `at.key` when it holds a well-formed id that is not among the known ones. */
export function checkRef(
  item: unknown,
  key: string,
  known: ReadonlySet<string>,
  what: string,
  at: Path,
  report: Report,
): void {
  const id = field(item, key);
  if (isId(id) && !known.has(id)) report([...at, key], `unknown ${what} ${id}`);
}

/** Reports a range whose end comes before its start. */
export function checkRange(
  range: unknown,
  at: Path,
  fromKey: string,
  toKey: string,
  report: Report,
): void {
  const from = field(range, fromKey);
  const to = field(range, toKey);
  if (isPeriod(from) && isPeriod(to) && to < from) {
    report([...at, toKey], `expected a month no earlier than ${fromKey} ${from}`);
  }
}
