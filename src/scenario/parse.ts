import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Scenario } from '../core/model.js';
import { normalizeScenario } from './normalize.js';
import type { Problem } from './problems.js';
import { InvalidInputError, sortProblems } from './problems.js';
import { checkReferences } from './references.js';
import { scenarioSchema } from './schema.js';

export type ParseResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Reads a scenario from YAML or JSON text (JSON is read as the YAML subset it is, so both get
 * line numbers). Returns the scenario, or every problem found — syntax, shape, values and
 * references — each with its path and line.
 */
export function parseScenario(text: string): ParseResult {
  // Large generated scenarios are JSON: JSON.parse is far faster than a YAML parse with
  // positions, which is only needed to put line numbers on problems.
  if (text.trimStart().startsWith('{')) {
    const fast = tryJson(text);
    if (fast !== undefined) {
      const result = validateScenario(fast);
      if (result.ok) return result;
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: sortProblems(
        document.errors.map((error) => ({
          path: [],
          message: error.message.split('\n')[0] ?? error.message,
          line: lineCounter.linePos(error.pos[0]).line,
        })),
      ),
    };
  }
  const data: unknown = document.toJS({ maxAliasCount: 1000 });
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    // Missing fields have no node: point at the nearest enclosing one.
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = document.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  const result = validateScenario(data);
  if (result.ok) return result;
  return {
    ok: false,
    problems: sortProblems(
      result.problems.map((problem) => {
        const line = lineOf(problem.path);
        return line === undefined ? problem : { ...problem, line };
      }),
    ),
  };
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

/** Like `parseScenario`, but throws `InvalidInputError` with every problem. */
export function parseScenarioOrThrow(text: string, what = 'scenario'): Scenario {
  const result = parseScenario(text);
  if (!result.ok) throw new InvalidInputError(what, result.problems);
  return result.scenario;
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
