import { comparePlans } from '../../core/diff/compare-plans.js';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Scenario } from '../../core/model.js';
import { loadScenarioFile, readScenarioDocument } from '../../scenario/load.js';
import { applyMergePatch, locateProblem } from '../../scenario/merge-patch.js';
import { validateScenario } from '../../scenario/parse.js';
import { InvalidInputError } from '../../scenario/problems.js';
import { UsageError } from '../errors.js';
import { oneOf, parseCommandArgs, positiveNumber } from '../args.js';
import type { Io } from '../io.js';
import { planScenario } from '../plan-scenario.js';
import { diffToJson, formatDiffText } from '../report/diff-text.js';
import { diffUsage } from '../usage.js';

/**
 * `stargate diff A B`: plans two scenarios and shows them side by side — cost, unmet demand,
 * each provider's share of the GPU-hours placed, and the status of every commitment.
 * `stargate diff A --patch CHANGE.json` is the what-if of the command line: B is A with the
 * change applied, as `POST /v1/what-if` applies it (a merge patch whose lists merge by id).
 */
export async function diffCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'diff',
    argv,
    {
      format: { type: 'string' },
      solver: { type: 'string' },
      'time-limit': { type: 'string' },
      patch: { type: 'string' },
    },
    { min: 1, max: 2, usage: diffUsage },
  );
  const patchFile = typeof values.patch === 'string' ? values.patch : undefined;
  if ((patchFile === undefined) === (positionals.length === 1)) {
    throw new UsageError(
      'give two scenario files (stargate diff A.yaml B.yaml), or one and --patch CHANGE.json',
    );
  }
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  const planner = oneOf('solver', values.solver, ['auto', 'exact', 'fast'] as const, 'auto');
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']);
  const [fileA = '', fileB = `${fileA} with ${patchFile ?? ''}`] = positionals;
  // Both are read before either is planned, so that a broken second file fails fast.
  const [scenarioA, scenarioB] =
    patchFile === undefined
      ? await Promise.all([loadScenarioFile(fileA), loadScenarioFile(fileB)])
      : await patchedPair(fileA, patchFile);
  const options = {
    purpose: 'compare' as const,
    planner,
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
  };
  const planA = await planScenario(scenarioA, io, options);
  const planB = await planScenario(scenarioB, io, options);
  const comparison = comparePlans(planA, planB);
  const sides = {
    a: { file: fileA, plan: `${planA.solver.method}, ${planA.solver.status}` },
    b: { file: fileB, plan: `${planB.solver.method}, ${planB.solver.status}` },
  };
  if (format === 'json') io.out(`${JSON.stringify(diffToJson(comparison, sides), null, 2)}\n`);
  else io.out(formatDiffText(comparison, sides));
  return 0;
}

/** The scenario file, and it with the patch applied; problems named in the patch file. */
async function patchedPair(file: string, patchFile: string): Promise<[Scenario, Scenario]> {
  const document = await readScenarioDocument(file);
  const original = validateScenario(document);
  if (!original.ok) throw new InvalidInputError(file, original.problems);
  let patch: unknown;
  try {
    patch = parse(await readFile(patchFile, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(patchFile, [
      {
        path: [],
        message:
          code === 'ENOENT'
            ? 'no such file'
            : `cannot read it as JSON or YAML: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }
  const merged = applyMergePatch(document, patch);
  if (!merged.ok) throw new InvalidInputError(patchFile, merged.problems);
  const patched = validateScenario(merged.document);
  if (!patched.ok) {
    throw new InvalidInputError(
      `${file} with ${patchFile}`,
      patched.problems.map((problem) => locateProblem(problem, merged.document, merged.origins)),
    );
  }
  return [original.scenario, patched.scenario];
}
