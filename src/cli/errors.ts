import { InvalidInputError, formatProblem } from '../scenario/problems.js';
import type { Io } from './io.js';

/** The command line itself is wrong: unknown command, missing argument, bad flag. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The command cannot run now, through no fault of its line (the store is held by another
 * process): the message says why and who; exit status 1, no usage hint.
 */
export class CannotRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotRunError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** Invalid input: a bad scenario file or a bad command line. */
export const EXIT_INVALID = 2;

/**
 * The one place errors become messages and exit codes. Users never see a stack trace;
 * `STARGATE_DEBUG=1` shows it for developers.
 */
export function reportError(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof InvalidInputError) {
    const [only] = error.problems;
    if (error.problems.length === 1 && only && only.path.length === 0 && only.line === undefined) {
      // A file that is missing or empty: one line says it all.
      io.err(`stargate: ${error.what}: ${only.message}\n`);
      return EXIT_INVALID;
    }
    io.err(`${error.message}\n`);
    for (const problem of error.problems) io.err(`  ${formatProblem(problem)}\n`);
    return EXIT_INVALID;
  }
  if (error instanceof UsageError) {
    io.err(`stargate: ${error.message}\nRun 'stargate help' for usage.\n`);
    return EXIT_INVALID;
  }
  if (error instanceof CannotRunError) {
    io.err(`stargate: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`stargate: internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  else io.err('Set STARGATE_DEBUG=1 to see the details, and please report it.\n');
  return EXIT_FAILURE;
}
