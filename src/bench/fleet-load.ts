import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SimNode } from './fleet-sim.js';
import { heartbeatJson } from './fleet-sim.js';

/**
 * The fleet bench's load generator: heartbeats over keep-alive HTTP connections, each body a
 * node's pre-serialised reading with the sequence and time spliced in. The timed phase is an
 * open loop: request k is due at start + k × interval / nodes whatever the server does, so a
 * slow server shows as latency, not as a politely lower rate; a request the generator itself
 * starts late is counted, so a busy generator is not mistaken for a slow server.
 */

/** A request started this much after its time counts as late (the generator fell behind). */
export const LATE_MS = 10;

export interface Sent {
  /** HTTP status, or `error:CODE` when no response came. */
  readonly status: string;
  /** From the request's start to its response's last byte. */
  readonly ms: number;
}

export interface HeartbeatSender {
  send(body: string): Promise<Sent>;
  close(): void;
}

/** Posts heartbeats to `url` as `token`, over at most `maxSockets` kept-alive connections. */
export function heartbeatSender(url: string, token: string, maxSockets = 64): HeartbeatSender {
  const target = new URL('/v1/heartbeats', url);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const authorization = `Bearer ${token}`;
  const send = (body: string): Promise<Sent> =>
    new Promise((resolve) => {
      const started = performance.now();
      const done = (status: string) => {
        resolve({ status, ms: performance.now() - started });
      };
      const request = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            done(String(response.statusCode ?? 0));
          });
          response.on('error', (error: NodeJS.ErrnoException) => {
            done(`error:${error.code ?? 'response'}`);
          });
        },
      );
      request.setTimeout(30_000, () =>
        request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        done(`error:${error.code ?? 'request'}`);
      });
      request.end(body);
    });
  return {
    send,
    close: () => {
      agent.destroy();
    },
  };
}

/** Every node's first heartbeat, `concurrency` at a time (registration; not part of the figures). */
export async function registerFleet(
  nodes: readonly SimNode[],
  sender: HeartbeatSender,
  concurrency: number,
): Promise<{ seconds: number; statuses: Record<string, number> }> {
  const started = performance.now();
  const statuses: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    for (;;) {
      const node = nodes[next++];
      if (!node) return;
      const sent = await sender.send(heartbeatJson(node, 0, new Date().toISOString()));
      statuses[sent.status] = (statuses[sent.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - started) / 1000, statuses };
}

export interface WindowResult {
  readonly seconds: number;
  readonly offered: number;
  readonly offeredPerSecond: number;
  readonly ok: number;
  /** Successful heartbeats per second, from the window's start to the last response. */
  readonly achievedPerSecond: number;
  readonly statuses: Record<string, number>;
  /** Latency from the request's start (ms), of every response. */
  readonly latency: Percentiles;
  /** Latency from the request's due time (ms): what a node would see if the generator's lag were the network's. */
  readonly latencyFromDue: Percentiles;
  /** Requests started more than LATE_MS after their due time, and the worst lag. */
  readonly lateStarts: number;
  readonly maxStartLagMs: number;
  /**
   * Requests slower than `slowMs` in each second of the window (index = second): whether the
   * slow ones are spread or come in bursts (a periodic job on the server, a pause).
   */
  readonly slowBySecond: readonly number[];
  /** CPU the generator used, as a share of one core. */
  readonly generatorCpu: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function percentiles(values: Float64Array): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? 0
      : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(at(1)) };
}

/**
 * The timed phase: every node sends one heartbeat per `intervalMs`, their phases spread evenly,
 * for `seconds`. Heartbeat numbers go on from `firstBeat`.
 */
export async function heartbeatWindow(
  nodes: readonly SimNode[],
  sender: HeartbeatSender,
  options: { seconds: number; intervalMs: number; firstBeat: number; slowMs: number },
): Promise<WindowResult> {
  const spacing = options.intervalMs / nodes.length;
  const total = Math.floor((options.seconds * 1000) / spacing);
  const latency = new Float64Array(total);
  const fromDue = new Float64Array(total);
  const statuses: Record<string, number> = {};
  const slowBySecond = Array.from({ length: Math.ceil(options.seconds) }, () => 0);
  let ok = 0;
  let lateStarts = 0;
  let maxStartLagMs = 0;
  let answered = 0;
  let lastAnswer = 0;
  const cpu = process.cpuUsage();
  const start = performance.now() + 50;
  let next = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const fire = (k: number) => {
    const node = nodes[k % nodes.length];
    if (!node) return;
    const due = start + k * spacing;
    const lag = performance.now() - due;
    if (lag > LATE_MS) lateStarts += 1;
    if (lag > maxStartLagMs) maxStartLagMs = lag;
    const beat = options.firstBeat + Math.floor(k / nodes.length);
    void sender.send(heartbeatJson(node, beat, new Date().toISOString())).then((sent) => {
      latency[k] = sent.ms;
      fromDue[k] = Math.max(0, lag) + sent.ms;
      if (sent.ms > options.slowMs) {
        const second = Math.floor((due - start) / 1000);
        slowBySecond[second] = (slowBySecond[second] ?? 0) + 1;
      }
      statuses[sent.status] = (statuses[sent.status] ?? 0) + 1;
      if (sent.status === '200') ok += 1;
      lastAnswer = performance.now();
      answered += 1;
      if (answered === total) finish();
    });
  };
  const tick = () => {
    const now = performance.now();
    while (next < total && start + next * spacing <= now) fire(next++);
    if (next < total) setTimeout(tick, Math.max(0, start + next * spacing - performance.now()));
  };
  setTimeout(tick, 50);
  await finished;
  const used = process.cpuUsage(cpu);
  const elapsed = (lastAnswer - start) / 1000;
  return {
    seconds: options.seconds,
    offered: total,
    offeredPerSecond: Math.round((total / options.seconds) * 10) / 10,
    ok,
    achievedPerSecond: Math.round((ok / elapsed) * 10) / 10,
    statuses,
    latency: percentiles(latency),
    latencyFromDue: percentiles(fromDue),
    lateStarts,
    maxStartLagMs: Math.round(maxStartLagMs * 10) / 10,
    slowBySecond,
    generatorCpu: Math.round(((used.user + used.system) / 1e6 / elapsed) * 100) / 100,
  };
}
