#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { runAgent } from '../agent/agent.js';
import { ServerUnreachableError } from '../client/api.js';
import type { NodeReading } from '../core/fleet/readings.js';

/**
 * The node agent's memory over a long run, for the fleet bench: `runAgent` in this process with
 * a fake server (a fixed verdict; every 1000th post fails as unreachable, so the retry path
 * runs), a fake reader (eight H100s), a clock that moves 30 s per reading and a sleep that
 * returns at once, so 100,000 heartbeats (about 35 days of them) pass in seconds. The heap is
 * measured after a full collection at fixed heartbeat counts.
 *
 *     node --expose-gc dist/bench/agent-memory.js [HEARTBEATS]
 *
 * Prints one JSON object on stdout.
 */

const INTERVAL_MS = 30_000;
const FAIL_EVERY = 1000;

export interface HeapSample {
  readonly heartbeats: number;
  readonly heapUsed: number;
  readonly rss: number;
}

function gpus(at: number): NodeReading['gpus'] {
  return Array.from({ length: 8 }, (_, index) => ({
    index,
    uuid: `GPU-4337529d-7956-3dfb-5b95-828a478c72a${index}`,
    name: 'NVIDIA H100 80GB HBM3',
    busId: `00000000:${(0x18 + index * 0x10).toString(16).toUpperCase()}:00.0`,
    memoryMiB: 81559,
    // A fresh object every reading, with values that move, as a real reader's would.
    temperatureC: 55 + ((at / INTERVAL_MS + index) % 20),
    powerDrawW: 400 + ((at / INTERVAL_MS) % 290),
    powerLimitW: 700,
    defaultPowerLimitW: 700,
    eccUncorrectedVolatile: 0,
    clockEventReasons: [],
  }));
}

async function main(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    process.stderr.write('run with node --expose-gc\n');
    return 2;
  }
  const heartbeats = Number(process.argv[2] ?? 100_000);
  const marks = new Set([0, 10_000, 50_000, heartbeats].filter((n) => n <= heartbeats));
  const samples: HeapSample[] = [];
  const sample = (n: number) => {
    gc();
    const usage = process.memoryUsage();
    samples.push({ heartbeats: n, heapUsed: usage.heapUsed, rss: usage.rss });
  };
  const stop = new AbortController();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let posts = 0;
  let sent = 0;
  let failed = 0;
  const verdict = { gpus: 8, healthy: 8, pool: 'azure-h100', duplicate: false, unhealthy: [] };
  sample(0);
  const started = performance.now();
  const code = await runAgent({
    api: {
      post: () => {
        posts += 1;
        if (posts % FAIL_EVERY === 0) {
          failed += 1;
          return Promise.reject(
            new ServerUnreachableError('http://127.0.0.1:1', 'connect ECONNREFUSED'),
          );
        }
        sent += 1;
        if (marks.has(sent)) sample(sent);
        if (sent >= heartbeats) stop.abort();
        return Promise.resolve(verdict);
      },
    },
    node: 'gpu-az-00001',
    site: 'azure-us-east',
    pool: 'azure-h100',
    intervalMs: INTERVAL_MS,
    once: false,
    read: () => {
      clock += INTERVAL_MS;
      return Promise.resolve({
        source: 'nvidia-smi',
        driverVersion: '580.159.04',
        cudaVersion: '13.0',
        gpus: gpus(clock),
      });
    },
    now: () => new Date(clock),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    log: () => undefined,
    signal: stop.signal,
  });
  const seconds = (performance.now() - started) / 1000;
  const at = (n: number) => samples.find((s) => s.heartbeats === n)?.heapUsed ?? 0;
  process.stdout.write(
    `${JSON.stringify({
      exitCode: code,
      heartbeats: sent,
      failedPosts: failed,
      simulatedDays: Math.round(((sent * INTERVAL_MS) / 86_400_000) * 10) / 10,
      seconds: Math.round(seconds * 10) / 10,
      samples,
      // From 10,000 on: the first thousands include the code V8 compiles as the loop warms up.
      growthBytes: at(heartbeats) - at(Math.min(10_000, heartbeats)),
      growthFromStartBytes: at(heartbeats) - at(0),
    })}\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `agent memory bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
