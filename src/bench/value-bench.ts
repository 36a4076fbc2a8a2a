#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../cli/table.js';
import { seededRandom } from '../core/random.js';
import { generateScenario } from '../scenario/generate.js';

/**
 * `npm run bench:value`: `stargate value` timed as a user runs it — the whole command, start-up
 * and worker threads included — on two cores (`taskset -c 0,1` where the machine has more):
 *
 * 1. on the example (target ≤ 5 s);
 * 2. on a 5,000-workload portfolio, the planner bench's `full` rung (5,000 workloads, 300
 *    pools, 72 months, a tenth gang, seed 1; target ≤ 60 s), run once: it takes minutes.
 *
 * Prints a table and writes bench/results-value.json (STARGATE_BENCH_OUT to change).
 * `--example-only` skips the portfolio.
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-value.json';
const REPEAT = Number(process.env.STARGATE_BENCH_REPEAT ?? 3);
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

interface Row {
  readonly name: string;
  readonly command: string;
  readonly targetSeconds: number;
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  /** The command's own account of its re-plans (how many from LPs, how many planned). */
  readonly replans: string;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const PIN = availableParallelism() > 2 && hasTaskset ? ['taskset', '-c', '0,1'] : [];

function runOnce(args: readonly string[]): { seconds: number; replans: string } {
  const [program = process.execPath, ...rest] = [...PIN, process.execPath, BIN, ...args];
  const start = performance.now();
  const result = spawnSync(program, rest, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) {
    throw new Error(`stargate ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  }
  const { replans } = JSON.parse(result.stdout) as { replans: string };
  return { seconds, replans };
}

function measure(name: string, args: readonly string[], target: number, repeat: number): Row {
  const runs = Array.from({ length: repeat }, () => runOnce(args));
  const seconds = runs.map((r) => r.seconds);
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    name,
    command: `stargate ${args.join(' ')}`,
    targetSeconds: target,
    seconds,
    medianSeconds: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    replans: runs[0]?.replans ?? '',
  };
}

const directory = await mkdtemp(join(tmpdir(), 'stargate-value-bench-'));
const portfolio = join(directory, 'portfolio-5000.json');
await writeFile(
  portfolio,
  JSON.stringify(
    generateScenario({
      workloads: 5000,
      pools: 300,
      months: 72,
      gangShare: 0.1,
      random: seededRandom(1),
    }),
  ),
);
// The development machine is shared: the load around the runs says how far to trust a wall time.
const loadBefore = loadavg()[0] ?? 0;
const rows: Row[] = [];
try {
  rows.push(measure('example', ['value', EXAMPLE, '--format', 'json'], 5, REPEAT));
  if (!process.argv.includes('--example-only')) {
    rows.push(measure('5,000 workloads', ['value', portfolio, '--format', 'json'], 60, 1));
  }
} finally {
  await rm(directory, { recursive: true, force: true });
}

console.log(
  renderTable(
    ['BENCHMARK', 'TARGET S', 'MEDIAN S', 'RUNS S', 'MET', 'RE-PLANS'],
    rows.map((r) => [
      r.name,
      r.targetSeconds.toFixed(0),
      r.medianSeconds.toFixed(2),
      r.seconds.map((s) => s.toFixed(2)).join(' '),
      r.medianSeconds <= r.targetSeconds ? 'yes' : 'NO',
      r.replans,
    ]),
    ['left', 'right', 'right', 'left', 'left', 'left'],
  ),
);
const loadAfter = loadavg()[0] ?? 0;
console.log(
  `${PIN.length > 0 ? 'pinned to cores 0,1 of' : 'on'} ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
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
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      rows,
    },
    null,
    2,
  )}\n`,
);
