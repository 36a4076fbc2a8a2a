/**
 * A parser of the Prometheus text exposition format 0.0.4, the one a DCGM exporter serves:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format.
 * Each line is read by a small cursor, token by token, so an error can say which line and
 * what was expected there; a regex over the line could only say "no match".
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One sample line: `name{labels} value [timestamp]`. */
export interface Sample {
  /** The sample's own name, e.g. `rpc_seconds_bucket` inside the family `rpc_seconds`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the line gives one. */
  readonly timestamp?: number;
}

/** A metric family: its TYPE and HELP lines and its samples, in the order they came. */
export interface MetricFamily {
  readonly name: string;
  /** `untyped` when the text gives no TYPE line. */
  readonly type: MetricType;
  readonly help?: string;
  readonly samples: readonly Sample[];
}

/** The text is not valid exposition format; `line` is 1-based. */
export class PrometheusTextError extends Error {
  constructor(
    readonly line: number,
    what: string,
  ) {
    super(`line ${line}: ${what}`);
    this.name = 'PrometheusTextError';
  }
}

interface FamilyDraft {
  readonly name: string;
  type?: MetricType;
  help?: string;
  readonly samples: Sample[];
}

const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const METRIC_START = /[a-zA-Z_:]/;
const METRIC_PART = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_PART = /[a-zA-Z0-9_]/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The metric families in `text`, in order of first appearance. Samples named `X_bucket`,
 * `X_sum` or `X_count` go to the family `X` when `X` is TYPEd histogram (or summary, for
 * `_sum` and `_count`). Throws PrometheusTextError at the first malformed line.
 *
 * @example
 * parsePrometheusText('# TYPE up gauge\nup{job="a"} 1\n')
 * // → [{ name: 'up', type: 'gauge', samples: [{ name: 'up', labels: { job: 'a' }, value: 1 }] }]
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  const families = new Map<string, FamilyDraft>();
  const family = (name: string): FamilyDraft => {
    const found = families.get(name);
    if (found) return found;
    const made: FamilyDraft = { name, samples: [] };
    families.set(name, made);
    return made;
  };

  text.split('\n').forEach((raw, i) => {
    const cursor = new Cursor(raw.endsWith('\r') ? raw.slice(0, -1) : raw, i + 1);
    cursor.skipBlanks();
    if (cursor.atEnd()) return;
    if (cursor.peek() === '#') {
      readComment(cursor, family, families);
      return;
    }
    const sample = readSample(cursor);
    const draft = family(familyOf(sample.name, families));
    draft.samples.push(sample);
  });

  return [...families.values()].map((draft) => ({
    name: draft.name,
    type: draft.type ?? 'untyped',
    ...(draft.help !== undefined && { help: draft.help }),
    samples: draft.samples,
  }));
}

/** `# HELP name text`, `# TYPE name type`, or any other comment (ignored). */
function readComment(
  cursor: Cursor,
  family: (name: string) => FamilyDraft,
  families: ReadonlyMap<string, FamilyDraft>,
): void {
  cursor.advance(); // '#'
  cursor.skipBlanks();
  const keyword = cursor.readWhile(/\S/);
  if (keyword !== 'HELP' && keyword !== 'TYPE') return;
  cursor.expectBlanks(`a blank after # ${keyword}`);
  const name = cursor.readName(METRIC_START, METRIC_PART, 'a metric name');
  if (keyword === 'HELP') {
    if (!cursor.atEnd()) cursor.expectBlanks('a blank before the help text');
    const help = cursor.readHelp();
    const draft = family(name);
    if (draft.help !== undefined) cursor.fail(`a second HELP line for ${name}`);
    draft.help = help;
    return;
  }
  cursor.expectBlanks('a blank before the metric type');
  const type = cursor.readWhile(/\S/);
  const known = TYPES.find((t) => t === type);
  if (known === undefined) cursor.fail(`expected one of ${TYPES.join(', ')}, found '${type}'`);
  cursor.skipBlanks();
  if (!cursor.atEnd()) cursor.fail(`expected the end of the line after the type of ${name}`);
  const existing = families.get(name);
  if (existing?.type !== undefined) cursor.fail(`a second TYPE line for ${name}`);
  if (existing && existing.samples.length > 0) cursor.fail(`TYPE for ${name} after its samples`);
  family(name).type = known;
}

function readSample(cursor: Cursor): Sample {
  const name = cursor.readName(METRIC_START, METRIC_PART, 'a metric name');
  const labels: Record<string, string> = {};
  const blanks = cursor.readWhile(/[ \t]/);
  if (cursor.peek() === '{') {
    readLabels(cursor, labels);
    cursor.expectBlanks(`a blank before the value of ${name}`);
  } else if (blanks === '') {
    cursor.fail(`expected '{' or a blank after ${name}, found ${cursor.found()}`);
  }
  const value = parseValue(cursor.readWhile(/\S/), cursor);
  cursor.skipBlanks();
  if (cursor.atEnd()) return { name, labels, value };
  const stamp = cursor.readWhile(/\S/);
  if (!/^-?\d+$/.test(stamp)) cursor.fail(`expected a timestamp in milliseconds, found '${stamp}'`);
  cursor.skipBlanks();
  if (!cursor.atEnd()) cursor.fail('expected the end of the line after the timestamp');
  return { name, labels, value, timestamp: Number(stamp) };
}

/** `{a="x",b="y"}`, a trailing comma allowed; leaves the cursor after `}`. */
function readLabels(cursor: Cursor, labels: Record<string, string>): void {
  cursor.advance(); // '{'
  for (;;) {
    cursor.skipBlanks();
    if (cursor.peek() === '}') break;
    const label = cursor.readName(LABEL_START, LABEL_PART, "a label name or '}'");
    cursor.skipBlanks();
    cursor.expect('=', `'=' after the label ${label}`);
    cursor.skipBlanks();
    if (Object.hasOwn(labels, label)) cursor.fail(`the label ${label} given twice`);
    labels[label] = cursor.readQuoted(label);
    cursor.skipBlanks();
    if (cursor.peek() === '}') break;
    cursor.expect(',', `',' or '}' after the value of ${label}`);
  }
  cursor.advance(); // '}'
}

function parseValue(token: string, cursor: Cursor): number {
  const lower = token.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (NUMBER.test(token)) return Number(token);
  return cursor.fail(
    token === '' ? 'expected a value' : `expected a number, NaN, +Inf or -Inf, found '${token}'`,
  );
}

/** The family a sample belongs to: `X` for `X_bucket`/`X_sum`/`X_count` of a TYPEd `X`. */
function familyOf(name: string, families: ReadonlyMap<string, FamilyDraft>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return name;
}

/** A position in one line, with the reads the grammar needs. */
class Cursor {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly line: number,
  ) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.at);
  }

  advance(): void {
    this.at += 1;
  }

  fail(what: string): never {
    throw new PrometheusTextError(this.line, what);
  }

  skipBlanks(): void {
    this.readWhile(/[ \t]/);
  }

  /** At least one blank (space or tab), then any more. */
  expectBlanks(what: string): void {
    if (this.readWhile(/[ \t]/) === '') this.fail(`expected ${what}, found ${this.found()}`);
  }

  expect(char: string, what: string): void {
    if (this.peek() !== char) this.fail(`expected ${what}, found ${this.found()}`);
    this.advance();
  }

  readWhile(pattern: RegExp): string {
    const start = this.at;
    while (!this.atEnd() && pattern.test(this.peek())) this.advance();
    return this.text.slice(start, this.at);
  }

  readName(first: RegExp, rest: RegExp, what: string): string {
    if (!first.test(this.peek())) this.fail(`expected ${what}, found ${this.found()}`);
    return this.readWhile(rest);
  }

  /** A double-quoted label value with `\\`, `\"` and `\n` escapes. */
  readQuoted(label: string): string {
    this.expect('"', `'"' to open the value of ${label}`);
    let value = '';
    for (;;) {
      if (this.atEnd()) this.fail(`the value of ${label} is never closed`);
      const c = this.peek();
      this.advance();
      if (c === '"') return value;
      value += c === '\\' ? this.escape('\\"n', `the value of ${label}`) : c;
    }
  }

  /** The rest of the line as help text, with `\\` and `\n` escapes. */
  readHelp(): string {
    let help = '';
    while (!this.atEnd()) {
      const c = this.peek();
      this.advance();
      help += c === '\\' ? this.escape('\\n', 'the help text') : c;
    }
    return help;
  }

  private escape(allowed: string, where: string): string {
    const c = this.peek();
    if (this.atEnd() || !allowed.includes(c)) {
      this.fail(`invalid escape '\\${c}' in ${where}`);
    }
    this.advance();
    return c === 'n' ? '\n' : c;
  }

  /** What is at the cursor, for a message. */
  found(): string {
    return this.atEnd() ? 'the end of the line' : `'${this.peek()}'`;
  }
}
