import type { z } from 'zod';
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
  const parsed = scenarioSchema.safeParse(data, { reportInput: true });
  const problems: Problem[] = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(issueProblems)),
    ...checkReferences(data),
  ];
  if (problems.length > 0 || !parsed.success)
    return { ok: false, problems: sortProblems(problems) };
  return { ok: true, scenario: normalizeScenario(parsed.data) };
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
  return [{ path, message: issue.message }];
}
