import { buildProblem } from '../../core/planner/problem.js';
import { seededRandom } from '../../core/random.js';
import { placementsOfRows } from '../../core/risk/placement-rows.js';
import { planRisk } from '../../core/risk/risk.js';
import type { HedgeReport } from '../../core/risk/risk-json.js';
import { riskToJson } from '../../core/risk/risk-json.js';
import type { PlanOnDraws } from '../../core/risk/hedge.js';
import { comparePlansOnDraws, slipQuantilesOf, withSlips } from '../../core/risk/hedge.js';
import type { Placement, Plan } from '../../core/planner/plan.js';
import { planToJson } from '../../core/planner/plan-json.js';
import { writeFile } from 'node:fs/promises';
import { checkPlanForScenario } from '../../export/plan-check.js';
import { loadScenarioFileWithHash } from '../../scenario/load.js';
import { readJsonFile } from '../../scenario/plan-file.js';
import { readPlanPlacements } from '../../scenario/plan-placements.js';
import { InvalidInputError } from '../../scenario/problems.js';
import { fraction, oneOf, parseCommandArgs, positiveNumber, wholeNumber } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { formatRiskText, riskToCsv } from '../report/risk-report.js';
import { riskUsage } from '../usage.js';

/** Each run evaluates the plan once, and more for buildings' own slips: keep it bounded. */
const MAX_RUNS = 100_000;
/** In-sample draws for --hedge: enough to rank a few candidate plans. */
const MAX_HEDGE = 10_000;
/** The candidate hedges: plan as if each building slipped by this percentile of its draws. */
const HEDGE_QUANTILES = [50, 75, 90] as const;
/** Mixed into the seed for the in-sample draws, so they are not the held-out ones. */
const HEDGE_SEED = 0x5bd1e995;

/**
 * `stargate risk FILE`: the plan (planned now, or `--plan PLAN.json`) under construction
 * slips drawn as the forecast draws them for the same seed: expected cost beside the nominal,
 * p50/p90 unmet GPU-months, the workloads most often left short, the buildings whose slip
 * costs most.
 */
export async function riskCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'risk',
    argv,
    {
      plan: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      correlation: { type: 'string' },
      solver: { type: 'string' },
      'time-limit': { type: 'string' },
      top: { type: 'string' },
      hedge: { type: 'string' },
      'hedged-plan': { type: 'string' },
      format: { type: 'string' },
    },
    { min: 1, max: 1, usage: riskUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json', 'csv'] as const, 'text');
  const runs = wholeNumber('runs', values.runs, 1000, 1, MAX_RUNS);
  const seed = wholeNumber('seed', values.seed, 1, 0, 2 ** 32 - 1);
  const top = wholeNumber('top', values.top, 10, 1, 1000);
  const correlation = fraction('correlation', values.correlation, undefined);
  const planPath = typeof values.plan === 'string' ? values.plan : undefined;
  const hedge =
    values.hedge === undefined ? undefined : wholeNumber('hedge', values.hedge, 0, 1, MAX_HEDGE);
  const hedgedPlanPath =
    typeof values['hedged-plan'] === 'string' ? values['hedged-plan'] : undefined;
  if (hedgedPlanPath !== undefined && hedge === undefined)
    throw new UsageError('--hedged-plan: writes the plan --hedge N makes; give --hedge N too');
  if (
    planPath !== undefined &&
    hedge === undefined &&
    (values.solver !== undefined || values['time-limit'] !== undefined)
  )
    throw new UsageError(
      '--solver and --time-limit plan the scenario; with --plan the plan is given',
    );
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const { scenario, hash } = await loadScenarioFileWithHash(positionals[0] ?? '');
  const problem = buildProblem(scenario);

  const planOptions = {
    purpose: 'plan' as const,
    planner,
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
  };
  let placements: Placement[];
  let source: string;
  if (planPath !== undefined) {
    const { data } = await readJsonFile(planPath);
    const read = readPlanPlacements(data);
    if (!read.ok) throw new InvalidInputError(planPath, read.problems);
    const problems = checkPlanForScenario(read.plan, scenario, hash);
    if (problems.length > 0) throw new InvalidInputError(planPath, problems);
    placements = placementsOfRows(problem, read.plan.assignments);
    source = planPath;
  } else {
    const plan = await planScenario(scenario, io, planOptions);
    placements = placementsOfRows(problem, plan.assignments);
    source = `planned now (${plan.solver.method}, ${plan.solver.status})`;
  }
  const risk = planRisk(problem, placements, {
    runs,
    random: seededRandom(seed),
    ...(correlation === undefined ? {} : { correlation }),
  });

  let hedged: HedgeReport | undefined;
  if (hedge !== undefined) {
    // In-sample draws: another stream than the held-out draws (the report's, seed S).
    const inSampleSeed = (seed ^ HEDGE_SEED) >>> 0;
    const quantiles = slipQuantilesOf(
      scenario,
      seededRandom(inSampleSeed),
      hedge,
      HEDGE_QUANTILES,
      correlation,
    );
    const candidates: { quantile: number; placements: Placement[]; plan?: Plan }[] = [
      { quantile: 0, placements },
    ];
    for (const quantile of HEDGE_QUANTILES) {
      const plan = await planScenario(
        withSlips(scenario, quantiles.get(quantile) ?? new Map()),
        io,
        planOptions,
      );
      candidates.push({ quantile, placements: placementsOfRows(problem, plan.assignments), plan });
    }
    const inSample = comparePlansOnDraws(
      problem,
      candidates.map((c) => c.placements),
      {
        runs: hedge,
        random: seededRandom(inSampleSeed),
        ...(correlation === undefined ? {} : { correlation }),
      },
    );
    // The lowest in-sample mean wins; ties go to the earlier (less hedged) candidate.
    let best = 0;
    inSample.forEach((result, i) => {
      if (result.total.mean < (inSample[best]?.total.mean ?? 0n)) best = i;
    });
    const chosen = candidates[best] ?? candidates[0];
    const heldOut = comparePlansOnDraws(problem, [placements, chosen?.placements ?? placements], {
      runs,
      random: seededRandom(seed),
      ...(correlation === undefined ? {} : { correlation }),
    });
    hedged = {
      samples: hedge,
      inSampleSeed,
      candidates: candidates.map((c, i) => ({
        quantile: c.quantile,
        inSample: inSample[i] as PlanOnDraws,
      })),
      chosen: chosen?.quantile ?? 0,
      nominal: heldOut[0] as PlanOnDraws,
      hedged: heldOut[1] as PlanOnDraws,
    };
    if (hedgedPlanPath !== undefined) {
      const plan = chosen?.plan;
      if (plan === undefined) {
        io.err(
          `--hedged-plan: no hedge beats the plan in sample; ${hedgedPlanPath} is not written\n`,
        );
      } else {
        try {
          await writeFile(
            hedgedPlanPath,
            `${JSON.stringify(planToJson(plan, { scenarioHash: hash }), null, 2)}\n`,
          );
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          throw new UsageError(`--hedged-plan: cannot write ${hedgedPlanPath}: ${code}`);
        }
      }
    }
  }

  if (format === 'json')
    io.out(`${JSON.stringify(riskToJson(risk, { seed, plan: source }, hedged), null, 2)}\n`);
  else if (format === 'csv') io.out(riskToCsv(risk, hedged));
  else io.out(formatRiskText(risk, { seed, plan: source, top }, hedged));
  return 0;
}
