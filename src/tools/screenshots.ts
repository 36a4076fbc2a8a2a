#!/usr/bin/env node
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, settled, withSession } from './chromium.js';
import type { ServerProcess } from './server-process.js';
import {
  EXAMPLE,
  LARGE,
  REPO_ROOT,
  api,
  servePlannedPortfolio,
  sleep,
  startServer,
  stopAllServers,
} from './server-process.js';

/**
 * `npm run screenshots`: every page of the dashboard, as each party sees it, at 1280×800, into
 * docs/dashboard/, so the docs never show an old UI. A fresh store with the example, one plan,
 * a request waiting on Azure's right of first refusal, and (for the buildout and the inventory,
 * shot last so the other pages look as before) node agents' heartbeats from three sites, some
 * GPUs unhealthy and one node stale; then, with `--large`, a 5,000-workload portfolio's plan
 * page. Needs the build (`npm run build`) and Debian's Chromium.
 */
const OUT = join(REPO_ROOT, 'docs', 'dashboard');
const VIEWPORT = { width: 1280, height: 800 };

async function call(
  server: ServerProcess,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await api(server, method, path, {
    token,
    ...(body === undefined ? {} : { body }),
  });
  if (response.status >= 300) {
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

async function shoot(
  browser: Browser,
  server: ServerProcess,
  token: string,
  path: string,
  file: string,
  options: { dark?: boolean; ready?: (page: Page) => Promise<void> } = {},
): Promise<void> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  await withSession(page, token);
  await page.goto(`${server.url}${path}`);
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  await settled(page);
  await options.ready?.(page);
  // Charts draw on the next frames; the countdown ticks: let both settle.
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(OUT, file) });
  process.stdout.write(`docs/dashboard/${file}\n`);
  await context.close();
}

async function signInShot(browser: Browser, server: ServerProcess): Promise<void> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByLabel('Token').waitFor();
  await page.screenshot({ path: join(OUT, 'sign-in.png') });
  process.stdout.write('docs/dashboard/sign-in.png\n');
  await context.close();
}

/** What a node agent would send for a node of `gpus` GPUs of `part`; `faults` by GPU index. */
function heartbeat(
  node: string,
  site: string,
  pool: string,
  part: string,
  options: { intervalSeconds?: number; faults?: Record<number, Record<string, unknown>> } = {},
) {
  return {
    node,
    site,
    pool,
    sequence: 1,
    intervalSeconds: options.intervalSeconds ?? 30,
    observedAt: new Date().toISOString(),
    reading: {
      source: 'nvidia-smi',
      driverVersion: '570.133.20',
      gpus: [0, 1, 2, 3].map((index) => ({
        index,
        name: part,
        temperatureC: 64 + index,
        ...options.faults?.[index],
      })),
    },
  };
}

/**
 * A small fleet reporting: four-GPU nodes at Abilene, Shackelford and Milam, five GPUs
 * unhealthy for different reasons, and one node stale. The stale one reports first with a 1 s
 * interval; it is stale once three of those pass, which the caller waits for.
 */
async function reportFleet(server: ServerProcess, admin: string): Promise<void> {
  const send = (body: ReturnType<typeof heartbeat>) =>
    call(server, admin, 'POST', '/v1/heartbeats', body);
  await send(
    heartbeat('abl-b2-n06', 'abilene', 'abilene-b2', 'NVIDIA GB200', { intervalSeconds: 1 }),
  );
  const nodes = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}-n${String(i + 1).padStart(2, '0')}`);
  const faults: Record<string, Record<number, Record<string, unknown>>> = {
    'abl-b1-n03': { 2: { eccUncorrectedVolatile: 2 } },
    'abl-b1-n07': { 0: { temperatureC: 92 } },
    'abl-b2-n02': { 3: { xids: [79] } },
    'shk-b1-n01': { 1: { powerLimitW: 800, defaultPowerLimitW: 1200 } },
    'shk-b1-n04': {
      0: { remappedRowsPending: true, clockEventReasons: ['hw_thermal_slowdown'] },
    },
  };
  const fleet: [string, string, string, string, number][] = [
    ['abl-b1', 'abilene', 'abilene-b1', 'NVIDIA GB200', 12],
    ['abl-b2', 'abilene', 'abilene-b2', 'NVIDIA GB200', 5],
    ['shk-b1', 'shackelford', 'shackelford-b1', 'NVIDIA GB300', 8],
    ['mil-b1', 'milam', 'milam-b1', 'NVIDIA GB300', 4],
  ];
  for (const [prefix, site, pool, part, count] of fleet) {
    for (const node of nodes(prefix, count)) {
      const own = faults[node];
      await send(heartbeat(node, site, pool, part, own ? { faults: own } : {}));
    }
  }
}

/** The What-if panel open on /plan: Abilene's third building a month late (the gang pretrain-2025b no longer fits), answered exactly. */
async function whatIfReady(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'What if…' }).click();
  await page.getByLabel('Building').selectOption('abilene-b3');
  await page.getByLabel('comes online in').fill('2025-11');
  await page.getByText('Exact (', { exact: false }).waitFor({ timeout: 60_000 });
}

/** /buildout's table of what each building's schedule is worth, once its answers are in. */
async function worthReady(page: Page): Promise<void> {
  const table = page.getByRole('region', {
    name: 'What each building’s schedule is worth, scrollable',
  });
  await table.waitFor({ timeout: 60_000 });
  // The page's own text, as a string the browser runs: this module has no DOM types.
  await page.waitForFunction(`!document.body.innerText.includes('computing…')`, undefined, {
    timeout: 120_000,
  });
  await page.evaluate(
    `[...document.querySelectorAll('h2')].find((h) => h.textContent?.startsWith('What each building'))?.closest('section')?.scrollIntoView({ block: 'start' })`,
  );
}

/** The What-if panel on a generated portfolio: its first pool's price raised, answered. */
async function whatIfLargeReady(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'What if…' }).click();
  const pool = page.getByLabel('Pool', { exact: true });
  await pool.locator('option').nth(1).waitFor({ state: 'attached' });
  await pool.selectOption({ index: 1 });
  await page.getByLabel('costs $ per GPU-hour').fill('9.99');
  await page.getByText(/^(First answer|Exact|Final answer) \(/).waitFor({ timeout: 120_000 });
}

async function example(browser: Browser): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stargate-screens-'));
  try {
    const server = await startServer({ store: { dataDir }, args: ['--import', EXAMPLE] });
    const admin = server.firstToken ?? '';
    const token = async (grant: Record<string, unknown>) =>
      ((await call(server, admin, 'POST', '/v1/tokens', grant)) as { token: string }).token;
    const planner = await token({ role: 'planner', label: 'screenshots' });
    const holder = await token({ role: 'holder', provider: 'azure', label: 'screenshots' });
    const funder = await token({ role: 'funder', label: 'screenshots' });
    await call(server, planner, 'POST', '/v1/plans', {});
    await call(server, planner, 'POST', '/v1/requests', {
      accelerator: 'vr200',
      gpus: 380000,
      window: { from: '2029-10', to: '2030-02' },
      workloadClass: 'training',
      reason: 'pretrain-2029 fits nowhere: Lordstown waits on the ROFR',
    });
    await signInShot(browser, server);
    await shoot(browser, server, planner, '/', 'overview.png');
    await shoot(browser, server, planner, '/', 'overview-dark.png', { dark: true });
    await shoot(browser, server, planner, '/plan', 'plan.png');
    await shoot(browser, server, planner, '/plan', 'plan-what-if.png', { ready: whatIfReady });
    await shoot(browser, server, planner, '/contracts', 'contracts.png');
    await shoot(browser, server, planner, '/offers', 'offers-planner.png');
    await shoot(browser, server, holder, '/offers', 'offers-holder.png');
    await shoot(browser, server, planner, '/ledger', 'ledger.png');
    await shoot(browser, server, funder, '/', 'overview-funder.png');
    const reported = Date.now();
    await reportFleet(server, admin);
    // serve sweeps every 5 s: the month's delivery is recorded from the heartbeats by then, and
    // the node reporting every 1 s is stale (three intervals without a heartbeat).
    await sleep(Math.max(0, reported + 6_000 - Date.now()));
    await shoot(browser, server, planner, '/buildout', 'buildout.png');
    await shoot(browser, server, planner, '/buildout', 'buildout-delivered.png', {
      // The panel below the Gantt and its table, at the top of the window.
      ready: (page) =>
        page.evaluate(
          `[...document.querySelectorAll('h2')].find((h) => h.textContent === 'Delivered vs promised (node agents)')?.closest('section')?.scrollIntoView({ block: 'start' })`,
        ),
    });
    await shoot(browser, server, planner, '/buildout', 'buildout-worth.png', { ready: worthReady });
    await shoot(browser, server, planner, '/inventory', 'inventory.png');
    await server.kill();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function large(browser: Browser): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stargate-screens-large-'));
  try {
    const { server, admin } = await servePlannedPortfolio(dir, LARGE);
    await shoot(browser, server, admin, '/plan', 'plan-5000.png');
    await shoot(browser, server, admin, '/plan', 'plan-what-if-5000.png', {
      ready: whatIfLargeReady,
    });
    await shoot(browser, server, admin, '/', 'overview-5000.png');
    await server.kill();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--large');
  if (unknown.length > 0) {
    process.stderr.write(`usage: node dist/tools/screenshots.js [--large]\n`);
    return 2;
  }
  await mkdir(OUT, { recursive: true });
  const browser = await launchChromium();
  try {
    await example(browser);
    if (argv.includes('--large')) await large(browser);
  } finally {
    await browser.close();
    await stopAllServers();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `screenshots failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
