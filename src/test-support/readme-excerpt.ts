/**
 * The README's walk-through as data, for the test that runs it: its shell blocks, each with the
 * output block that follows it, and a check that what a command really printed is what the
 * README shows. The README shows excerpts, so the check knows its placeholders:
 *
 * - a line that is only `…` stands for any number of lines, none included;
 * - `…` within a line stands for any text (`sgt_…`, `tok_…`);
 * - a time, `2026-12-25 04:12Z` or `2026-12-25T04:12:40.512Z`, stands for any time written so.
 *
 * Every other line must be printed exactly, in the order shown and next to its neighbours, with
 * the first line shown first and the last last unless a `…` line stands before or after them.
 */

export interface WalkthroughStep {
  /** The shell block, as written. */
  readonly commands: string;
  /** The output block that follows it, if one does. */
  readonly output: string | undefined;
}

/** The text under a heading (`### Walk-through`), up to the next heading of its level or above. */
export function markdownSection(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  let inFence = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) inFence = !inFence;
    const hashes = /^(#+) /.exec(line)?.[1]?.length;
    if (!inFence && hashes !== undefined && hashes <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The fenced blocks of a markdown text, in order, with their language (`''` when none). */
export function fencedBlocks(markdown: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (open === undefined) {
      const fence = /^```(\S*)\s*$/.exec(line);
      if (fence) open = { lang: fence[1] ?? '', lines: [] };
    } else if (line.startsWith('```')) {
      blocks.push({ lang: open.lang, body: open.lines.join('\n') });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  if (open !== undefined) throw new Error('a fenced block is not closed');
  return blocks;
}

/**
 * Pairs each `sh` block with the output block right after it. An output block with no shell
 * block before it is an error: the test could not say which command printed it.
 */
export function walkthroughSteps(section: string): WalkthroughStep[] {
  const steps: { commands: string; output: string | undefined }[] = [];
  for (const block of fencedBlocks(section)) {
    if (block.lang === 'sh') {
      steps.push({ commands: block.body, output: undefined });
      continue;
    }
    const last = steps.at(-1);
    if (block.lang !== '' || last === undefined || last.output !== undefined) {
      throw new Error(`a \`\`\`${block.lang} block that follows no command:\n${block.body}`);
    }
    last.output = block.body;
  }
  return steps;
}

const MINUTE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z`;
const ISO_TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const PLACEHOLDER = new RegExp(`(…|${MINUTE}|${ISO_TIME})`);

/** A line of the README as a pattern for a line of output. */
export function linePattern(line: string): RegExp {
  const source = line
    .split(PLACEHOLDER)
    .map((part, index) => {
      if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (part === '…') return '.*';
      return part.includes('T') ? ISO_TIME : MINUTE;
    })
    .join('');
  return new RegExp(`^${source}$`);
}

const isGap = (line: string) => line.trim() === '…';

/** Lines without trailing blanks, and without the blank lines around them. */
function trimmedLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines[0] === '') lines.shift();
  while (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Whether `actual` is what the excerpt `shown` shows (see the top of this file): undefined when
 * it is, else what is missing and where, with the whole output to fix the README from.
 */
export function excerptMismatch(shown: string, actual: string): string | undefined {
  const want = trimmedLines(shown);
  const got = trimmedLines(actual);
  const startFree = want.length > 0 && isGap(want[0] ?? '');
  const endFree = want.length > 0 && isGap(want.at(-1) ?? '');
  const segments: string[][] = [[]];
  for (const line of want) {
    if (isGap(line)) segments.push([]);
    else segments.at(-1)?.push(line);
  }
  const runs = segments.filter((segment) => segment.length > 0);
  if (runs.length === 0) return undefined;
  let at = 0;
  for (const [index, run] of runs.entries()) {
    const patterns = run.map(linePattern);
    const fits = (position: number) =>
      position >= at &&
      position + run.length <= got.length &&
      patterns.every((pattern, k) => pattern.test(got[position + k] ?? ''));
    const first = index === 0 && !startFree;
    const last = index === runs.length - 1 && !endFree;
    let found: number | undefined;
    if (last) {
      const position = got.length - run.length;
      if ((!first || position === 0) && fits(position)) found = position;
    } else if (first) {
      if (fits(0)) found = 0;
    } else {
      for (let position = at; position + run.length <= got.length && found === undefined;) {
        if (fits(position)) found = position;
        position += 1;
      }
    }
    if (found === undefined) {
      const where = first
        ? 'as the first lines of the output'
        : last
          ? 'as the last lines of the output'
          : `after output line ${at}`;
      return [
        `the README shows these lines ${where}, but the command did not print them there:`,
        ...run.map((line) => `  | ${line}`),
        'The command printed:',
        ...got.map((line) => `  | ${line}`),
      ].join('\n');
    }
    at = found + run.length;
  }
  return undefined;
}
