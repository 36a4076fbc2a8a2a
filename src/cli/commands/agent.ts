import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { runAgent } from '../../agent/agent.js';
import { NODE_NAME_PATTERN } from '../../core/fleet/readings.js';
import { readDcgm } from '../../agent/dcgm.js';
import { readNvidiaSmi } from '../../agent/nvidia-smi.js';
import type { FlagValue } from '../args.js';
import { parseCommandArgs } from '../args.js';
import { ApiClient } from '../../client/api.js';
import { CONNECTION_FLAGS, connectionFrom, serverUrl } from '../client/connection.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { agentUsage } from '../usage.js';

export { agentUsage };

/**
 * `stargate agent`: runs on a GPU node and reports its GPUs to the server every interval
 * (docs/agent.md). Its token is an operator token bound to the node's site.
 */
export async function agentCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    'agent',
    argv,
    {
      ...CONNECTION_FLAGS,
      site: { type: 'string' },
      pool: { type: 'string' },
      interval: { type: 'string' },
      once: { type: 'boolean' },
      'node-name': { type: 'string' },
      dcgm: { type: 'string' },
    },
    { min: 0, max: 0, usage: agentUsage },
  );
  const site = values['site'];
  if (typeof site !== 'string' || site === '') {
    throw new UsageError(
      `agent: --site is required: the site this node is at\nUsage: ${agentUsage}`,
    );
  }
  const pool = typeof values['pool'] === 'string' ? values['pool'] : undefined;
  const intervalMs = durationMs('interval', values['interval'], 30_000);
  const node = nodeName(values['node-name']);
  const dcgm = typeof values['dcgm'] === 'string' ? serverUrl(values['dcgm']) : undefined;
  const connection = connectionFrom(values);
  // An answer slower than the interval is as good as none: the next reading is due.
  const api = new ApiClient(connection, undefined, Math.min(intervalMs, 15_000));

  const read = dcgm
    ? () => readDcgm(fetchText, dcgm)
    : () => readNvidiaSmi((file, args) => run(file, args));
  const stop = new AbortController();
  const onSignal = () => {
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const once = values['once'] === true;
  io.err(
    `stargate agent: node ${node} at site ${site}${pool === undefined ? '' : `, pool ${pool}`}, reading ${dcgm ? `the DCGM exporter at ${dcgm}` : 'nvidia-smi'}, reporting to ${connection.server}${once ? ' once' : ` every ${intervalMs / 1000} s`}\n`,
  );
  try {
    return await runAgent({
      api,
      node,
      site,
      pool,
      intervalMs,
      once,
      read,
      now: () => new Date(),
      sleep: async (ms, signal) => {
        await delay(ms, undefined, { signal }).catch(() => undefined);
      },
      random: Math.random,
      log: (line) => {
        io.err(`${new Date().toISOString()} ${node}: ${line}\n`);
      },
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** nvidia-smi, with a timeout: a hung driver must not hang the agent. */
function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: 20_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        // The same Error, with what the tool printed: errors.ts reads its code and stderr.
        if (error) reject(Object.assign(error as Error, { stdout, stderr }));
        else resolve(stdout);
      },
    );
  });
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return response.text();
}

/** `30s`, `2m`, `1h` or plain seconds; at least 1 s, at most 1 h (the server's limits). */
export function durationMs(flag: string, value: FlagValue, fallback: number): number {
  if (value === undefined) return fallback;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value) : null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match?.[2] ?? 's'] ?? 1000;
  const ms = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 3_600_000) {
    throw new UsageError(
      `--${flag}: expected a duration from 1s to 1h such as 30s, 2m or 30, got ${Array.isArray(value) ? value.join(' ') : String(value)}`,
    );
  }
  return ms;
}

/** The node's name: `--node-name`, else the host name, as the server accepts it. */
function nodeName(given: unknown): string {
  const name = typeof given === 'string' ? given : hostname();
  if (!NODE_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `--node-name: expected letters, digits, . _ - (starting with a letter or digit), got ${name}${typeof given === 'string' ? '' : ' (the host name); pass --node-name'}`,
    );
  }
  return name;
}
