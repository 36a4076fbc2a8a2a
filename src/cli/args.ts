import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
>;

/** A flag's value as parsed: text, a switch, or the values of a repeated flag. */
export type FlagValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, FlagValue>>;
}

/**
 * Parses a command's arguments strictly: unknown flags and missing values are usage errors,
 * named in the message.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
  positionals: { readonly min: number; readonly max: number; readonly usage: string },
): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: withNegativeValues(argv, options),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`${command}: ${message ?? 'bad arguments'}\nUsage: ${positionals.usage}`);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    throw new UsageError(
      `${command}: expected ${positionals.min === positionals.max ? positionals.min : `${positionals.min} to ${positionals.max}`} argument${positionals.max === 1 ? '' : 's'}, got ${count}\nUsage: ${positionals.usage}`,
    );
  }
  return {
    positionals: parsed.positionals,
    values: parsed.values as Record<string, FlagValue>,
  };
}

/**
 * `--runs -1` as `--runs=-1`: a negative number after a flag that takes a value is its value
 * (parseArgs would call it an ambiguous option), so that its check names what was wrong with it.
 */
function withNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      // Past `--` everything is a positional, as parseArgs reads it.
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (
      name !== undefined &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-\d/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Reads a flag that must be one of a few words. */
export function oneOf<T extends string>(
  flag: string,
  value: FlagValue,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  throw new UsageError(`--${flag}: expected ${allowed.join(', ')}, got ${String(value)}`);
}

/** Reads a flag that must be a positive number. */
export function positiveNumber(flag: string, value: FlagValue): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(`--${flag}: expected a number above 0, got ${String(value)}`);
  }
  return number;
}

/** Reads a flag that must be a whole number from `min` to `max`. */
export function wholeNumber(
  flag: string,
  value: FlagValue,
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

/** Reads a flag that must be a number from 0 to 1; `fallback` when it is absent. */
export function fraction<T extends number | undefined>(
  flag: string,
  value: FlagValue,
  fallback: T,
): number | T {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number < 0 || number > 1) {
    throw new UsageError(`--${flag}: expected a number from 0 to 1, got ${String(value)}`);
  }
  return number;
}
