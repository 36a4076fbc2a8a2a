import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app';
import { SessionProvider } from './session';
import { ApiError } from './api';
import { startBoot } from './boot';
import './styles.css';

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

// Before the first render: what a returning tab needs starts now, not after React mounts.
const boot = startBoot(queries, window.location.pathname);

const root = document.getElementById('root');
if (!root) throw new Error('no #root in index.html');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <SessionProvider pendingMe={boot.me}>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
