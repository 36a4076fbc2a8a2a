#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../cli/table.js';

/**
 * `npm run bench:decisions`: the decision commands of issue 15, each timed as a user runs it —
 * the whole command, `node dist/cli/bin.js …`, start-up and worker threads included — on two
 * cores (`taskset -c 0,1` where the machine has more and taskset exists).
 *
 * 1. `stargate clauses` on the example, singles and pairs (target ≤ 10 s).
 *
 * Each row is the median of several runs (the first, which warms the disk cache, is dropped).
 * Prints a table and writes bench/results-decisions.json.
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-decisions.json';
const REPEAT = Number(process.env.STARGATE_BENCH_REPEAT ?? 3);
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

interface Row {
  readonly name: string;
  readonly command: string;
  readonly targetSeconds: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly repetitions: number;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

/** The command on two cores: pinned where the machine has more, as it is where it has two. */
const PIN = availableParallelism() > 2 && hasTaskset() ? ['taskset', '-c', '0,1'] : [];

function runOnce(args: readonly string[]): number {
  const [program = process.execPath, ...rest] = [...PIN, process.execPath, BIN, ...args];
  const start = performance.now();
  const result = spawnSync(program, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) {
    throw new Error(`stargate ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  }
  return seconds;
}

function measure(name: string, args: readonly string[], targetSeconds: number): Row {
  runOnce(args);
  const seconds: number[] = [];
  for (let i = 0; i < REPEAT; i++) seconds.push(runOnce(args));
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    name,
    command: `stargate ${args.join(' ')}`,
    targetSeconds,
    medianSeconds: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    minSeconds: sorted[0] ?? NaN,
    maxSeconds: sorted[sorted.length - 1] ?? NaN,
    repetitions: REPEAT,
  };
}

const rows: Row[] = [
  measure('clauses, singles and pairs', ['clauses', EXAMPLE, '--format', 'json'], 10),
];

const fixed = (x: number) => x.toFixed(2);
console.log(
  renderTable(
    ['BENCHMARK', 'TARGET S', 'MEDIAN S', 'MIN S', 'MAX S', 'MET'],
    rows.map((r) => [
      r.name,
      fixed(r.targetSeconds),
      fixed(r.medianSeconds),
      fixed(r.minSeconds),
      fixed(r.maxSeconds),
      r.medianSeconds <= r.targetSeconds ? 'yes' : 'NO',
    ]),
    ['left', 'right', 'right', 'right', 'right', 'left'],
  ),
);
console.log(
  `${PIN.length > 0 ? 'pinned to cores 0,1 of' : 'on'} ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
await mkdir(dirname(OUTPUT), { recursive: true });
await writeFile(
  OUTPUT,
  `${JSON.stringify(
    {
      machine: {
        cores: availableParallelism(),
        pinned: PIN.length > 0,
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
      },
      rows,
    },
    null,
    2,
  )}\n`,
);
