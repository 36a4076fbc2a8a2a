import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../tools/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/main.js';
import { bufferIo } from '../cli/io.js';

/**
 * The CLI's charts (`--chart`, drawn by ECharts' SSR from src/charts) as a person sees them:
 * rendered by real headless Chromium (Debian's, at /usr/bin/chromium or CHROMIUM_PATH), in a
 * wide and a narrow window. Run by `npm run test:browser`, which `.ci/run` calls.
 */
let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'stargate-browser-'));
});

afterAll(async () => {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<void> {
  const io = bufferIo();
  const status = await run(argv, io);
  expect(io.stderr()).not.toContain('stargate:');
  expect(status).toBe(0);
}

/** A page that records every error it logs or throws. */
async function openPage(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors };
}

/** What the tests read of a drawn element (the test runs in Node, without DOM types). */
interface Drawn {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): {
    left: number;
    right: number;
    top: number;
    bottom: number;
    height: number;
  };
}

/** Every text of the chart, with where Chromium drew it. */
async function texts(page: Page) {
  return page.locator('svg text').evaluateAll((nodes: Drawn[]) =>
    nodes.map((node) => {
      const box = node.getBoundingClientRect();
      return {
        text: node.textContent,
        left: box.left,
        right: box.right,
        top: box.top,
        bottom: box.bottom,
      };
    }),
  );
}

describe('the CLI’s charts in Chromium', () => {
  it('draws the forecast’s fans with a legend entry per provider and line, nothing cut off', async () => {
    const file = join(dir, 'forecast.svg');
    await cli(
      'forecast',
      'examples/stargate-2025.yaml',
      '--runs',
      '200',
      '--seed',
      '1',
      '--chart',
      file,
    );
    const svg = await readFile(file, 'utf8');
    const share = await readFile(join(dir, 'forecast-share.svg'), 'utf8');

    for (const width of [1280, 800]) {
      const { page, errors } = await openPage(width);
      await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
      const chart = page.locator('svg').first();
      const box = await chart.boundingBox();
      // The chart takes the window's width at a slide's aspect.
      expect(box?.width).toBeCloseTo(width, 0);
      expect(box?.height).toBeCloseTo((width * 720) / 1280, 0);

      const drawn = await texts(page);
      const words = drawn.map((t) => t.text);
      for (const name of [
        'Stargate Project p10–p90',
        'Stargate Project median (p50)',
        'Stargate Project as scheduled',
        'Microsoft Azure as scheduled (no slips)',
        'CoreWeave as scheduled (no slips)',
      ])
        expect(words).toContain(name);
      for (const year of ['2025', '2030']) expect(words).toContain(year);
      // Nothing outside the window: every text within the chart's box, which fits the width.
      for (const t of drawn) {
        expect(t.left, `${t.text ?? ''} starts inside`).toBeGreaterThanOrEqual(0);
        expect(t.right, `${t.text ?? ''} ends inside`).toBeLessThanOrEqual(width);
        expect(t.bottom, `${t.text ?? ''} above the bottom`).toBeLessThanOrEqual(
          (box?.y ?? 0) + (box?.height ?? 0) + 1,
        );
      }
      // Legend entries do not overlap each other.
      const legend = drawn
        .filter((t) => / (p10–p90|median \(p50\)|as scheduled.*)$/.test(t.text ?? ''))
        .sort((a, b) => a.top - b.top);
      for (let i = 1; i < legend.length; i++) {
        expect(legend[i]!.top).toBeGreaterThanOrEqual(legend[i - 1]!.bottom - 1);
      }
      // The band: a filled polygon, drawn with area.
      const bands = await chart.locator('polygon').evaluateAll((nodes: Drawn[]) =>
        nodes.map((n) => ({
          fill: n.getAttribute('fill'),
          area: n.getBoundingClientRect().height,
        })),
      );
      expect(bands.some((b) => b.fill !== null && b.fill !== 'none' && b.area > 50)).toBe(true);
      // Lines: the medians and schedules, solid and dashed.
      expect(await chart.locator('path[stroke-dasharray]').count()).toBeGreaterThanOrEqual(1);

      const png = await chart.screenshot({ type: 'png' });
      // A blank or broken render compresses to almost nothing; a real chart does not.
      expect(png.byteLength).toBeGreaterThan(width === 1280 ? 30_000 : 15_000);
      expect(errors).toEqual([]);
      await page.close();
    }

    // The share chart: every provider in the legend, the axis fitted under 100 %.
    const { page, errors } = await openPage(1280);
    await page.setContent(`<!doctype html><html><body style="margin:0">${share}</body></html>`);
    const words = (await texts(page)).map((t) => t.text);
    for (const name of ['Microsoft Azure', 'CoreWeave', 'Stargate Project'])
      expect(words).toContain(`${name} p10–p90`);
    expect(words).toContain('80%');
    expect(words).not.toContain('100%');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens each chart file on its own, as an SVG document, without errors', async () => {
    const plan = join(dir, 'plan.svg');
    const ledger = join(dir, 'ledger.svg');
    await cli('plan', 'examples/stargate-2025.yaml', '--solver', 'fast', '--chart', plan);
    await cli(
      'ledger',
      'examples/stargate-2025.yaml',
      '--plan',
      'examples/stargate-2025.plan.json',
      '--chart',
      ledger,
    );
    const files = [
      join(dir, 'forecast.svg'),
      join(dir, 'forecast-share.svg'),
      join(dir, 'forecast-mw.svg'),
      plan,
      ledger,
      join(dir, 'ledger-flows.svg'),
    ];
    for (const file of files) {
      const { page, errors } = await openPage(800);
      // Opened as a file, the SVG goes through the XML parser: one unescaped quote fails it.
      await page.goto(pathToFileURL(file).href);
      expect(await page.locator('parsererror').count(), file).toBe(0);
      const title = await page.locator('svg > title').textContent();
      expect(title, file).toMatch(/\d{4}/);
      const drawn = await texts(page);
      expect(drawn.length, file).toBeGreaterThan(10);
      for (const t of drawn) {
        expect(t.left, `${file}: ${t.text ?? ''}`).toBeGreaterThanOrEqual(0);
        expect(t.right, `${file}: ${t.text ?? ''}`).toBeLessThanOrEqual(800);
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
