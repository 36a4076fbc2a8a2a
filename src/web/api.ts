/**
 * The dashboard talks to the server over HTTP only, through these: the token from the session
 * as a bearer, JSON both ways, and the API's own error messages shown as they are.
 */

const TOKEN_KEY = 'stargate.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** An answer other than 2xx: the status, and the API's message and problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when the server no longer accepts the token (401): the session ends. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function apiFetch(
  path: string,
  init: RequestInit & { token?: string | null } = {},
): Promise<Response> {
  const token = init.token === undefined ? storedToken() : init.token;
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  let problems: { path: string; message: string }[] = [];
  try {
    const body = (await response.json()) as {
      error?: { message?: string; problems?: { path: string; message: string }[] };
    };
    message = body.error?.message ?? message;
    problems = body.error?.problems ?? [];
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401 && init.token === undefined) onUnauthorized();
  throw new ApiError(response.status, message, problems);
}

/** How long to wait before asking again when the server gives no usable Retry-After. */
const RETRY_DEFAULT_MS = 2_000;
/** Never ask more often than this, nor wait longer, whatever the header says. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * A Retry-After header in milliseconds. The server sends whole seconds; an HTTP date (which it
 * does not send) or anything else unreadable waits the default. Kept between 1 and 60 s, so a
 * bad header neither floods the server nor stalls the page.
 */
export function retryAfterMs(header: string | null): number {
  const text = header?.trim() ?? '';
  if (!/^\d+$/.test(text)) return RETRY_DEFAULT_MS;
  return Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, Number(text) * 1000));
}

/**
 * A result the server computes in the background (`/v1/plans/{id}/clauses`, `/value`, `/risk`):
 * 202 while it computes, with how long to wait before asking again; then the body.
 */
export type Computed<T> =
  | { readonly state: 'computing'; readonly retryAfterMs: number }
  | { readonly state: 'ready'; readonly body: T };

export async function apiGetComputed<T>(path: string): Promise<Computed<T>> {
  const response = await apiFetch(path);
  if (response.status === 202)
    return { state: 'computing', retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
  return { state: 'ready', body: (await response.json()) as T };
}

export async function apiGet<T>(path: string): Promise<T> {
  return (await (await apiFetch(path)).json()) as T;
}

export async function apiSend<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await apiFetch(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

/** An error as one line for people: the API's message and each problem. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    return [error.message, ...error.problems.map((p) => `${p.path}: ${p.message}`)].join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
