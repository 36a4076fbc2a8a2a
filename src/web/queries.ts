import type { UseQueryResult } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import type { Computed } from './api';
import { apiGet, apiGetComputed } from './api';
import type { Topic } from './live';

/**
 * A GET of the API kept fresh by the stream: its key starts with the topic whose changes
 * refetch it (see live.ts), then the path. `refetchEveryMs` is for what changes with no event
 * to say so: a node goes stale by falling silent.
 */
export function useApi<T>(
  topic: Topic,
  path: string | undefined,
  options: { enabled?: boolean; refetchEveryMs?: number } = {},
): UseQueryResult<T> {
  return useQuery<T>({
    queryKey: [topic, path],
    queryFn: () => apiGet<T>(path ?? ''),
    enabled: path !== undefined && (options.enabled ?? true),
    ...(options.refetchEveryMs === undefined ? {} : { refetchInterval: options.refetchEveryMs }),
  });
}

/**
 * A GET the server computes in the background: asked again after the Retry-After each 202
 * carries, until the answer is ready, then kept fresh by the stream like any other. The key
 * differs from `useApi`'s for the same path, as the data does.
 */
export function useComputedApi<T>(
  topic: Topic,
  path: string | undefined,
): UseQueryResult<Computed<T>> {
  return useQuery<Computed<T>>({
    queryKey: [topic, path, 'computed'],
    queryFn: () => apiGetComputed<T>(path ?? ''),
    enabled: path !== undefined,
    refetchInterval: (query) => {
      const data = query.state.data;
      return data?.state === 'computing' ? data.retryAfterMs : false;
    },
  });
}
