import type { StreamMessage } from '../server/stream.js';

/**
 * A test's subscriber to `GET /v1/stream`: reads the server-sent events with fetch (as the
 * dashboard does), keeps every event with the time it arrived, and lets a test wait for one.
 */

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
  /** `performance.now()` when the event was read. */
  readonly receivedAt: number;
}

export interface Subscription {
  /** Every event read so far, in order. */
  readonly events: readonly SseEvent[];
  /** The `change` events' messages, in order. */
  changes(): StreamMessage[];
  /** The first event (read already or to come) that matches; rejects after `timeoutMs` or at the end. */
  waitFor(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Whether the server has ended the stream. */
  isEnded(): boolean;
  /** Hangs up. */
  close(): void;
}

export type Opened =
  | { readonly status: 200; readonly subscription: Subscription }
  | { readonly status: number; readonly body: unknown };

function parseBlock(block: string, receivedAt: number): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    fields++;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  // A comment alone (the keep-alive) is no event.
  return fields === 0 ? undefined : { id, event, data: data.join('\n'), receivedAt };
}

/** Opens the stream at `baseUrl` (`http://127.0.0.1:PORT`) with a token and a resume point. */
export async function openStream(
  baseUrl: string,
  token: string | undefined,
  options: { lastEventId?: number | string } = {},
): Promise<Opened> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(`${baseUrl}/v1/stream`, { headers, signal: abort.signal });
  if (response.status !== 200 || !response.body) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  }
  const events: SseEvent[] = [];
  const waiters = new Set<{
    match: (event: SseEvent) => boolean;
    resolve: (event: SseEvent) => void;
    reject: (error: Error) => void;
  }>();
  let ended = false;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const pump = async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const event = parseBlock(buffer.slice(0, end), performance.now());
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!event) continue;
          events.push(event);
          for (const waiter of [...waiters]) {
            if (waiter.match(event)) {
              waiters.delete(waiter);
              waiter.resolve(event);
            }
          }
        }
      }
    } catch {
      // Hung up by close(), or the connection broke: either way the stream has ended.
    }
    ended = true;
    for (const waiter of [...waiters]) {
      waiters.delete(waiter);
      waiter.reject(new Error(`the stream ended; events read: ${JSON.stringify(events)}`));
    }
  };
  const pumped = pump();
  const subscription: Subscription = {
    events,
    changes: () =>
      events
        .filter((event) => event.event === 'change')
        .map((event) => JSON.parse(event.data) as StreamMessage),
    waitFor(match, timeoutMs = 5000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      if (ended) return Promise.reject(new Error('the stream has ended'));
      return new Promise<SseEvent>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (event: SseEvent) => {
            clearTimeout(timer);
            resolve(event);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; events read: ${JSON.stringify(events)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    ended: pumped,
    isEnded: () => ended,
    close: () => {
      abort.abort();
    },
  };
  return { status: 200, subscription };
}

/** Opens the stream and fails unless it answers 200; resolves once `ready` is read. */
export async function subscribe(
  baseUrl: string,
  token: string,
  options: { lastEventId?: number | string } = {},
): Promise<Subscription & { readonly readyId: number }> {
  const opened = await openStream(baseUrl, token, options);
  if (!('subscription' in opened)) {
    throw new Error(`GET /v1/stream answered ${opened.status}: ${JSON.stringify(opened.body)}`);
  }
  const ready = await opened.subscription.waitFor((event) => event.event === 'ready');
  return Object.assign(opened.subscription, { readyId: Number(ready.id) });
}

/** A change event with this action (and entity id, when given). */
export const changeOf =
  (action: string, entityId?: string) =>
  (event: SseEvent): boolean => {
    if (event.event !== 'change') return false;
    const message = JSON.parse(event.data) as StreamMessage;
    return message.action === action && (entityId === undefined || message.entityId === entityId);
  };
