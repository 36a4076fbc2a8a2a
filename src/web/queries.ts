import type { UseQueryResult } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api';
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
