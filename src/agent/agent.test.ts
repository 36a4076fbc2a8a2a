import { describe, expect, it } from 'vitest';
import type { NodeReading } from '../core/fleet/readings.js';
import { ApiError, ServerUnreachableError } from '../client/api.js';
import type { AgentOptions } from './agent.js';
import { runAgent } from './agent.js';
import { backoffMs } from './backoff.js';
import { AgentReadError } from './errors.js';

/**
 * The agent's loop with everything injected: a reader, a server that fails on cue, a clock and
 * a sleep that only record. What an operator relies on: one heartbeat per interval; nothing
 * posted when the node cannot be read; on an outage, backoff with jitter and only the newest
 * reading kept; a refusal stops it; sequences only grow.
 */

const reading = (healthy = true): NodeReading => ({
  source: 'nvidia-smi',
  gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', eccUncorrectedVolatile: healthy ? 0 : 2 }],
});

const VERDICT = { gpus: 1, healthy: 1, pool: 'azure-h100', duplicate: false, unhealthy: [] };

interface Posted {
  readonly sequence: number;
  readonly observedAt: string;
  readonly reading: NodeReading;
}

/** An agent whose server answers from `answers` in turn (then OK), stopped after `ticks` reads. */
function harness(options: {
  answers?: (Error | undefined)[];
  reads?: (NodeReading | Error)[];
  ticks: number;
  once?: boolean;
}) {
  const posted: Posted[] = [];
  const sleeps: number[] = [];
  const lines: string[] = [];
  const controller = new AbortController();
  let clock = Date.parse('2026-12-05T00:00:00Z');
  let reads = 0;
  let lastOk = false;
  const answers = [...(options.answers ?? [])];
  const agent: AgentOptions = {
    api: {
      post: (_path, body) => {
        posted.push(body as Posted);
        const answer = answers.shift();
        lastOk = answer === undefined;
        return answer ? Promise.reject(answer) : Promise.resolve(VERDICT);
      },
    },
    node: 'n1',
    site: 'azure-us-east',
    intervalMs: 30_000,
    once: options.once ?? false,
    read: () => {
      const next = options.reads?.[reads] ?? reading();
      reads += 1;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    now: () => new Date(clock),
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      // Stop once the last reading has gone through (or could not be read).
      if (reads >= options.ticks && (lastOk || options.reads?.[reads - 1] instanceof Error))
        controller.abort();
      return Promise.resolve();
    },
    random: () => 0.5,
    log: (line) => lines.push(line),
    signal: controller.signal,
  };
  return { agent, posted, sleeps, lines };
}

describe('backoffMs', () => {
  it('doubles from the base up to the cap, with full jitter', () => {
    const limits = { baseMs: 1000, capMs: 60_000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, limits, () => 0.5))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(backoffMs(30, limits, () => 0.999)).toBe(59_940);
    expect(backoffMs(5, limits, () => 0)).toBe(0);
  });
});

describe('runAgent', () => {
  it('posts one heartbeat per reading, with growing sequences, and logs only changes', async () => {
    const h = harness({ ticks: 3 });
    expect(await runAgent(h.agent)).toBe(0);
    expect(h.posted).toHaveLength(3);
    const sequences = h.posted.map((p) => p.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(3);
    expect(h.posted[0]).toMatchObject({ node: 'n1', site: 'azure-us-east', intervalSeconds: 30 });
    expect(h.lines).toEqual(['1 GPU, 1 healthy (pool azure-h100)']);
  });

  it('never posts when the node cannot be read, and keeps trying (exit 2 with --once)', async () => {
    const unreadable = new AgentReadError('nvidia-smi not found on PATH');
    const h = harness({ ticks: 3, reads: [unreadable, unreadable, reading()] });
    expect(await runAgent(h.agent)).toBe(0);
    expect(h.posted).toHaveLength(1);
    expect(h.lines[0]).toBe(
      'cannot read the node: nvidia-smi not found on PATH; trying again in 30 s',
    );
    const once = harness({ ticks: 1, reads: [unreadable], once: true });
    expect(await runAgent(once.agent)).toBe(2);
    expect(once.posted).toEqual([]);
  });

  it('retries an unreachable server with backoff, then sends the same heartbeat once it is back', async () => {
    const away = new ServerUnreachableError('http://x', 'ECONNREFUSED');
    const h = harness({ ticks: 1, answers: [away, away, away] });
    expect(await runAgent(h.agent)).toBe(0);
    // Four tries of one reading: the same sequence each time (the server keeps it once).
    expect(h.posted.map((p) => p.sequence)).toEqual(Array(4).fill(h.posted[0]?.sequence));
    expect(h.sleeps.slice(0, 3)).toEqual([500, 1000, 2000]);
    expect(h.lines).toContain('server reachable again after 3 failed tries');
  });

  it('keeps only the newest reading through a long outage: no queue, no flood on return', async () => {
    const away = new ServerUnreachableError('http://x', 'ECONNREFUSED');
    // Long enough that backoff passes the interval: the agent reads again instead of queueing.
    const h = harness({
      ticks: 4,
      answers: Array<Error>(12).fill(away),
      // Healthy at first; from the fourth reading on, GPU 0 has ECC errors.
      reads: Array.from({ length: 20 }, (_, index) => reading(index < 3)),
    });
    expect(await runAgent(h.agent)).toBe(0);
    const delivered = h.posted.at(-1);
    // What finally went through is the last reading, and nothing older was sent after it.
    expect(delivered?.reading.gpus[0]?.eccUncorrectedVolatile).toBe(2);
    // Each new reading replaced the unsent one: sequences never go back, and the one that
    // went through is the newest (one post on return, not the backlog).
    const sequences = h.posted.map((p) => p.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(h.posted.filter((p) => p.sequence === delivered?.sequence).length).toBeGreaterThan(0);
    expect(h.lines.some((line) => line.includes('reading again before retrying'))).toBe(true);
  });

  it('stops on a refusal (403, 400): sending it again would not help', async () => {
    const refused = new ApiError(403, 'forbidden', 'this operator token is for site abilene', []);
    const h = harness({ ticks: 5, answers: [refused] });
    expect(await runAgent(h.agent)).toBe(2);
    expect(h.posted).toHaveLength(1);
    expect(h.lines).toEqual([
      'heartbeat refused: 403 forbidden: this operator token is for site abilene',
    ]);
  });

  it('with --once, gives up after four tries of an unreachable server (exit 1)', async () => {
    const away = new ServerUnreachableError('http://x', 'ECONNREFUSED');
    const h = harness({ ticks: 1, once: true, answers: Array<Error>(10).fill(away) });
    expect(await runAgent(h.agent)).toBe(1);
    expect(h.posted).toHaveLength(4);
    expect(h.lines.at(-1)).toMatch(/^heartbeat not sent after 4 tries: cannot reach/);
  });

  it('goes past a later sequence the server holds (a clock gone back), saying so', async () => {
    const posted: number[] = [];
    const lines: string[] = [];
    const controller = new AbortController();
    let clock = Date.parse('2026-12-05T00:00:00Z');
    const held = clock + 3_600_000; // the server saw this node an hour "ahead"
    await runAgent({
      api: {
        post: (_path, body) => {
          const { sequence } = body as Posted;
          posted.push(sequence);
          if (posted.length === 2) controller.abort();
          return Promise.resolve({
            ...VERDICT,
            sequence: Math.max(sequence, held),
            duplicate: sequence <= held,
          });
        },
      },
      node: 'n1',
      site: 'azure-us-east',
      intervalMs: 30_000,
      once: false,
      read: () => Promise.resolve(reading()),
      now: () => new Date(clock),
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
      random: () => 0.5,
      log: (line) => lines.push(line),
      signal: controller.signal,
    });
    expect(posted[0]).toBeLessThan(held);
    expect(posted[1]).toBe(held + 1);
    expect(lines[0]).toMatch(/^the server holds a later heartbeat of this node \(sequence \d+\)/);
  });
});
