import { loadScenarioFile } from '../../scenario/load.js';
import { parseCommandArgs } from '../args.js';
import type { Io } from '../io.js';
import { validateUsage } from '../usage.js';

/** `stargate validate FILE`: `ok` and counts, or every problem (exit 2). */
export async function validateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals } = parseCommandArgs(
    'validate',
    argv,
    {},
    { min: 1, max: 1, usage: validateUsage },
  );
  const scenario = await loadScenarioFile(positionals[0] ?? '');
  const terms = scenario.contracts.reduce((sum, c) => sum + c.terms.length, 0);
  const explicitPools = scenario.pools.length - scenario.buildings.length;
  const counts = [
    count(scenario.accelerators.length, 'accelerator'),
    count(scenario.providers.length, 'provider'),
    count(scenario.sites.length, 'site'),
    count(explicitPools, 'pool'),
    count(scenario.buildings.length, 'building'),
    count(scenario.workloads.length, 'workload'),
    `${count(scenario.contracts.length, 'contract')} (${count(terms, 'term')})`,
  ];
  // The money-and-time extensions, only when the file has them.
  const parties = scenario.parties.length;
  if (parties > 0) counts.push(`${parties} ${parties === 1 ? 'party' : 'parties'}`);
  if (scenario.programme) counts.push('a programme');
  if (scenario.revenueStreams.length > 0) {
    counts.push(count(scenario.revenueStreams.length, 'revenue stream'));
  }
  io.out(`ok: ${scenario.name}: ${counts.join(', ')}\n`);
  return 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
