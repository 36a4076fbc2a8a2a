import type { QueryClient } from '@tanstack/react-query';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { StreamMessage } from './api-types';
import { storedToken } from './api';

/**
 * Live pages: `/v1/stream` (server-sent events) says what changed; the queries that read it are
 * refetched. A burst of events is one refetch (debounced 200 ms, as KueueViz does). The stream
 * is read with fetch, not EventSource, so the token travels in the Authorization header and
 * never in a URL. It reconnects with Last-Event-ID, so a page misses nothing across a drop.
 *
 * Query keys start with a topic; a change invalidates the topics it touches.
 */
export type Topic = 'plans' | 'procurement' | 'scenario' | 'finance' | 'deliveries' | 'fleet';

export function topicsOf(message: Pick<StreamMessage, 'action' | 'entityType'>): Topic[] {
  switch (message.entityType) {
    case 'plan':
      return ['plans', 'finance'];
    case 'request':
      return ['procurement'];
    case 'pool':
      // Awards make pools; deliveries are recorded against them, the node agents' among them
      // (`delivery.agent`, whose pool may be a building).
      return ['procurement', 'deliveries', 'scenario', 'finance', 'fleet'];
    case 'node':
      // A node registered, removed, or its GPUs' health changed.
      return ['fleet'];
    case 'token':
      return [];
    default:
      return ['scenario', 'finance', 'deliveries'];
  }
}

export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * The stream's `what-if` event (`{ id, status }`: a what-if's exact answer is ready), passed
 * on as a window event of the same name.
 */
export const WHAT_IF_EVENT = 'what-if';

function parseBlock(block: string): { id?: string; event: string; data: string } {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { ...(id === undefined ? {} : { id }), event, data: data.join('\n') };
}

async function listen(
  signal: AbortSignal,
  lastId: string | undefined,
  onOpen: () => void,
  onMessage: (message: StreamMessage, id: string | undefined) => void,
  onResume: (id: string) => void,
): Promise<'closed' | 'unauthorized'> {
  const token = storedToken();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (lastId) headers['last-event-id'] = lastId;
  const response = await fetch('/v1/stream', { headers, signal });
  if (response.status === 401) return 'unauthorized';
  if (!response.ok || !response.body) return 'closed';
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 'closed';
    buffer += value.replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (block.event === 'change' && block.data) {
        onMessage(JSON.parse(block.data) as StreamMessage, block.id);
      } else if (block.event === WHAT_IF_EVENT && block.data) {
        // Told to this caller only, never stored: the What-if panel listens for it.
        window.dispatchEvent(
          new CustomEvent(WHAT_IF_EVENT, { detail: JSON.parse(block.data) as unknown }),
        );
      } else if (block.id !== undefined) {
        // The ready event's id: where a reconnect resumes when no change came before the drop.
        onResume(block.id);
      }
      end = buffer.indexOf('\n\n');
    }
  }
}

function invalidator(queries: QueryClient) {
  const pending = new Set<Topic>();
  let timer: number | undefined;
  return (message: StreamMessage) => {
    for (const topic of topicsOf(message)) pending.add(topic);
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      const topics = [...pending];
      pending.clear();
      for (const topic of topics) void queries.invalidateQueries({ queryKey: [topic] });
    }, 200);
  };
}

/** Keeps the stream open while signed in; returns its state for the header's indicator. */
export function useLive(enabled: boolean, onUnauthorized: () => void): LiveState {
  const queries = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!enabled) return undefined;
    const abort = new AbortController();
    const invalidate = invalidator(queries);
    let lastId: string | undefined;
    let delay = 1000;
    void (async () => {
      while (!abort.signal.aborted) {
        try {
          const outcome = await listen(
            abort.signal,
            lastId,
            () => {
              setState('live');
              delay = 1000;
            },
            (message, id) => {
              lastId = id ?? lastId;
              invalidate(message);
            },
            (id) => {
              lastId = id;
            },
          );
          if (outcome === 'unauthorized') {
            onUnauthorized();
            return;
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        setState('offline');
        await new Promise((resolve) => window.setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    })();
    return () => {
      abort.abort();
    };
  }, [enabled, queries, onUnauthorized]);
  return state;
}
