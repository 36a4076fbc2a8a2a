#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { ledgerToJson } from '../core/ledger/ledger-json.js';
import { renderTable } from '../cli/table.js';
import { forecastCapacity } from '../core/forecast/forecast.js';
import { buildLedger } from '../core/ledger/build.js';
import { planMoney } from '../core/ledger/plan-money.js';
import { summarizeLedger } from '../core/ledger/report.js';
import type { Scenario } from '../core/model.js';
import { planToJson } from '../core/planner/plan-json.js';
import { planProblem } from '../core/planner/planner.js';
import { buildProblem } from '../core/planner/problem.js';
import { seededRandom } from '../core/random.js';
import { generateScenario } from '../scenario/generate.js';
import { addFinance, buildoutScenario } from '../scenario/generate-finance.js';
import { validateScenario } from '../scenario/parse.js';
import { readPlanDocument } from '../scenario/plan-file.js';
import { formatProblem } from '../scenario/problems.js';
import type { ScenarioInput } from '../scenario/schema.js';

/**
 * `npm run bench:ledger`: the money-and-time benchmark of issue 5.
 *
 * 1. Forecast: 10,000 Monte Carlo runs over 100 buildings × 24 quarters (target ≤ 2 s).
 * 2. Ledger: the books of a five-year plan with 5,000 workloads (target ≤ 1 s); the plan comes
 *    from the fast planner and is not timed.
 * 3. The same books the way `stargate ledger --plan plan.json --format json` makes them: the
 *    plan file parsed and validated, the books built and summed up, the JSON rendered.
 *
 * Each measurement is the median of several repetitions in one warm process (the first
 * repetition warms the JIT and is dropped), so that the numbers describe the code, not the
 * start-up. Prints a table and writes bench/results-ledger-forecast.json.
 */

const OUTPUT = process.env.STARGATE_BENCH_OUT ?? 'bench/results-ledger-forecast.json';
const REPEAT = Number(process.env.STARGATE_BENCH_REPEAT ?? 5);

interface Measurement {
  readonly name: string;
  readonly size: string;
  readonly targetSeconds: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly repetitions: number;
  readonly detail: Record<string, number | string>;
}

function scenarioOf(document: ScenarioInput): Scenario {
  const result = validateScenario(document);
  if (!result.ok) {
    throw new Error(
      `generated scenario is not valid:\n${result.problems.map(formatProblem).join('\n')}`,
    );
  }
  return result.scenario;
}

function time<T>(work: () => T): { seconds: number; value: T } {
  const start = performance.now();
  const value = work();
  return { seconds: (performance.now() - start) / 1000, value };
}

function measure<T>(
  name: string,
  size: string,
  targetSeconds: number,
  work: () => T,
  detail: (value: T) => Record<string, number | string>,
): Measurement {
  const warm = time(work);
  const seconds: number[] = [];
  let last = warm.value;
  for (let i = 0; i < REPEAT; i++) {
    const result = time(work);
    seconds.push(result.seconds);
    last = result.value;
  }
  seconds.sort((a, b) => a - b);
  return {
    name,
    size,
    targetSeconds,
    medianSeconds: round(seconds[Math.floor(seconds.length / 2)] ?? warm.seconds, 4),
    minSeconds: round(seconds[0] ?? warm.seconds, 4),
    maxSeconds: round(seconds[seconds.length - 1] ?? warm.seconds, 4),
    repetitions: seconds.length,
    detail: detail(last),
  };
}

async function main(): Promise<number> {
  const results: Measurement[] = [];

  // 1. Forecast: 100 buildings over 72 months (24 quarters), 10,000 runs.
  const buildout = scenarioOf(
    buildoutScenario({ buildings: 100, months: 72, random: seededRandom(2025) }),
  );
  results.push(
    measure(
      'forecast: Monte Carlo of slips',
      '10,000 runs × 100 buildings × 24 quarters',
      2,
      () => forecastCapacity(buildout, { runs: 10_000, random: seededRandom(1) }),
      (forecast) => {
        const last = forecast.simulation?.focusShare[forecast.quarters.length - 1];
        return {
          quarters: forecast.quarters.length,
          buildings: buildout.buildings.length,
          slipping: forecast.simulation?.slipping ?? 0,
          lastQuarterShareP10: round(last?.p10 ?? 0),
          lastQuarterShareP50: round(last?.p50 ?? 0),
          lastQuarterShareP90: round(last?.p90 ?? 0),
        };
      },
    ),
  );

  // 2. Ledger of a five-year plan with 5,000 workloads.
  const random = seededRandom(5);
  const generated = generateScenario({
    workloads: 5000,
    pools: 300,
    months: 60,
    gangShare: 0.1,
    random,
  });
  const scenario = scenarioOf(addFinance(generated, random));
  const planned = time(() => planProblem(buildProblem(scenario), { planner: 'fast' }));
  const plan = planned.value;
  results.push(
    measure(
      'ledger: books of a plan',
      '5,000 workloads × 300 pools × 60 months',
      1,
      () => {
        const ledger = buildLedger(scenario, planMoney(plan));
        return { ledger, report: summarizeLedger(ledger, 'quarter') };
      },
      ({ ledger, report }) => ({
        transactions: ledger.transactions.length,
        postings: report.totals.postings,
        parties: ledger.parties.length,
        buildings: scenario.buildings.length,
        assignments: plan.assignments.length,
        planSecondsUntimed: round(planned.seconds),
      }),
    ),
  );

  // 3. The same books as `stargate ledger --plan plan.json --format json` makes them: parse and
  // validate the plan file (every assignment included), build, sum up, render the JSON.
  const planText = JSON.stringify(planToJson(plan));
  results.push(
    measure(
      'ledger: from a plan file to JSON',
      `plan JSON of ${(planText.length / 2 ** 20).toFixed(1)} MiB, same plan`,
      1,
      () => {
        const read = readPlanDocument(JSON.parse(planText) as unknown, scenario);
        if (!read.ok) throw new Error(read.problems.map(formatProblem).join('\n'));
        const ledger = buildLedger(scenario, read.money);
        const report = summarizeLedger(ledger, 'quarter');
        return JSON.stringify(ledgerToJson(report, ledger, { source: 'file' }));
      },
      (json) => ({ outputBytes: json.length }),
    ),
  );

  const ok = results.every((r) => r.medianSeconds <= r.targetSeconds);
  process.stdout.write(
    `${renderTable(
      ['BENCHMARK', 'SIZE', 'MEDIAN', 'MIN', 'MAX', 'TARGET', 'MET'],
      results.map((r) => [
        r.name,
        r.size,
        `${r.medianSeconds.toFixed(3)} s`,
        `${r.minSeconds.toFixed(3)} s`,
        `${r.maxSeconds.toFixed(3)} s`,
        `≤ ${r.targetSeconds} s`,
        r.medianSeconds <= r.targetSeconds ? 'yes' : 'NO',
      ]),
      ['left', 'left', 'right', 'right', 'right', 'right', 'left'],
    )}\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `  ${r.name}: ${Object.entries(r.detail)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
    );
  }

  const document = {
    benchmark: 'ledger-forecast',
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    repetitions: REPEAT,
    results,
    allTargetsMet: ok,
  };
  await mkdir(dirname(OUTPUT), { recursive: true });
  await writeFile(OUTPUT, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${OUTPUT}\n`);
  return ok ? 0 : 1;
}

function round(value: number, decimals = 3): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

process.exitCode = await main();
