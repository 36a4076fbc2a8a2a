/**
 * Job data and results cross a process boundary as JSON (pg-boss keeps them in jsonb columns),
 * but plans hold their money as bigint (Micros, Cents), which JSON cannot carry. A bigint is
 * written as `{ "$bigint": "<decimal digits>" }` and read back exactly; nothing else changes.
 * No type of ours has a `$bigint` key, so the tag cannot be mistaken for data.
 */

const TAG = '$bigint';

/** A value JSON can carry as it is. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function replaceBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [TAG]: value.toString() } : value;
}

function reviveBigint(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const digits = record[TAG];
  if (typeof digits === 'string' && Object.keys(record).length === 1) return BigInt(digits);
  return value;
}

/**
 * The value with every bigint tagged, ready for JSON: `encodeJob({ total: 12n })` is
 * `{ total: { $bigint: '12' } }`. Undefined properties are dropped, as JSON drops them.
 */
export function encodeJob(value: unknown): Json {
  return JSON.parse(JSON.stringify(value, replaceBigint)) as Json;
}

/** The value `encodeJob` was given, bigints restored; the caller knows the type it expects. */
export function decodeJob(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), reviveBigint);
}
