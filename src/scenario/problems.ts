import { compareText } from '../core/order.js';

/** One thing wrong with an input, at a path such as `workloads[3].window.from`. */
export interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** 1-based line in the source file, when known. */
  readonly line?: number;
}

/**
 * Writes a path the way a user reads it: `workloads[3].window.from`; the document itself is
 * `(root)`.
 */
export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? key : `.${key}`;
  }
  return text === '' ? '(root)' : text;
}

/** `path: message`, or `path (line N): message`. */
export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? '' : ` (line ${problem.line})`;
  return `${formatPath(problem.path)}${where}: ${problem.message}`;
}

/** Sorts problems by line, then path, then message, and drops repeats. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique: Problem[] = [];
  for (const problem of problems) {
    const key = `${formatPath(problem.path)}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(problem);
  }
  return unique.sort(
    (a, b) =>
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      compareText(formatPath(a.path), formatPath(b.path)) ||
      compareText(a.message, b.message),
  );
}

/** An input that failed validation; carries every problem found. */
export class InvalidInputError extends Error {
  readonly problems: readonly Problem[];
  /** What was invalid: a file path, or `scenario`. */
  readonly what: string;

  constructor(what: string, problems: readonly Problem[]) {
    super(`${what} is not valid: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'InvalidInputError';
    this.problems = problems;
    this.what = what;
  }
}
