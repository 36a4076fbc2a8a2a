import { stringify } from 'yaml';
import { seededRandom } from '../../core/random.js';
import { generateScenario } from '../../scenario/generate.js';
import { oneOf, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';

export const genUsage =
  'stargate gen [--workloads N] [--pools N] [--months N] [--gang-share F] [--seed S] [--format yaml|json]';

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
      seed: { type: 'string' },
      format: { type: 'string' },
    },
    { min: 0, max: 0, usage: genUsage },
  );
  const format = oneOf('format', values.format, ['yaml', 'json'] as const, 'yaml');
  const document = generateScenario({
    workloads: wholeNumber('workloads', values.workloads, 100, 1, 100_000),
    pools: wholeNumber('pools', values.pools, 20, 1, 10_000),
    months: wholeNumber('months', values.months, 24, 1, 240),
    gangShare: fraction('gang-share', values['gang-share'], 0.1),
    random: seededRandom(wholeNumber('seed', values.seed, 1, 0, 2 ** 32 - 1)),
  });
  io.out(
    format === 'json' ? `${JSON.stringify(document)}\n` : stringify(document, { lineWidth: 0 }),
  );
  return Promise.resolve(0);
}

function wholeNumber(
  flag: string,
  value: string | boolean | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(
      `--${flag}: expected a whole number from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return number;
}

function fraction(flag: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number < 0 || number > 1) {
    throw new UsageError(`--${flag}: expected a number from 0 to 1, got ${String(value)}`);
  }
  return number;
}
