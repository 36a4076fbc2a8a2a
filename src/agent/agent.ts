import type { NodeReading } from '../core/fleet/readings.js';
import type { ApiClient } from '../client/api.js';
import { ApiError, ServerUnreachableError } from '../client/api.js';
import { backoffMs } from './backoff.js';
import { AgentReadError } from './errors.js';

/**
 * The node agent's loop: every interval, read the node (nvidia-smi or a DCGM exporter) and post
 * one heartbeat. It keeps only the latest reading: while the server is away it retries with
 * exponential backoff and jitter and, at each interval, swaps in a fresh reading rather than
 * queueing one more, so memory stays flat however long the outage, and the server gets one
 * heartbeat on its return, not a flood. Sequences come from the clock in milliseconds and only
 * grow, so a restarted agent is never mistaken for a repeat.
 */

export interface AgentOptions {
  readonly api: Pick<ApiClient, 'post'>;
  readonly node: string;
  readonly site: string;
  readonly pool?: string | undefined;
  readonly intervalMs: number;
  /** One reading and one heartbeat, then exit: 0 sent, 2 unreadable node or refused, 1 server away. */
  readonly once: boolean;
  readonly read: () => Promise<NodeReading>;
  readonly now: () => Date;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly log: (line: string) => void;
  /** Stops the loop (SIGINT, SIGTERM, a test). */
  readonly signal: AbortSignal;
  /** Tries of one heartbeat before `--once` gives up (default 4). */
  readonly onceAttempts?: number;
}

/** The server's answer to a heartbeat, as much of it as the agent prints. */
interface Verdict {
  /** The node's latest sequence the server holds. */
  readonly sequence?: number;
  readonly gpus: number;
  readonly healthy: number;
  readonly pool?: string;
  readonly duplicate: boolean;
  readonly unhealthy: readonly { gpu: number; reasons: readonly string[] }[];
}

const RETRY = { baseMs: 1000, capMs: 60_000 };

export async function runAgent(options: AgentOptions): Promise<number> {
  const { log, signal } = options;
  let sequence = 0;
  const nextSequence = () => {
    sequence = Math.max(sequence + 1, options.now().getTime());
    return sequence;
  };
  let lastSummary: string | undefined;
  let failures = 0;
  let pending: { body: unknown; readAt: number } | undefined;

  while (!signal.aborted) {
    const tickStart = options.now().getTime();
    const reading = await readNode(options);
    if (reading === 'unreadable') {
      if (options.once) return 2;
      // A reading not sent by now is older than an interval: not to be posted as current.
      pending = undefined;
    } else {
      // The newest reading replaces one not yet sent: latest state, never a queue.
      pending = { body: heartbeat(options, reading, nextSequence()), readAt: tickStart };
    }
    // Send the pending heartbeat, retrying with backoff until it goes or the next reading is due.
    while (pending && !signal.aborted) {
      try {
        const verdict = (await options.api.post('/v1/heartbeats', pending.body)) as Verdict;
        if (verdict.duplicate && failures === 0 && (verdict.sequence ?? 0) >= sequence) {
          // Not a resend: the server holds a later sequence for this node (this host's clock
          // went back, or another agent runs under the same --node-name). Go past it.
          log(
            `the server holds a later heartbeat of this node (sequence ${verdict.sequence ?? '?'}); is another agent running as ${options.node}, or did the clock go back? Continuing after it`,
          );
          sequence = verdict.sequence ?? sequence;
        }
        pending = undefined;
        if (failures > 0) log(`server reachable again after ${failures} failed tries`);
        failures = 0;
        const summary = describe(verdict);
        if (summary !== lastSummary || options.once) log(summary);
        lastSummary = summary;
      } catch (error) {
        if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
          // The server refused what was sent (a site the token is not for, an unknown GPU
          // part): sending it again will not help, so stop and say why.
          log(`heartbeat refused: ${error.status} ${error.code}: ${error.message}`);
          for (const problem of error.problems) log(`  ${problem.path}: ${problem.message}`);
          return 2;
        }
        failures += 1;
        const why =
          error instanceof ServerUnreachableError || error instanceof ApiError
            ? error.message
            : String(error);
        if (options.once && failures >= (options.onceAttempts ?? 4)) {
          log(`heartbeat not sent after ${failures} tries: ${why}`);
          return 1;
        }
        const wait = backoffMs(failures, RETRY, options.random);
        const untilNextReading = tickStart + options.intervalMs - options.now().getTime();
        if (!options.once && wait >= untilNextReading) {
          log(
            `heartbeat not sent (${why}); ${failures} failed tries; reading again before retrying`,
          );
          break;
        }
        if (failures === 1 || failures % 10 === 0)
          log(`heartbeat not sent (${why}); retrying in ${(wait / 1000).toFixed(1)} s`);
        await options.sleep(wait, signal);
      }
    }
    if (options.once) return signal.aborted ? 1 : 0;
    const rest = tickStart + options.intervalMs - options.now().getTime();
    if (rest > 0) await options.sleep(rest, signal);
  }
  return 0;
}

async function readNode(options: AgentOptions): Promise<NodeReading | 'unreadable'> {
  try {
    const reading = await options.read();
    for (const warning of reading.warnings ?? []) options.log(`warning: ${warning}`);
    return reading;
  } catch (error) {
    if (!(error instanceof AgentReadError)) throw error;
    options.log(
      `cannot read the node: ${error.message}${options.once ? '' : `; trying again in ${options.intervalMs / 1000} s`}`,
    );
    return 'unreadable';
  }
}

function heartbeat(options: AgentOptions, reading: NodeReading, sequence: number) {
  return {
    node: options.node,
    site: options.site,
    ...(options.pool === undefined ? {} : { pool: options.pool }),
    sequence,
    intervalSeconds: Math.max(1, Math.round(options.intervalMs / 1000)),
    observedAt: options.now().toISOString(),
    reading,
  };
}

/** One line per change: `node gpu-01: 8 GPUs, 7 healthy (pool abilene-b1); GPU 3: …`. */
function describe(verdict: Verdict): string {
  const head = `${verdict.gpus} GPU${verdict.gpus === 1 ? '' : 's'}, ${verdict.healthy} healthy${verdict.pool === undefined ? ' (no pool: pass --pool)' : ` (pool ${verdict.pool})`}`;
  const sick = verdict.unhealthy.map((u) => `GPU ${u.gpu}: ${u.reasons.join('; ')}`);
  return [head, ...sick].join('; ');
}
