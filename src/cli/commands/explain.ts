import { compileRules, listWords } from '../../core/contracts.js';
import { explainWorkload } from '../../core/explain.js';
import { grouped } from '../../core/format.js';
import { formatPrice } from '../../core/money.js';
import type { PeriodRange } from '../../core/period.js';
import { formatPeriod, formatRange, parsePeriod } from '../../core/period.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { oneOf, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { renderTable } from '../table.js';
import { explainUsage } from '../usage.js';

/** `stargate explain`: for every pool, why the workload may or may not run there. */
export async function explainCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'explain',
    argv,
    { period: { type: 'string' }, format: { type: 'string' } },
    { min: 2, max: 2, usage: explainUsage },
  );
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  let period;
  if (values.period !== undefined) {
    period = parsePeriod(String(values.period));
    if (period === undefined) {
      throw new UsageError(`--period: expected YYYY-MM, got ${String(values.period)}`);
    }
  }
  const scenario = await loadScenarioFile(positionals[0] ?? '');
  const id = positionals[1] ?? '';
  const workload = scenario.workloads.find((w) => w.id === id);
  if (!workload) {
    throw new UsageError(
      `unknown workload ${id}; the scenario has ${listWords(scenario.workloads.map((w) => w.id))}`,
    );
  }
  const explanation = explainWorkload(compileRules(scenario), workload, period);
  const ranges = (list: readonly PeriodRange[]) => list.map(formatRange).join(', ');

  if (format === 'json') {
    const json = {
      workload: workload.id,
      periods: explanation.periods
        ? { from: formatPeriod(explanation.periods.from), to: formatPeriod(explanation.periods.to) }
        : null,
      pools: explanation.pools.map((p) => ({
        pool: p.pool.id,
        provider: p.pool.provider,
        eligible: p.eligible.map((r) => ({ from: formatPeriod(r.from), to: formatPeriod(r.to) })),
        denials: p.denials.map((d) => ({
          reason: d.message,
          periods: d.periods.map((r) => ({ from: formatPeriod(r.from), to: formatPeriod(r.to) })),
        })),
      })),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }

  const lines: string[] = [];
  lines.push(
    `Workload ${workload.id}: class ${workload.class}, ${grouped(workload.gpus)} GPUs of ${listWords(workload.accelerators)}, ${formatRange(workload.window)}, ${workload.gang ? 'gang (all or nothing, one site and accelerator)' : 'splittable'}, worth ${formatPrice(workload.valuePerGpuHour)}/GPU-hour`,
  );
  lines.push(
    explanation.periods
      ? `Periods examined: ${formatRange(explanation.periods)}`
      : 'The workload window lies outside the horizon: it is never planned.',
  );
  lines.push('');
  const eligibleCount = explanation.pools.filter((p) => p.eligible.length > 0).length;
  lines.push(
    `${eligibleCount} of ${explanation.pools.length} pools eligible in some period examined.`,
  );
  lines.push('');
  for (const p of explanation.pools) {
    const where = p.pool.site ? `${p.pool.provider}/${p.pool.site}` : p.pool.provider;
    const status =
      p.denials.length === 0
        ? 'ELIGIBLE'
        : p.eligible.length === 0
          ? 'NOT ELIGIBLE'
          : `ELIGIBLE ${ranges(p.eligible)} only`;
    lines.push(
      `${p.pool.id} (${where}, ${p.pool.accelerator}, ${grouped(p.pool.gpus)} GPUs at ${formatPrice(p.pool.pricePerGpuHour)}/GPU-hour): ${status}`,
    );
    for (const denial of p.denials) {
      lines.push(`  - ${denial.message} [${ranges(denial.periods)}]`);
    }
  }
  lines.push('');
  lines.push(
    renderTable(
      ['POOL', 'PROVIDER', 'ACCELERATOR', 'ELIGIBLE IN'],
      explanation.pools.map((p) => [
        p.pool.id,
        p.pool.provider,
        p.pool.accelerator,
        p.eligible.length === 0 ? '-' : ranges(p.eligible),
      ]),
    ),
  );
  io.out(`${lines.join('\n')}\n`);
  return 0;
}
