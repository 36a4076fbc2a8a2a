import type { QueryClient } from '@tanstack/react-query';
import type { Me } from './api-types';
import { apiFetch, storedToken } from './api';
import { OVERVIEW_FORECAST } from './queries';
import { whoAmI } from './session';

/**
 * What a tab that comes back signed in (a reload, a link opened in the same tab) can start
 * before React renders. Left to the components, the first chart waits on a chain: the app's
 * JS, then `/v1/me`, then the Overview's chunk, then the forecast. None of the last three
 * needs the one before it, so they start together here, with the token from sessionStorage.
 */
export interface Boot {
  /** `/v1/me` for the stored token, for the session to await; none without a token. */
  readonly me?: Promise<Me>;
}

/**
 * Starts `/v1/me` for a stored token and, when the first page is the Overview, its chunk and
 * its first query (under the page's own key, so the page finds it in flight or done).
 */
export function startBoot(queries: QueryClient, path: string): Boot {
  const token = storedToken();
  if (token === null) return {};
  const me = whoAmI(token);
  // The session awaits it and reports a failure; until then it must not count as unhandled.
  me.catch(() => undefined);
  if (path === '/') {
    // A role that may not see the Overview (a holder) loses one small request and a chunk.
    void import('./pages/overview');
    // A failure is kept in the cache for the page to show; nothing here to report it to.
    queries
      .query({
        queryKey: ['finance', OVERVIEW_FORECAST],
        queryFn: async () => (await apiFetch(OVERVIEW_FORECAST, { token })).json() as unknown,
      })
      .catch(() => undefined);
  }
  return { me };
}
