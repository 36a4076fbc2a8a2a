import type { UseQueryResult } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api';
import type { Topic } from './live';

/**
 * A GET of the API kept fresh by the stream: its key starts with the topic whose changes
 * refetch it (see live.ts), then the path.
 */
export function useApi<T>(
  topic: Topic,
  path: string | undefined,
  options: { enabled?: boolean } = {},
): UseQueryResult<T> {
  return useQuery<T>({
    queryKey: [topic, path],
    queryFn: () => apiGet<T>(path ?? ''),
    enabled: path !== undefined && (options.enabled ?? true),
  });
}
