import { stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
// Types only: the charts (and ECharts, thousands of modules) load when a chart is asked for.
import type { ChartFile } from './report/chart-files.js';

/** `OUT.svg` with `-share` → `OUT-share.svg`; a name without `.svg` gets it appended. */
export function chartPath(out: string, suffix: string): string {
  if (suffix === '') return out;
  const base = out.toLowerCase().endsWith('.svg') ? out.slice(0, -4) : out;
  return `${base}-${suffix}.svg`;
}

/**
 * Checks where `--chart OUT.svg` will write before the command does its work (a plan can take
 * minutes): a folder that does not exist is a usage error, exit 2.
 */
export async function checkChartTarget(out: string): Promise<void> {
  const folder = dirname(out);
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined) {
    throw new UsageError(`--chart: cannot write ${out}: the folder ${folder} does not exist`);
  }
  if (!info.isDirectory()) {
    throw new UsageError(`--chart: cannot write ${out}: ${folder} is not a folder`);
  }
}

/** Writes the chart files beside OUT and says on stderr which file holds what. */
export async function writeChartFiles(
  out: string,
  files: readonly ChartFile[],
  io: Io,
): Promise<void> {
  for (const file of files) {
    const path = chartPath(out, file.suffix);
    try {
      await writeFile(path, file.svg);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new UsageError(`--chart: cannot write ${path}: ${code}`);
    }
    io.err(`chart: ${path} (${file.what})\n`);
  }
}
