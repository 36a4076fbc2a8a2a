import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../cli/main.js';
import { bufferIo } from '../cli/io.js';

/**
 * The forecast's fan chart as a person sees it: rendered by real headless Chromium (Debian's,
 * at /usr/bin/chromium or CHROMIUM_PATH). Run by `npm run test:browser`, which `.ci/run` calls.
 */
let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  dir = await mkdtemp(join(tmpdir(), 'stargate-browser-'));
});

afterAll(async () => {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
});

describe('forecast fan chart in Chromium', () => {
  it('renders the example with title, axes, legend and bands, without errors', async () => {
    const file = join(dir, 'chart.svg');
    const io = bufferIo();
    const status = await run(
      ['forecast', 'examples/stargate-2025.yaml', '--runs', '200', '--seed', '1', '--chart', file],
      io,
    );
    expect(status).toBe(0);
    const svg = await readFile(file, 'utf8');

    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const chart = page.locator('svg').first();
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(600);
    expect(box?.height).toBeGreaterThan(300);

    const text = (await chart.textContent()) ?? '';
    expect(text).toContain('Stargate');
    expect(text).toContain('GPUs online');
    expect(text).toMatch(/p10.p90/);
    expect(text).toContain('2030');
    // Bands and lines are drawn: polygons for p10–p90, polylines for p50 and the schedule.
    expect(await chart.locator('polygon').count()).toBeGreaterThanOrEqual(2);
    expect(await chart.locator('polyline').count()).toBeGreaterThanOrEqual(4);

    const png = await chart.screenshot({ type: 'png' });
    // A blank or broken render compresses to almost nothing; a real chart does not.
    expect(png.byteLength).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
    await page.close();
  });
});
