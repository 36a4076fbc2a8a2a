import { csvLine, grouped } from '../../core/format.js';
import type { Micros } from '../../core/money.js';
import { formatUSDCompact, toCents } from '../../core/money.js';
import type { PlanOnDraws } from '../../core/risk/hedge.js';
import type { PlanRisk } from '../../core/risk/risk.js';
import type { HedgeReport, RiskSource } from '../../core/risk/risk-json.js';
import { renderTable } from '../table.js';
import { percent, usd } from './units.js';

/** What the risk report was run with, for its header. */
export interface RiskRun extends RiskSource {
  /** Rows of the workload and building tables in the text report. */
  readonly top: number;
}

const money = (micros: Micros) => formatUSDCompact(toCents(micros));
const signed = (micros: Micros) => (micros > 0n ? `+${money(micros)}` : money(micros));
const months = (gpuMonths: number) => grouped(Math.round(gpuMonths));

/**
 * The plan under slip risk for people: the answer first (expected cost beside the nominal,
 * p50/p90 unmet GPU-months), then the workloads most often left short and the buildings whose
 * slip costs most.
 */
export function formatRiskText(risk: PlanRisk, run: RiskRun, hedge?: HedgeReport): string {
  const out: string[] = [];
  const extra = risk.total.mean - risk.nominal.total;
  out.push(
    `Plan under slip risk for ${risk.scenario}: ${grouped(risk.runs)} runs, seed ${run.seed}, slip correlation ${risk.correlation}; ${risk.slipping} of ${risk.buildings} buildings have a delay distribution`,
    `Plan: ${run.plan}. Recourse: work on a building not yet online moves to the cheapest eligible pool with room that month, else is unmet (gangs move whole or not at all).`,
    '',
    `Expected total cost ${money(risk.total.mean)} (nominal ${money(risk.nominal.total)}, ${signed(extra)}); p50 ${money(risk.total.p50)}, p90 ${money(risk.total.p90)}`,
    `Unmet GPU-months: p50 ${months(risk.unmetGpuMonths.p50)}, p90 ${months(risk.unmetGpuMonths.p90)}, mean ${months(risk.unmetGpuMonths.mean)} (nominal ${months(risk.nominal.unmetGpuMonths)})`,
    `Runs costlier than the nominal plan: ${grouped(risk.runsCostlier)} of ${grouped(risk.runs)} (${percent(risk.runsCostlier / risk.runs)})`,
    '',
  );
  const workloads = risk.workloads.slice(0, run.top);
  out.push(
    workloads.length === 0
      ? 'No run leaves short a workload the plan serves.'
      : `Workloads most often left short (${workloads.length} of ${risk.workloads.length}):`,
  );
  if (workloads.length > 0) {
    out.push(
      renderTable(
        ['WORKLOAD', 'RUNS SHORT', 'MEAN GPU-MONTHS SHORT'],
        workloads.map((w) => [
          w.workload,
          percent(w.runsShort / risk.runs),
          w.meanGpuMonthsShort >= 100
            ? months(w.meanGpuMonthsShort)
            : w.meanGpuMonthsShort.toFixed(1),
        ]),
        ['left', 'right', 'right'],
        '  ',
      ),
    );
  }
  out.push('');
  const buildings = risk.byBuilding.slice(0, run.top);
  if (buildings.length > 0) {
    out.push(
      `Buildings by expected extra cost of their slip, each alone (${buildings.length} of ${risk.byBuilding.length}):`,
      renderTable(
        ['BUILDING', 'RUNS SLIPPED', 'MEAN SLIP', 'EXPECTED EXTRA COST'],
        buildings.map((b) => [
          b.building,
          percent(b.runsSlipped / risk.runs),
          `${b.meanSlipMonths.toFixed(1)} mo`,
          signed(b.expectedExtraCost),
        ]),
        ['left', 'right', 'right', 'right'],
        '  ',
      ),
    );
    const alone = risk.byBuilding.reduce((sum, b) => sum + b.expectedExtraCost, 0n);
    out.push(
      `  Each alone adds up to ${signed(alone)}; together they add ${signed(extra)}: slips interact (buildings late together compete for the same spare room; a gang dropped for one is not dropped twice).`,
    );
  } else out.push('No building has a delay distribution: the plan runs as scheduled.');
  if (hedge) out.push('', ...hedgeText(hedge, risk.runs, run.seed));
  return `${out.join('\n')}\n`;
}

const candidateName = (quantile: number) =>
  quantile === 0 ? 'nominal (as scheduled)' : `buildings at their p${quantile} slip`;

function hedgeText(hedge: HedgeReport, runs: number, seed: number): string[] {
  const row = (name: string, r: PlanOnDraws) => [
    name,
    money(r.nominal),
    money(r.total.mean),
    money(r.total.p90),
    months(r.unmetGpuMonths.p50),
    months(r.unmetGpuMonths.p90),
  ];
  const header = ['PLAN', 'NO SLIP', 'EXPECTED', 'P90 COST', 'P50 UNMET', 'P90 UNMET'];
  const align = ['left', 'right', 'right', 'right', 'right', 'right'] as const;
  const gain = hedge.nominal.total.mean - hedge.hedged.total.mean;
  return [
    `Hedged plan (sample-average approximation over ${grouped(hedge.samples)} draws, seed ${hedge.inSampleSeed}): each candidate is planned as if every building were online at a percentile of its drawn slips; the lowest in-sample expected cost wins.`,
    renderTable(
      header,
      hedge.candidates.map((c) => row(candidateName(c.quantile), c.inSample)),
      [...align],
      '  ',
    ),
    `On the ${grouped(runs)} held-out draws above (seed ${seed}), nominal against chosen (${hedge.chosen === 0 ? 'the nominal plan itself' : candidateName(hedge.chosen)}):`,
    renderTable(
      header,
      [row('nominal', hedge.nominal), row('hedged', hedge.hedged)],
      [...align],
      '  ',
    ),
    hedge.chosen === 0
      ? '  No hedge beat the nominal plan in sample: the nominal plan stands.'
      : `  The hedge ${gain >= 0n ? 'saves' : 'costs'} ${money(gain >= 0n ? gain : -gain)} in expectation on held-out draws, for ${signed(hedge.hedged.nominal - hedge.nominal.nominal)} if nothing slips.`,
  ];
}

/**
 * The report as CSV: one row per measure (`section,id,measure,value`), so the summary, the
 * workloads and the buildings share one table.
 */
export function riskToCsv(risk: PlanRisk, hedge?: HedgeReport): string {
  const dollars = (micros: Micros) => usd(toCents(micros));
  const rows: (string | number)[][] = [['section', 'id', 'measure', 'value']];
  rows.push(
    ['summary', '', 'runs', risk.runs],
    ['summary', '', 'correlation', risk.correlation],
    ['summary', '', 'nominal_total_usd', dollars(risk.nominal.total)],
    ['summary', '', 'expected_total_usd', dollars(risk.total.mean)],
    ['summary', '', 'p10_total_usd', dollars(risk.total.p10)],
    ['summary', '', 'p50_total_usd', dollars(risk.total.p50)],
    ['summary', '', 'p90_total_usd', dollars(risk.total.p90)],
    ['summary', '', 'nominal_unmet_gpu_months', risk.nominal.unmetGpuMonths],
    ['summary', '', 'p50_unmet_gpu_months', risk.unmetGpuMonths.p50],
    ['summary', '', 'p90_unmet_gpu_months', risk.unmetGpuMonths.p90],
    ['summary', '', 'mean_unmet_gpu_months', risk.unmetGpuMonths.mean],
    ['summary', '', 'runs_costlier', risk.runsCostlier],
  );
  for (const w of risk.workloads) {
    rows.push(['workload', w.workload, 'runs_short', w.runsShort]);
    rows.push(['workload', w.workload, 'mean_gpu_months_short', w.meanGpuMonthsShort]);
  }
  for (const b of risk.byBuilding) {
    rows.push(['building', b.building, 'runs_slipped', b.runsSlipped]);
    rows.push(['building', b.building, 'mean_slip_months', b.meanSlipMonths]);
    rows.push(['building', b.building, 'expected_extra_cost_usd', dollars(b.expectedExtraCost)]);
  }
  if (hedge) {
    const add = (id: string, r: PlanOnDraws) => {
      rows.push(['hedge', id, 'no_slip_total_usd', dollars(r.nominal)]);
      rows.push(['hedge', id, 'expected_total_usd', dollars(r.total.mean)]);
      rows.push(['hedge', id, 'p90_total_usd', dollars(r.total.p90)]);
      rows.push(['hedge', id, 'p50_unmet_gpu_months', r.unmetGpuMonths.p50]);
      rows.push(['hedge', id, 'p90_unmet_gpu_months', r.unmetGpuMonths.p90]);
    };
    for (const c of hedge.candidates) add(`in-sample-p${c.quantile}`, c.inSample);
    rows.push(['hedge', '', 'chosen_slip_percentile', hedge.chosen]);
    add('held-out-nominal', hedge.nominal);
    add('held-out-hedged', hedge.hedged);
  }
  return `${rows.map(csvLine).join('\n')}\n`;
}
