import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  excerptMismatch,
  fencedBlocks,
  linePattern,
  markdownSection,
  walkthroughSteps,
} from './readme-excerpt.js';

const OUTPUT = [
  'Created plan 1; read it with: stargate plans show 1',
  '',
  'ID  CREATED            BY',
  ' 1  2026-12-05 20:22Z  admin/tok_82a333496abe',
  'Unmet demand: 7 workloads',
  '  pretrain-2029  380,000',
  '  research-2025  150,000',
  'gives azure until 2027-01-04T20:22:44.707Z to answer',
].join('\n');

describe('an excerpt of a command’s output, as the README shows it', () => {
  it('matches the whole output, or parts of it between … lines', () => {
    expect(excerptMismatch(OUTPUT, `\n${OUTPUT}\n\n`)).toBeUndefined();
    expect(excerptMismatch('…\nUnmet demand: 7 workloads\n…', OUTPUT)).toBeUndefined();
    expect(
      excerptMismatch('Created plan 1; read it with: stargate plans show 1\n…', OUTPUT),
    ).toBeUndefined();
    expect(
      excerptMismatch('…\n  pretrain-2029  380,000\n  …\ngives azure until …', OUTPUT),
    ).toBeUndefined();
  });

  it('takes any time, token or elided text where the README writes one', () => {
    expect(
      excerptMismatch(
        '…\n 1  2026-12-25 04:12Z  admin/tok_…\n…\ngives azure until 2026-12-25T04:12:40.512Z to answer',
        OUTPUT,
      ),
    ).toBeUndefined();
    expect(
      linePattern('until 2026-12-25 04:12Z, sgt_…').test('until 2027-01-04 20:22Z, sgt_x-1'),
    ).toBe(true);
    // A time stands for a time, written the same way, not for any text.
    expect(linePattern('until 2026-12-25 04:12Z').test('until 2027-01-04T20:22:44.707Z')).toBe(
      false,
    );
    expect(linePattern('GPUs (a.b)').test('GPUs (axb)')).toBe(false);
  });

  it('fails when a line shown differs, is missing, or moved', () => {
    expect(excerptMismatch('…\nUnmet demand: 6 workloads\n…', OUTPUT)).toContain(
      '  | Unmet demand: 6 workloads',
    );
    // Lines shown together must be printed together.
    expect(
      excerptMismatch('…\nUnmet demand: 7 workloads\n  research-2025  150,000\n…', OUTPUT),
    ).toBeDefined();
    // In the order shown.
    expect(
      excerptMismatch('…\n  research-2025  150,000\n…\n  pretrain-2029  380,000\n…', OUTPUT),
    ).toBeDefined();
  });

  it('holds the first and last lines shown to the start and end of the output', () => {
    expect(excerptMismatch('Unmet demand: 7 workloads\n…', OUTPUT)).toContain(
      'as the first lines of the output',
    );
    expect(excerptMismatch('…\nUnmet demand: 7 workloads', OUTPUT)).toContain(
      'as the last lines of the output',
    );
    // Without a … line, the excerpt is the whole output.
    expect(
      excerptMismatch('Created plan 1; read it with: stargate plans show 1', OUTPUT),
    ).toBeDefined();
    expect(excerptMismatch('a\n…\nb', 'a\nb')).toBeUndefined();
    expect(excerptMismatch('a\n…\nb', 'b')).toBeDefined();
  });
});

describe('the README’s walk-through', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const steps = walkthroughSteps(markdownSection(readme, '### Walk-through'));

  it('is shell blocks, each followed by the output it prints', () => {
    // What src/cli/readme-walkthrough.services.test.ts runs (npm run test:services).
    expect(steps[0]).toMatchObject({ commands: 'npm ci && npm start' });
    expect(steps.length).toBeGreaterThan(5);
    for (const step of steps) expect(step.output).toBeDefined();
    const commands = steps.slice(1).flatMap((step) => step.commands.split('\n'));
    expect(commands.filter((line) => line.includes('npx stargate'))).toContain(
      'npx stargate plans diff 1 2',
    );
  });

  it('reads fences as markdown writes them', () => {
    expect(fencedBlocks('a\n```sh\nx\n```\n\n```\ny\nz\n```\n')).toEqual([
      { lang: 'sh', body: 'x' },
      { lang: '', body: 'y\nz' },
    ]);
    expect(() => walkthroughSteps('```\norphan\n```')).toThrow('follows no command');
  });
});
