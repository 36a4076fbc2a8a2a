import { LineCounter, parseDocument } from 'yaml';
import type { Scenario } from '../core/model.js';
import { InvalidInputError, sortProblems } from './problems.js';
import type { ParseResult } from './validate.js';
import { parseJsonScenario, validateScenario } from './validate.js';

export type { ParseResult } from './validate.js';
export { issueProblems, validateScenario } from './validate.js';

/**
 * Reads a scenario from YAML or JSON text (JSON is read as the YAML subset it is, so both get
 * line numbers). Returns the scenario, or every problem found — syntax, shape, values and
 * references — each with its path and line.
 */
export function parseScenario(text: string): ParseResult {
  // Large generated scenarios are JSON: JSON.parse is far faster than a YAML parse with
  // positions, which is only needed to put line numbers on problems.
  const fast = parseJsonScenario(text);
  if (fast) return { ok: true, scenario: fast };
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: sortProblems(
        document.errors.map((error) => ({
          path: [],
          message:
            error.code === 'DUPLICATE_KEY'
              ? 'a key appears twice in one mapping (object); keep one'
              : (error.message.split('\n')[0] ?? error.message),
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

/** Like `parseScenario`, but throws `InvalidInputError` with every problem. */
export function parseScenarioOrThrow(text: string, what = 'scenario'): Scenario {
  const result = parseScenario(text);
  if (!result.ok) throw new InvalidInputError(what, result.problems);
  return result.scenario;
}
