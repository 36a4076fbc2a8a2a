import { z } from 'zod';
import type { Scenario } from '../core/model.js';
import { normalizeScenario } from './normalize.js';
import type { Problem } from './problems.js';
import { sortProblems } from './problems.js';
import { checkReferences } from './references.js';
import { scenarioSchema } from './schema.js';
import { repeatsKey } from './json-keys.js';

/**
 * Validation of scenario documents against format v1, without the YAML reader: a command
 * that reads a JSON scenario (`stargate plan` on a generated portfolio) needs only this, and
 * `parse.ts` is loaded for YAML or to put line numbers on problems.
 */

export type ParseResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * The scenario, when `text` is a JSON document of a valid one; otherwise undefined, and
 * `parseScenario` finds the problems and their lines.
 */
export function parseJsonScenario(text: string): Scenario | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  const data = tryJson(text);
  if (data === undefined || repeatsKey(text)) return undefined;
  const result = validateScenario(data);
  return result.ok ? result.scenario : undefined;
}

/** Validates an already-parsed document (e.g. an HTTP body) against format v1. */
export function validateScenario(data: unknown): ParseResult {
  if (data === null || data === undefined) {
    return {
      ok: false,
      problems: [{ path: [], message: 'expected a scenario document, got nothing' }],
    };
  }
  const parsed = schemaFor(data).safeParse(data, { reportInput: true });
  const problems: Problem[] = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(issueProblems)),
    ...checkReferences(data),
  ];
  if (problems.length > 0 || !parsed.success)
    return { ok: false, problems: sortProblems(problems) };
  return { ok: true, scenario: normalizeScenario(parsed.data) };
}

/**
 * The schema as one generated function (zod's `compile`), made on first use: a large
 * portfolio's thousands of workloads validate in about 70 % of the time, compiling included.
 * A document it rejects is parsed again by the runtime parser, so problems read as before.
 */
let compiledSchema: typeof scenarioSchema | undefined;

/**
 * Workloads from which compiling pays. Compiling costs about 60 ms: `validate` of a 100-workload
 * portfolio took 0.32 s compiled against 0.255 s not, of 400 workloads the same either way, of
 * 2,000 0.33 s against 0.36 s (medians of 7–11 whole commands).
 */
export const COMPILE_FROM_WORKLOADS = 1_000;

function schemaFor(data: object): typeof scenarioSchema {
  const workloads = (data as { workloads?: unknown }).workloads;
  if (!Array.isArray(workloads) || workloads.length < COMPILE_FROM_WORKLOADS) return scenarioSchema;
  compiledSchema ??= z.compile(scenarioSchema);
  return compiledSchema;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function issueProblems(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key' }));
  }
  // Inputs are reported (`reportInput`), so an issue without one is about a missing field,
  // whichever check noticed it (a type, a union of types, an enumeration).
  if (issue.input === undefined) {
    return [{ path, message: `required: ${issue.message}` }];
  }
  const found = foundAt(issue.input, path);
  // A check across fields (a window's end before its start) is about an object, not a value:
  // naming "an object" there would say nothing. A wrong type is worth naming, whatever it is.
  const plain = found === null || typeof found !== 'object';
  if (!plain && issue.code !== 'invalid_type') return [{ path, message: issue.message }];
  return [{ path, message: withFound(issue.message, found) }];
}

/**
 * The value a problem is about. A union told apart by a key (a term's `type`) reports the whole
 * object as its input, at the key's path: the value is the object's entry for that key.
 */
function foundAt(input: unknown, path: readonly (string | number)[]): unknown {
  const last = path.at(-1);
  if (
    typeof last === 'string' &&
    typeof input === 'object' &&
    input !== null &&
    !Array.isArray(input) &&
    Object.hasOwn(input, last)
  ) {
    return (input as Record<string, unknown>)[last];
  }
  return input;
}

/** Longest quoted value in a message; longer ones are cut with an ellipsis. */
const QUOTE_LIMIT = 60;

/**
 * The message with what was found, where it does not say so already: `expected one of
 * exclusivity, …, got "exclusive-ish"`. A value is quoted as JSON (so a string shows its
 * quotes and a number does not), cut at 60 characters; a list or an object is named, not shown.
 *
 * @example withFound('expected YYYY-MM', '2027-13') // 'expected YYYY-MM, got "2027-13"'
 */
export function withFound(message: string, input: unknown): string {
  if (/\bgot\b/.test(message)) return message;
  return `${message}, got ${describeFound(input)}`;
}

function describeFound(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input))
    return input.length === 0 ? 'an empty list' : `a list of ${input.length}`;
  if (typeof input === 'object') return 'an object';
  if (typeof input === 'string') {
    const text = JSON.stringify(input);
    return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT - 2)}…"`;
  }
  if (typeof input === 'number' || typeof input === 'boolean' || typeof input === 'bigint')
    return String(input);
  return typeof input;
}
