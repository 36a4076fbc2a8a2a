import type { UseQueryResult } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api';
import type { Topic } from './live';

/**
 * The Overview's first query: capacity as scheduled, without the Monte Carlo (milliseconds).
 * One constant, because boot.ts starts it under the same key before the page mounts.
 */
export const OVERVIEW_FORECAST = '/v1/forecast?runs=0';

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
