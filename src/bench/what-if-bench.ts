#!/usr/bin/env node
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { renderTable } from '../cli/table.js';
import type { ServerProcess } from '../tools/server-process.js';
import { EXAMPLE, api, sleep, startServer, stopAllServers } from '../tools/server-process.js';

/**
 * `npm run bench:what-if`: `POST /v1/what-if` on the example, in a warm `stargate serve` on the
 * embedded PGlite default, one plan stored. Each what-if changes one thing a planner would try
 * (a building's online month, a commitment's minimum, a pool's price), cycling so that no two
 * neighbours are the same. Measures, from the client on loopback:
 *
 * - the first answer (the response: fast plan with its proven gap), p50 and p95 — target
 *   p95 ≤ 300 ms;
 * - the exact answer (until `GET /v1/what-if/{id}` says done; the requests are one at a time,
 *   so each exact solve runs alone), p50 and p95.
 *
 * Prints a table and writes bench/results-what-if.json.
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-what-if.json';
const RUNS = Number(process.env.STARGATE_BENCH_RUNS ?? 40);
const WARM_UP = 3;
const TARGET_P95_MS = 300;

const MONTHS = ['2025-09', '2025-11', '2025-12', '2026-01'];
const patches = (i: number): Record<string, unknown> => {
  switch (i % 3) {
    case 0:
      return { buildings: [{ id: 'abilene-b3', online: MONTHS[i % MONTHS.length] }] };
    case 1:
      return {
        contracts: [
          {
            id: 'msft-openai-2025',
            terms: [{ id: 'azure-commitment', minSpendUSD: 90e9 + (i % 5) * 5e9 }],
          },
        ],
      };
    default:
      return { pools: [{ id: 'azure-gb300', pricePerGpuHour: ['3.20', '3.40', '3.60'][i % 3] }] };
  }
};

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function whatIf(server: ServerProcess, token: string, i: number) {
  const started = performance.now();
  const asked = await api(server, 'POST', '/v1/what-if', { token, body: { patch: patches(i) } });
  const firstMs = performance.now() - started;
  if (asked.status !== 200) {
    throw new Error(`what-if ${i}: ${asked.status} ${JSON.stringify(asked.body)}`);
  }
  const body = asked.body as { exact: { status: string; href: string }; first: { gap: number } };
  let exactMs = firstMs;
  if (body.exact.status === 'computing') {
    for (;;) {
      const got = await api(server, 'GET', body.exact.href, { token });
      const status = (got.body as { status?: string }).status;
      if (status === 'done') break;
      if (status !== 'computing') throw new Error(`what-if ${i}: ${JSON.stringify(got.body)}`);
      await sleep(20);
    }
    exactMs = performance.now() - started;
  }
  return { firstMs, exactMs, firstGap: body.first.gap };
}

const dir = await mkdtemp(join(tmpdir(), 'stargate-what-if-'));
try {
  const server = await startServer({
    store: { dataDir: join(dir, 'data') },
    args: ['--import', EXAMPLE],
  });
  const token = server.firstToken ?? '';
  const planned = await api(server, 'POST', '/v1/plans', { token, body: {} });
  if (planned.status !== 201) throw new Error(`planning: ${JSON.stringify(planned.body)}`);
  for (let i = 0; i < WARM_UP; i++) await whatIf(server, token, i);
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await whatIf(server, token, i));
  const first = samples.map((s) => s.firstMs).sort((a, b) => a - b);
  const exact = samples.map((s) => s.exactMs).sort((a, b) => a - b);
  const gaps = samples.map((s) => s.firstGap).sort((a, b) => a - b);
  const rows = [
    {
      name: 'first answer (fast, with its gap)',
      p50Ms: percentile(first, 50),
      p95Ms: percentile(first, 95),
      maxMs: first[first.length - 1] ?? NaN,
      targetP95Ms: TARGET_P95_MS,
    },
    {
      name: 'exact answer (until GET says done)',
      p50Ms: percentile(exact, 50),
      p95Ms: percentile(exact, 95),
      maxMs: exact[exact.length - 1] ?? NaN,
      targetP95Ms: undefined,
    },
  ];
  console.log(
    renderTable(
      ['WHAT-IF ON THE EXAMPLE (WARM, PGLITE)', 'P50 MS', 'P95 MS', 'MAX MS', 'TARGET P95', 'MET'],
      rows.map((r) => [
        r.name,
        r.p50Ms.toFixed(0),
        r.p95Ms.toFixed(0),
        r.maxMs.toFixed(0),
        r.targetP95Ms === undefined ? '—' : `≤ ${r.targetP95Ms}`,
        r.targetP95Ms === undefined ? '' : r.p95Ms <= r.targetP95Ms ? 'yes' : 'NO',
      ]),
      ['left', 'right', 'right', 'right', 'right', 'left'],
    ),
  );
  console.log(
    `${RUNS} what-ifs one at a time after ${WARM_UP} to warm up; first answers' gap: median ${(percentile(gaps, 50) * 100).toFixed(3)} %, max ${((gaps[gaps.length - 1] ?? NaN) * 100).toFixed(3)} %`,
  );
  console.log(
    `on ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
  );
  await mkdir(dirname(OUTPUT), { recursive: true });
  await writeFile(
    OUTPUT,
    `${JSON.stringify(
      {
        machine: {
          cores: availableParallelism(),
          cpu: cpus()[0]?.model ?? 'unknown',
          node: process.version,
        },
        runs: RUNS,
        rows,
        firstGap: { median: percentile(gaps, 50), max: gaps[gaps.length - 1] ?? NaN },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await stopAllServers();
  await rm(dir, { recursive: true, force: true });
}
