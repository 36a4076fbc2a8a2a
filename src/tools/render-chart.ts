#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

/**
 * Renders an SVG (the fan chart of `stargate forecast --chart`) to PNG with headless
 * Chromium, for slides and for docs/forecast-example.png:
 *
 *   npm run chart:example
 *   node dist/tools/render-chart.js IN.svg OUT.png [--scale 2]
 *
 * A development tool: it needs Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH)
 * and the playwright-core dev dependency; the CLI itself never starts a browser.
 */
const USAGE = 'usage: node dist/tools/render-chart.js IN.svg OUT.png [--scale N]';

async function main(argv: readonly string[]): Promise<number> {
  const [input, output, flag, value] = argv;
  if (input === undefined || output === undefined || (flag !== undefined && flag !== '--scale')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const scale = value === undefined ? 2 : Number(value);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 4) {
    process.stderr.write(`--scale: expected a number above 0, at most 4\n${USAGE}\n`);
    return 2;
  }
  const svg = await readFile(input, 'utf8');
  const size = /<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"/.exec(svg);
  const width = Number(size?.[1] ?? 1280);
  const height = Number(size?.[2] ?? 720);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: scale });
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`,
    );
    const png = await page.locator('svg').first().screenshot({ type: 'png' });
    await writeFile(output, png);
    process.stdout.write(`${output}: ${width * scale}×${height * scale} PNG\n`);
  } finally {
    await browser.close();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
