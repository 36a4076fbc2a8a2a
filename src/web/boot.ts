import type { Me } from './api-types';
import { apiFetch, storedToken } from './api';

/**
 * What a tab that comes back signed in (a reload, a link opened in the same tab) starts before
 * React has even loaded. Left to the components, the first chart waits on a chain: the app's
 * JS, then `/v1/me`, then the Overview's chunk, then the forecast. None of the last three
 * needs the one before it, so they start together as soon as the entry runs, with the token
 * from sessionStorage. This module imports neither React nor TanStack Query, so the entry that
 * runs it is a few kB.
 */

/** The Overview's first query: capacity as scheduled, without the Monte Carlo (milliseconds). */
export const OVERVIEW_FORECAST = '/v1/forecast?runs=0';

/** `/v1/me` for a token; a 401 is the caller's to report (the token is given, not taken). */
export async function whoAmI(token: string): Promise<Me> {
  return (await (await apiFetch('/v1/me', { token })).json()) as Me;
}

/** The answer to `/v1/me` for the stored token: who it is, or why not. */
export type FirstCheck = { readonly me: Me } | { readonly error: unknown };

export interface Boot {
  /** `/v1/me` for the stored token, settled: the session's first check. */
  readonly me?: Promise<FirstCheck>;
  /** `OVERVIEW_FORECAST`'s body, when the first page is the Overview. */
  readonly forecast?: Promise<unknown>;
}

/**
 * Starts `/v1/me` for a stored token and, when the first page is the Overview, its first
 * query. Nothing without a token: the sign-in form comes first.
 */
export function startBoot(path: string): Boot {
  const token = storedToken();
  if (token === null) return {};
  const me = whoAmI(token).then(
    (who): FirstCheck => ({ me: who }),
    (error: unknown): FirstCheck => ({ error }),
  );
  if (path !== '/') return { me };
  // A role that may not see the Overview (a holder) loses one small request.
  const forecast = apiFetch(OVERVIEW_FORECAST, { token }).then(
    (response) => response.json() as Promise<unknown>,
  );
  // The page's query awaits it and shows a failure; until then it must not count as unhandled.
  forecast.catch(() => undefined);
  return { me, forecast };
}
