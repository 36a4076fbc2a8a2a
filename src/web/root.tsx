import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app';
import { SessionProvider } from './session';
import { ApiError } from './api';
import type { Boot, FirstCheck } from './boot';
import { OVERVIEW_FORECAST } from './boot';

/**
 * Mounts the app, handing it what the entry started before React loaded (boot.ts): the answer
 * to `/v1/me` for a stored token, and the Overview's first query.
 */
export function mountApp(boot: Boot, first: FirstCheck | undefined): void {
  const queries = new QueryClient({
    defaultOptions: {
      queries: {
        // Pages are kept fresh by the stream, not by polling or focus.
        staleTime: Infinity,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
  const forecast = boot.forecast;
  if (forecast) {
    // Under the page's own key, so the Overview finds it in flight or done. A failure stays in
    // the cache for the page to show (and to retry when it mounts).
    queries
      .query({ queryKey: ['finance', OVERVIEW_FORECAST], queryFn: () => forecast })
      .catch(() => undefined);
  }

  const root = document.getElementById('root');
  if (!root) throw new Error('no #root in index.html');
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <SessionProvider first={first}>
          <App />
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
