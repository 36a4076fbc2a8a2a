import { randomUUID } from 'node:crypto';
import type { Io } from '../io.js';
import { EXIT_FAILURE, EXIT_INVALID, UsageError } from '../errors.js';

/** Where the API is and who calls it; from flags first, then the environment. */
export interface Connection {
  /** The server's base URL, without a trailing slash. */
  readonly server: string;
  readonly token: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

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

/** One problem of a 400 or 409, as the API reports it. */
export interface ApiProblem {
  readonly path: string;
  readonly message: string;
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly ApiProblem[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all: nothing listens at the URL, the name does not resolve, the link broke. */
export class ServerUnreachableError extends Error {
  constructor(
    readonly server: string,
    readonly detail: string,
  ) {
    super(`cannot reach the stargate server at ${server}: ${detail}`);
    this.name = 'ServerUnreachableError';
  }
}

/**
 * A thin client for the stargate API: bearer token on every call, JSON in and out, and an
 * `Idempotency-Key` on every POST. The key is made once per client, that is once per command
 * invocation, unless the caller fixes it (`--idempotency-key`) so that a script can retry a
 * POST whose answer it never saw without doing the work twice.
 */
export class ApiClient {
  readonly idempotencyKey: string;

  constructor(
    readonly connection: Connection,
    idempotencyKey?: string,
    /** How long to wait for any answer (ms); default by route (timeoutFor). */
    private readonly timeoutMs?: number,
  ) {
    this.idempotencyKey = idempotencyKey ?? randomUUID();
  }

  get(path: string, query: Readonly<Record<string, string | undefined>> = {}): Promise<unknown> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, value);
    }
    const suffix = search.size > 0 ? `?${search.toString()}` : '';
    return this.send('GET', `${path}${suffix}`, undefined);
  }

  post(path: string, body: unknown): Promise<unknown> {
    return this.send('POST', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.send('DELETE', path, undefined);
  }

  private async send(method: string, path: string, body: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.connection.token}`,
      accept: 'application/json',
    };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      headers['idempotency-key'] = this.idempotencyKey;
    }
    let response: Response;
    try {
      response = await fetch(`${this.connection.server}${path}`, {
        method,
        headers,
        ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs ?? timeoutFor(method, path)),
      });
    } catch (error) {
      if ((error as { name?: unknown }).name === 'TimeoutError') {
        throw new ServerUnreachableError(
          this.connection.server,
          `no answer to ${method} ${path} within ${(this.timeoutMs ?? timeoutFor(method, path)) / 1000} s`,
        );
      }
      throw new ServerUnreachableError(this.connection.server, causeOf(error));
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed;
    const envelope = (parsed as { error?: Partial<ErrorBody> } | undefined)?.error;
    if (envelope && typeof envelope.code === 'string' && typeof envelope.message === 'string') {
      throw new ApiError(
        response.status,
        envelope.code,
        envelope.message,
        envelope.problems ?? [],
        envelope.requestId,
      );
    }
    // Not the API's error shape: a proxy or another program answered.
    const firstLine = text.trim().split('\n')[0]?.slice(0, 200) ?? '';
    throw new ApiError(
      response.status,
      response.statusText.toLowerCase().replace(/\s+/g, '_') || 'http_error',
      firstLine === '' ? `no body (is ${this.connection.server} a stargate server?)` : firstLine,
    );
  }
}

interface ErrorBody {
  code: string;
  message: string;
  problems: ApiProblem[];
  requestId: string;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * How long to wait for an answer: a plan may take the API's 300 s cap, HiGHS's grace past it
 * (16 s) and the fast planner's answer after that; anything else answers in well under a
 * minute on a healthy server.
 */
function timeoutFor(method: string, path: string): number {
  return method === 'POST' && path.startsWith('/v1/plans') ? 360_000 : 60_000;
}

/** fetch says only "fetch failed"; the reason is in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.message === 'string' && cause.message !== '') return cause.message;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
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
