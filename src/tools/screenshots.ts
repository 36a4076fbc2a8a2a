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
  startServer,
  stopAllServers,
} from './server-process.js';

/**
 * `npm run screenshots`: every page of the dashboard, as each party sees it, at 1280×800, into
 * docs/dashboard/, so the docs never show an old UI. A fresh store with the example, one plan,
 * and a request waiting on Azure's right of first refusal; then, with `--large`, a
 * 5,000-workload portfolio's plan page. Needs the build (`npm run build`) and Debian's Chromium.
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
    await shoot(browser, server, planner, '/contracts', 'contracts.png');
    await shoot(browser, server, planner, '/offers', 'offers-planner.png');
    await shoot(browser, server, holder, '/offers', 'offers-holder.png');
    await shoot(browser, server, planner, '/buildout', 'buildout.png');
    await shoot(browser, server, planner, '/ledger', 'ledger.png');
    await shoot(browser, server, funder, '/', 'overview-funder.png');
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
