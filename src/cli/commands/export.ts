import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Scenario } from '../../core/model.js';
import type { Period } from '../../core/period.js';
import { formatPeriod, parsePeriod } from '../../core/period.js';
import { kueueCrdValidator } from '../../export/crd-files.js';
import type { PlanSource } from '../../export/export-plan.js';
import { exportKueue, exportSkypilot } from '../../export/export-plan.js';
import type { KueueApiVersion, Rename } from '../../export/kueue.js';
import { KUEUE_API_VERSIONS } from '../../export/kueue.js';
import { diffKueue } from '../../export/kueue-diff.js';
import { namespacesOf } from '../../export/namespaces.js';
import { manifestFiles, manifestsJson, manifestsYaml } from '../../export/render.js';
import { normalizeInfra } from '../../export/skypilot.js';
import { loadScenarioFileWithHash } from '../../scenario/load.js';
import { readJsonFile } from '../../scenario/plan-file.js';
import type { Problem } from '../../scenario/problems.js';
import { InvalidInputError } from '../../scenario/problems.js';
import type { FlagValue } from '../args.js';
import { oneOf, parseCommandArgs, wholeNumber } from '../args.js';
import { UsageError } from '../errors.js';
import { formatKueueDiff } from '../format/kueue-diff-text.js';
import type { Io } from '../io.js';
import { writeManifestDirectories } from '../manifest-output.js';
import { STORE_FLAGS } from '../store-options.js';
import { kueueExportUsage, skypilotExportUsage } from '../usage.js';

/**
 * `stargate export`: with `kueue` or `skypilot`, a plan for a scheduler (docs/export.md);
 * anything else is the store's scenario export, unchanged.
 */
export async function exportCommand(argv: readonly string[], io: Io): Promise<number> {
  const [target, ...rest] = argv;
  if (target === 'kueue') return kueueCommand(rest, io);
  if (target === 'skypilot') return skypilotCommand(rest, io);
  const { exportScenarioCommand } = await import('./store.js');
  return exportScenarioCommand(argv, io);
}

const SOURCE_FLAGS = { ...STORE_FLAGS, scenario: { type: 'string' } } as const;

/** `stargate export kueue PLAN.json --month M`: Kueue objects for a month of the plan. */
async function kueueCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'export kueue',
    argv,
    {
      ...SOURCE_FLAGS,
      month: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      'namespace-of': { type: 'string', multiple: true },
      'per-workload': { type: 'boolean' },
      'api-version': { type: 'string' },
      format: { type: 'string' },
      'diff-month': { type: 'string' },
      'diff-plan': { type: 'string' },
    },
    { min: 1, max: 1, usage: kueueExportUsage },
  );
  const planFile = positionals[0] ?? '';
  const apiVersion: KueueApiVersion = oneOf(
    'api-version',
    values['api-version'],
    KUEUE_API_VERSIONS,
    'v1beta2',
  );
  const diffing = values['diff-month'] !== undefined || values['diff-plan'] !== undefined;
  if (values['diff-month'] !== undefined && values['diff-plan'] !== undefined)
    throw new UsageError('--diff-month and --diff-plan: give one of them');
  const format = oneOf(
    'format',
    values.format,
    diffing ? (['text', 'json'] as const) : (['yaml', 'json'] as const),
    diffing ? 'text' : 'yaml',
  );
  const out = typeof values.out === 'string' ? values.out : undefined;
  if (out !== undefined && format === 'json')
    throw new UsageError('--out writes one YAML file per object; leave out --format json');
  const months = monthsOf(values);
  if (months.length > 1 && out === undefined)
    throw new UsageError('--from and --to write one directory per month: give --out DIR');
  if (diffing && (out !== undefined || months.length > 1))
    throw new UsageError('--diff-month and --diff-plan compare one --month and print a report');
  const request = {
    months,
    monthField: 'month',
    apiVersion,
    perWorkload: values['per-workload'] === true,
    namespaces: namespacesOfFlag(values['namespace-of']),
  };

  const { scenario, hash, scenarioWhat } = await scenarioOf(values);
  const plan = await planSource(planFile, scenario, hash);
  const validator = await kueueCrdValidator();

  if (diffing) {
    const [month] = months as [Period];
    const diffMonth = periodFlag('diff-month', values['diff-month']);
    const otherFile = typeof values['diff-plan'] === 'string' ? values['diff-plan'] : undefined;
    const other = otherFile === undefined ? plan : await planSource(otherFile, scenario, hash);
    const before = orThrow(exportKueue(plan, request, validator), planFile, scenarioWhat);
    const after = orThrow(
      exportKueue(
        other,
        {
          ...request,
          months: [diffMonth ?? month],
          monthField: diffMonth === undefined ? 'month' : 'diff-month',
        },
        validator,
      ),
      otherFile ?? planFile,
      scenarioWhat,
    );
    const labels =
      otherFile === undefined
        ? { from: formatPeriod(month), to: formatPeriod(diffMonth ?? month) }
        : { from: basename(planFile), to: basename(otherFile) };
    const [first] = before;
    const [second] = after;
    if (!first || !second) throw new Error('export kueue: a diff needs one month on each side');
    const diff = diffKueue(first.result, second.result, labels);
    io.out(
      format === 'json'
        ? `${JSON.stringify(diff, null, 2)}\n`
        : formatKueueDiff(diff, formatPeriod(month)),
    );
    return 0;
  }

  const made = orThrow(exportKueue(plan, request, validator), planFile, scenarioWhat);
  reportRenames(
    made.flatMap((m) => m.result.renames),
    io,
  );
  if (out === undefined) {
    const objects = made[0]?.result.objects ?? [];
    io.out(format === 'json' ? manifestsJson(objects) : manifestsYaml(objects));
    return 0;
  }
  const directories = made.map(({ month, result }) => ({
    dir: months.length > 1 ? join(out, formatPeriod(month)) : out,
    files: manifestFiles(result.objects),
  }));
  await writeManifestDirectories(directories);
  for (const { dir, files } of directories)
    io.err(`wrote ${files.length} Kueue object${files.length === 1 ? '' : 's'} to ${dir}\n`);
  return 0;
}

/** `stargate export skypilot PLAN.json --workload W`: a SkyPilot task for one workload. */
async function skypilotCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'export skypilot',
    argv,
    {
      ...SOURCE_FLAGS,
      workload: { type: 'string' },
      infra: { type: 'string', multiple: true },
      'gpus-per-node': { type: 'string' },
    },
    { min: 1, max: 1, usage: skypilotExportUsage },
  );
  const planFile = positionals[0] ?? '';
  if (typeof values.workload !== 'string')
    throw new UsageError(`export skypilot: --workload is required\nUsage: ${skypilotExportUsage}`);
  const gpusPerNode =
    values['gpus-per-node'] === undefined
      ? undefined
      : wholeNumber('gpus-per-node', values['gpus-per-node'], 8, 1, 64);
  const { scenario, hash, scenarioWhat } = await scenarioOf(values);
  const infra = infraOf(values.infra, scenario);
  const plan = await planSource(planFile, scenario, hash);
  const made = orThrow(
    exportSkypilot(plan, values.workload, {
      infra,
      ...(gpusPerNode === undefined ? {} : { gpusPerNode }),
    }),
    planFile,
    scenarioWhat,
  );
  for (const note of made.notes) io.err(`stargate: note: ${note}\n`);
  io.out(made.yaml);
  return 0;
}

/** `--month M`, or every month of `--from A --to B`. */
function monthsOf(values: Readonly<Record<string, FlagValue>>): Period[] {
  const month = periodFlag('month', values.month);
  const from = periodFlag('from', values.from);
  const to = periodFlag('to', values.to);
  if (month !== undefined) {
    if (from !== undefined || to !== undefined)
      throw new UsageError('--month, or --from and --to: not both');
    return [month];
  }
  if (from === undefined || to === undefined)
    throw new UsageError(
      `export kueue: --month YYYY-MM, or --from and --to\nUsage: ${kueueExportUsage}`,
    );
  if (to < from)
    throw new UsageError(`--to ${formatPeriod(to)} is before --from ${formatPeriod(from)}`);
  const months: Period[] = [];
  for (let m = from; m <= to; m = (m + 1) as Period) months.push(m);
  return months;
}

function periodFlag(flag: string, value: FlagValue): Period | undefined {
  if (value === undefined) return undefined;
  const period = typeof value === 'string' ? parsePeriod(value) : undefined;
  if (period === undefined)
    throw new UsageError(`--${flag}: expected YYYY-MM, got ${String(value)}`);
  return period;
}

/** `--namespace-of CLASS=NS`, repeated; a class may hold `=`, a namespace may not. */
/** `--namespace-of CLASS=NS`, repeated, as a map. */
function namespacesOfFlag(value: FlagValue): Map<string, string> {
  const parsed = namespacesOf(Array.isArray(value) ? value : []);
  if ('error' in parsed) throw new UsageError(`--namespace-of: ${parsed.error}`);
  return parsed.namespaces;
}

/** `--infra ID=INFRA`, repeated: a site or provider of the scenario, and a SkyPilot place. */
function infraOf(value: FlagValue, scenario: Scenario): Map<string, string> {
  const ids = new Set([...scenario.sites.map((s) => s.id), ...scenario.providers.map((p) => p.id)]);
  const infra = new Map<string, string>();
  for (const entry of Array.isArray(value) ? value : []) {
    const at = entry.indexOf('=');
    const id = entry.slice(0, Math.max(at, 0));
    const place = normalizeInfra(entry.slice(at + 1));
    if (at <= 0)
      throw new UsageError(`--infra: expected SITE=INFRA or PROVIDER=INFRA, got ${entry}`);
    if (!ids.has(id))
      throw new UsageError(`--infra: ${id} is neither a site nor a provider of ${scenario.name}`);
    if (place === undefined)
      throw new UsageError(
        `--infra: ${entry.slice(at + 1)} is not a SkyPilot infra: cloud[/region[/zone]] or k8s/CONTEXT, no wildcards`,
      );
    infra.set(id, place);
  }
  return infra;
}

/** The scenario from `--scenario FILE`, or the store's (`--data DIR`, DATABASE_URL). */
async function scenarioOf(
  values: Readonly<Record<string, FlagValue>>,
): Promise<{ scenario: Scenario; hash: string; scenarioWhat: string }> {
  if (typeof values.scenario === 'string') {
    if (values.data !== undefined) throw new UsageError('--scenario and --data: give one of them');
    const { scenario, hash } = await loadScenarioFileWithHash(values.scenario);
    return { scenario, hash, scenarioWhat: values.scenario };
  }
  const { storedScenario } = await import('../stored-scenario.js');
  return storedScenario(values);
}

async function planSource(
  file: string,
  scenario: Scenario,
  scenarioHash: string,
): Promise<PlanSource> {
  const { text, data } = await readJsonFile(file);
  return {
    scenario,
    scenarioHash,
    plan: data,
    // The plan file's own digest, as `sha256sum` prints it: any copy of it can be checked.
    planId: `sha256:${createHash('sha256').update(text).digest('hex')}`,
  };
}

/**
 * Problems of an export as the CLI reports them: the plan's as invalid input naming the plan
 * file and each path in it, the scenario's (two ids that make one name) naming the scenario, a
 * bad flag as a usage error naming the flag.
 */
function orThrow<T>(
  checked: { ok: true; value: T } | { ok: false; problems: Problem[] },
  planFile: string,
  scenarioWhat: string,
): T {
  if (checked.ok) return checked.value;
  const { problems } = checked;
  const ofPlan = problems.filter((p) => p.path[0] === 'plan');
  if (ofPlan.length > 0) {
    throw new InvalidInputError(
      `${planFile} (for ${scenarioWhat})`,
      ofPlan.map((p) => ({ ...p, path: p.path.slice(1) })),
    );
  }
  const ofScenario = problems.filter((p) => p.path[0] === 'scenario');
  if (ofScenario.length > 0) {
    throw new InvalidInputError(
      scenarioWhat,
      ofScenario.map((p) => ({ ...p, path: p.path.slice(1) })),
    );
  }
  throw new UsageError(
    problems.map((p) => `--${String(p.path[0] ?? 'month')}: ${p.message}`).join('\n'),
  );
}

function reportRenames(renames: readonly Rename[], io: Io): void {
  const seen = new Set<string>();
  for (const r of renames) {
    const key = `${r.what}\u0000${r.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    io.err(
      `stargate: ${r.what} ${JSON.stringify(r.id)} is not a Kubernetes name; its objects are named ${r.name}\n`,
    );
  }
}
