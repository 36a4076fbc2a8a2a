import { randomUUID } from 'node:crypto';

/**
 * The HTTP client of the stargate API, shared by the CLI's client commands and the node agent.
 * It knows URLs, tokens and the API's error envelope; flags, exit codes and messages for
 * people are the CLI's (src/cli/client/connection.ts).
 */

/** Where the API is and who calls it; from flags first, then the environment. */
export interface Connection {
  /** The server's base URL, without a trailing slash. */
  readonly server: string;
  readonly token: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

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
