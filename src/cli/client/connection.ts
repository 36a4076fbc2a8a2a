import type { Io } from '../io.js';
import { EXIT_FAILURE, EXIT_INVALID, UsageError } from '../errors.js';
import type { Connection } from '../../client/api.js';
import { ApiError, DEFAULT_SERVER, ServerUnreachableError } from '../../client/api.js';

/** The flags every client command takes. */
export const CONNECTION_FLAGS = {
  server: { type: 'string' },
  token: { type: 'string' },
} as const;

/**
 * Reads `--server` and `--token`, falling back to `STARGATE_SERVER` and `STARGATE_TOKEN`.
 * A missing token is a usage error here rather than a 401 from the server, so that the
 * message can say where a token comes from.
 */
export function connectionFrom(
  values: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Connection {
  const flag = (name: string) => {
    const value = values[name];
    // An empty --token (an unset shell variable, "$HOLDER_TOKEN") must not fall back to the
    // environment's token, which may be an admin's.
    if (value === '') fail(`--${name}: empty; expected a value`);
    return typeof value === 'string' ? value : undefined;
  };
  return {
    server: serverUrl(flag('server') ?? (env['STARGATE_SERVER'] || DEFAULT_SERVER)),
    token:
      flag('token') ??
      (env['STARGATE_TOKEN'] ||
        fail(
          'no token: pass --token TOKEN or set STARGATE_TOKEN (stargate serve prints the first admin token)',
        )),
  };
}

/** Checks a server URL and drops a trailing slash. */
export function serverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`--server: expected a URL such as ${DEFAULT_SERVER}, got ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`--server: expected an http:// or https:// URL, got ${text}`);
  }
  return url.toString().replace(/\/+$/, '');
}

function fail(message: string): never {
  throw new UsageError(message);
}

/**
 * Where the client's errors become messages and exit codes: a 4xx is the caller's to fix
 * (exit 2, like any invalid input), a 5xx or a server that does not answer is not (exit 1).
 * Returns undefined for errors that are not the client's, for the CLI's own reporter.
 */
export function reportClientError(error: unknown, io: Io): number | undefined {
  if (error instanceof ApiError) {
    io.err(`stargate: ${error.status} ${error.code}: ${error.message}\n`);
    for (const problem of error.problems) io.err(`  ${problem.path}: ${problem.message}\n`);
    return error.status < 500 ? EXIT_INVALID : EXIT_FAILURE;
  }
  if (error instanceof ServerUnreachableError) {
    io.err(
      `stargate: ${error.message}\n  Is stargate serve running there? Set --server URL or STARGATE_SERVER.\n`,
    );
    return EXIT_FAILURE;
  }
  return undefined;
}

/** Runs a client command; the client's errors are reported here, every other one rethrown. */
export async function withApiErrors(io: Io, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    const status = reportClientError(error, io);
    if (status === undefined) throw error;
    return status;
  }
}
