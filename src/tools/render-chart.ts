#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { launchChromium } from './chromium.js';

/**
 * Renders SVG charts (those of `stargate forecast|ledger|plan --chart`) to PNG with headless
 * Chromium, for slides and for the docs' pictures (docs/forecast-example*.png):
 *
 *   npm run chart:example
 *   node dist/tools/render-chart.js IN.svg OUT.png [IN2.svg OUT2.png …] [--scale 2]
 *
 * The charts scale to their container (`width="100%"` and a `viewBox`); each is drawn at its
 * viewBox's size, times the scale. A development tool: it needs Debian's Chromium at
 * /usr/bin/chromium (or CHROMIUM_PATH) and the playwright-core dev dependency; the CLI itself
 * never starts a browser.
 */
const USAGE =
  'usage: node dist/tools/render-chart.js IN.svg OUT.png [IN2.svg OUT2.png …] [--scale N]';

/** The drawing size: the viewBox's, else the width and height attributes, else a slide's. */
function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const box = /\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"/.exec(root);
  if (box) return { width: Number(box[1]), height: Number(box[2]) };
  const width = /\bwidth="(\d+(?:\.\d+)?)"/.exec(root)?.[1];
  const height = /\bheight="(\d+(?:\.\d+)?)"/.exec(root)?.[1];
  return { width: Number(width ?? 1280), height: Number(height ?? 720) };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  let scale = 2;
  const flag = args.indexOf('--scale');
  if (flag >= 0) {
    scale = Number(args[flag + 1]);
    args.splice(flag, 2);
    if (!Number.isFinite(scale) || scale <= 0 || scale > 4) {
      process.stderr.write(`--scale: expected a number above 0, at most 4\n${USAGE}\n`);
      return 2;
    }
  }
  if (args.length === 0 || args.length % 2 !== 0 || args.some((a) => a.startsWith('--'))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  const browser = await launchChromium();
  try {
    for (let i = 0; i < args.length; i += 2) {
      const input = args[i] ?? '';
      const output = args[i + 1] ?? '';
      const svg = await readFile(input, 'utf8');
      const { width, height } = svgSize(svg);
      const page = await browser.newPage({
        viewport: { width: Math.ceil(width), height: Math.ceil(height) },
        deviceScaleFactor: scale,
      });
      await page.setContent(
        `<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`,
      );
      const png = await page.locator('svg').first().screenshot({ type: 'png' });
      await writeFile(output, png);
      await page.close();
      process.stdout.write(
        `${output}: ${Math.round(width * scale)}×${Math.round(height * scale)} PNG\n`,
      );
    }
  } finally {
    await browser.close();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
