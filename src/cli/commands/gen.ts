import { stringify } from 'yaml';
import { seededRandom } from '../../core/random.js';
import { generateScenario } from '../../scenario/generate.js';
import { FAMILIES } from '../../scenario/generate-families.js';
import { addFinance } from '../../scenario/generate-finance.js';
import { fraction, oneOf, parseCommandArgs, wholeNumber } from '../args.js';
import type { Io } from '../io.js';
import { genUsage } from '../usage.js';

/** `stargate gen`: a seeded, realistic scenario; the same options give the same file. */
export function genCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    'gen',
    argv,
    {
      workloads: { type: 'string' },
      pools: { type: 'string' },
      months: { type: 'string' },
      'gang-share': { type: 'string' },
      family: { type: 'string' },
      seed: { type: 'string' },
      finance: { type: 'boolean' },
      format: { type: 'string' },
    },
    { min: 0, max: 0, usage: genUsage },
  );
  const format = oneOf('format', values.format, ['yaml', 'json'] as const, 'yaml');
  const random = seededRandom(wholeNumber('seed', values.seed, 1, 0, 2 ** 32 - 1));
  const generated = generateScenario({
    workloads: wholeNumber('workloads', values.workloads, 100, 1, 100_000),
    pools: wholeNumber('pools', values.pools, 20, 1, 10_000),
    months: wholeNumber('months', values.months, 24, 1, 240),
    gangShare: fraction('gang-share', values['gang-share'], 0.1),
    family: oneOf('family', values.family, FAMILIES, 'standard'),
    random,
  });
  // Parties, a programme, capex schedules, delays and revenue streams (scenario extensions).
  const document = values.finance === true ? addFinance(generated, random) : generated;
  io.out(
    format === 'json' ? `${JSON.stringify(document)}\n` : stringify(document, { lineWidth: 0 }),
  );
  return Promise.resolve(0);
}
