import type { FlagValue } from '../args.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { ApiClient } from '../../client/api.js';
import { CONNECTION_FLAGS, connectionFrom, withApiErrors } from './connection.js';

type OptionSpec = Parameters<typeof parseCommandArgs>[2];

/** What a verb's handler gets: the API and its parsed arguments. */
export interface VerbContext {
  readonly api: ApiClient;
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, FlagValue>>;
}

/**
 * What a verb did: the API's answer, printed as it is with `--json`, and the text for people,
 * made only when wanted (it may ask the API for more).
 */
export interface VerbResult {
  readonly body: unknown;
  text(): string | Promise<string>;
}

/** One verb of a command group, such as `offers accept ID --price P`. */
export interface Verb {
  /** The arguments after the verb, for usage messages: `ID --price P [--gpus N]`. */
  readonly args: string;
  readonly flags?: OptionSpec;
  /** How many positional arguments it takes (default none). */
  readonly positionals?: number;
  /** A POST: takes `--idempotency-key`. */
  readonly posts?: boolean;
  run(context: VerbContext): Promise<VerbResult>;
}

const COMMON = '[--server URL] [--token T] [--json]';

/** The usage of a group: one line per verb, as `stargate help` and `--help` print it. */
export function groupUsage(group: string, verbs: Readonly<Record<string, Verb>>): string {
  return Object.entries(verbs)
    .map(([name, verb], index) =>
      `${index === 0 ? '' : '  '}stargate ${group} ${name} ${verb.args}`.trimEnd(),
    )
    .join('\n');
}

function verbUsage(group: string, name: string, verb: Verb): string {
  const key = verb.posts ? ' [--idempotency-key K]' : '';
  return `stargate ${group} ${name} ${verb.args} ${COMMON}${key}`.replace(/\s+/g, ' ');
}

/**
 * A command made of verbs (`stargate offers list|show|accept|decline`): picks the verb,
 * parses its flags strictly together with the connection flags, calls it, and maps the API's
 * errors to messages and exit codes.
 */
export function verbCommand(
  group: string,
  verbs: Readonly<Record<string, Verb>>,
  /** The verb run when none is given (`stargate inventory` is `stargate inventory show`). */
  defaultVerb?: string,
) {
  return async (argv: readonly string[], io: Io): Promise<number> => {
    const given = argv[0] === undefined || argv[0].startsWith('-') ? undefined : argv[0];
    const [name, ...rest] =
      given === undefined && defaultVerb !== undefined ? [defaultVerb, ...argv] : argv;
    const verb = name === undefined ? undefined : verbs[name];
    if (name === undefined || verb === undefined) {
      const known = Object.keys(verbs).join(', ');
      throw new UsageError(
        `${group}: ${name === undefined ? 'expected' : `unknown verb ${name}; expected`} one of ${known}\nUsage: ${groupUsage(group, verbs)}`,
      );
    }
    const count = verb.positionals ?? 0;
    const { positionals, values } = parseCommandArgs(
      `${group} ${name}`,
      rest,
      {
        ...CONNECTION_FLAGS,
        json: { type: 'boolean' },
        ...(verb.posts ? { 'idempotency-key': { type: 'string' } } : {}),
        ...verb.flags,
      },
      { min: count, max: count, usage: verbUsage(group, name, verb) },
    );
    const key = values['idempotency-key'];
    const api = new ApiClient(connectionFrom(values), typeof key === 'string' ? key : undefined);
    return withApiErrors(io, async () => {
      const result = await verb.run({ api, positionals, values });
      if (values['json'] === true) printJson(io, result.body);
      else io.out(await result.text());
      return 0;
    });
  };
}

/** A flag the verb cannot do without. */
export function required(values: Readonly<Record<string, FlagValue>>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/** A flag that is given or not. */
export function optional(
  values: Readonly<Record<string, FlagValue>>,
  flag: string,
): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable flag's values. */
export function repeated(values: Readonly<Record<string, FlagValue>>, flag: string): string[] {
  const value = values[flag];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/**
 * A whole number of GPUs, or a numeric id: checked here because JSON needs a number, and
 * `--gpus lots` would otherwise reach the server as null.
 */
export function count(what: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${what}: expected a whole number of at least 1, got ${text}`);
  }
  return Number(text);
}

/** A numeric id given as an argument. */
export function idArgument(what: string, text: string | undefined): number {
  return count(what, text ?? '') ?? 0;
}

/** The API's JSON, as scripts read it: two-space indent, the server's key order. */
export function printJson(io: Io, body: unknown): void {
  io.out(`${JSON.stringify(body, null, 2)}\n`);
}
