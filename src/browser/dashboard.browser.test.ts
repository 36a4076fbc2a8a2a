import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../test-support/server-process.js';
import {
  EXAMPLE,
  REPO_ROOT,
  api,
  servePlannedPortfolio,
  startServer,
  stopAllServers,
} from '../test-support/server-process.js';
import { launchChromium, settled, signIn, withSession } from '../tools/chromium.js';

/**
 * The dashboard as its users meet it: a real `stargate serve` (built, on a fresh PGlite store
 * with the example) and Debian's Chromium. One journey per party: the planner plans and reads
 * the reasons, the ROFR holder declines its offer while the planner watches the request clear,
 * a bad token and a funder meet their limits, an operator watches its site's GPUs fail, and no
 * page has serious accessibility faults.
 * Run by `npm run test:browser`, which `.ci/run` calls after `npm test` has built everything.
 */

let browser: Browser;
let server: ServerProcess;
let dataDir: string;
const tokens = { admin: '', planner: '', holder: '', funder: '', viewer: '', operator: '' };

async function makeToken(body: Record<string, unknown>): Promise<string> {
  const response = await api(server, 'POST', '/v1/tokens', { token: tokens.admin, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return (response.body as { token: string }).token;
}

async function signedInPage(context: BrowserContext, token: string, path: string): Promise<Page> {
  const page = await context.newPage();
  await withSession(page, token);
  await page.goto(`${server.url}${path}`);
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  return page;
}

/** Page errors and console errors, collected so a test can assert there were none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) {
    throw new Error('dist/web is missing: run npm run build first (npm test does)');
  }
  dataDir = await mkdtemp(join(tmpdir(), 'stargate-dashboard-'));
  server = await startServer({
    store: { dataDir },
    args: ['--import', EXAMPLE, '--sweep-every', '1'],
  });
  tokens.admin = server.firstToken ?? '';
  expect(tokens.admin).toMatch(/^sgt_/);
  tokens.planner = await makeToken({ role: 'planner' });
  tokens.holder = await makeToken({ role: 'holder', provider: 'azure' });
  tokens.funder = await makeToken({ role: 'funder' });
  tokens.viewer = await makeToken({ role: 'viewer' });
  tokens.operator = await makeToken({ role: 'operator', sites: ['abilene'] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser.close();
  await stopAllServers();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the dashboard in Chromium', () => {
  it('a planner signs in, sees the overview drawn, plans now and finds pretrain-2029 with its reasons', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await signIn(page, tokens.planner);

    // The overview's capacity chart is drawn: an SVG with shapes in it.
    const chart = page.getByRole('figure', { name: /GPUs online by provider/i });
    await expect
      .poll(() => chart.locator('svg path').count(), { timeout: 15_000 })
      .toBeGreaterThan(5);

    await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Plan' })
      .click();
    await expect.poll(() => page.url()).toBe(`${server.url}/plan`);
    await page.getByRole('button', { name: 'Plan now' }).click();
    // The new plan is stored and shown.
    await expect
      .poll(async () => (await api(server, 'GET', '/v1/plans', { token: tokens.planner })).body, {
        timeout: 60_000,
      })
      .toHaveLength(1);
    await page.getByRole('searchbox', { name: /search/i }).fill('pretrain-2029');
    const row = page.getByRole('row', { name: /pretrain-2029/ });
    await row.first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByText(/rofr term msft-rofr/).count()).toBeGreaterThan(0);
    // Its detail names every reason, the gang's own among them.
    await page.getByRole('button', { name: 'pretrain-2029' }).click();
    await expect
      .poll(() => page.getByText(/gang workload needs 380,000 GPUs/).count())
      .toBeGreaterThan(0);

    // Export: the month's Kueue manifests, downloaded as YAML for kubectl apply.
    await page.getByLabel('Kueue manifests for').fill('2027-06');
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export' }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^stargate-plan-\d+-kueue-2027-06\.yaml$/);
    const manifests = await readFile((await file.path()) ?? '', 'utf8');
    expect(manifests).toContain('kind: ClusterQueue');
    expect(manifests).toContain('apiVersion: kueue.x-k8s.io/v1beta2');
    // A month outside the horizon is refused with the server's reason, and nothing downloads.
    await page.getByLabel('Kueue manifests for').fill('2035-01');
    await page.getByRole('button', { name: 'Export' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/^Export failed: .*2035-01/);
    // Chromium logs the refused request itself; that one error is expected, nothing else.
    const refused = errors.findIndex((error) => /status of 400/.test(error));
    expect(refused, errors.join('\n')).toBeGreaterThanOrEqual(0);
    errors.splice(refused, 1);

    // A reload keeps the page and the session.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /plan/i }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the holder declines its one pending offer; the planner sees the request cleared without reload', async () => {
    const created = await api(server, 'POST', '/v1/requests', {
      token: tokens.planner,
      body: {
        accelerator: 'vr200',
        gpus: 380000,
        window: { from: '2029-10', to: '2030-02' },
        workloadClass: 'training',
        reason: 'pretrain-2029 fits nowhere',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const requestId = (created.body as { id: number }).id;

    const planners = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const planner = await signedInPage(planners, tokens.planner, '/offers');
    const plannerRow = planner
      .getByRole('row')
      .filter({ has: planner.getByRole('button', { name: new RegExp(`^Request ${requestId}:`) }) });
    await plannerRow.first().waitFor();
    await expect.poll(() => plannerRow.first().textContent()).toMatch(/offered/);

    const holders = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const holder = await holders.newPage();
    const errors = watchErrors(holder);
    await holder.goto(`${server.url}/offers`);
    await signIn(holder, tokens.holder);
    // Only Offers in the navigation; one pending offer; nothing of the lab's workloads.
    const nav = holder.getByRole('navigation', { name: 'Pages' });
    await expect.poll(() => nav.getByRole('link').allTextContents()).toEqual(['Offers']);
    await expect
      .poll(() => holder.getByRole('button', { name: 'Decline', exact: true }).count())
      .toBe(1);
    const body = (await holder.locator('main').textContent()) ?? '';
    expect(body).not.toContain('pretrain-2029');
    expect(body).not.toContain('training');

    await holder.getByRole('button', { name: 'Decline', exact: true }).click();
    const dialog = holder.getByRole('dialog');
    await dialog.getByLabel('Note').fill('no VR200 to spare in 2029');
    const declinedAt = Date.now();
    await dialog.getByRole('button', { name: 'Decline offer' }).click();

    // The planner's open page shows the request cleared within 2 s, with no reload.
    await plannerRow.first().getByText('cleared', { exact: true }).waitFor({ timeout: 2_000 });
    const seconds = (Date.now() - declinedAt) / 1000;
    expect(seconds).toBeLessThan(2);
    expect(errors).toEqual([]);
    await holders.close();
    await planners.close();
  });

  it('a planner asks what if abilene-b3 came a month late: the first answer, then the exact one', async () => {
    // The first journey planned; run alone, this one plans first.
    const plans = await api(server, 'GET', '/v1/plans', { token: tokens.planner });
    if ((plans.body as unknown[]).length === 0) {
      const made = await api(server, 'POST', '/v1/plans', { token: tokens.planner, body: {} });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context, tokens.planner, '/plan');
    const errors = watchErrors(page);
    await page.getByRole('button', { name: 'What if…' }).click();
    await page.getByLabel('Building').selectOption('abilene-b3');
    await page.getByLabel('comes online in').fill('2025-11');
    await expect
      .poll(() => page.getByRole('textbox', { name: /merge patch/ }).inputValue())
      .toBe('{"buildings":[{"id":"abilene-b3","online":"2025-11"}]}');
    // The exact answer comes by the stream (or a poll): HiGHS's optimum, $360.1M dearer.
    await page.getByText('Exact (HiGHS, optimal)', { exact: false }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByText(/^Total \+\$360\.1M/).count()).toBe(1);
    const unmet = page.getByRole('table', { name: 'Workloads whose unmet demand changed' });
    await expect.poll(() => unmet.getByText('api-2026').count()).toBe(1);
    // A patch typed by hand that the server refuses: its message names the path.
    await page
      .getByRole('textbox', { name: /merge patch/ })
      .fill('{"buildings":[{"online":"2025-11"}]}');
    await page
      .getByRole('alert')
      .getByText('body.patch.buildings[0].id', { exact: false })
      .waitFor();
    // The browser reports the refused patch's 400 itself; nothing else may fail.
    expect(errors.filter((error) => !error.includes('status of 400'))).toEqual([]);
    await context.close();
  });

  it('refuses a bad token, and tells a funder /offers is not for its role', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Token').fill('sgt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'token not accepted' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
    expect(await page.evaluate('sessionStorage.getItem("stargate.token")')).toBeNull();

    const funder = await signedInPage(context, tokens.funder, '/offers');
    await funder.getByText('not available to role funder').waitFor();
    const links = await funder
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link')
      .allTextContents();
    expect(links).toEqual(['Overview', 'Buildout', 'Ledger']);

    // Signing out forgets the token: a reload asks for one again.
    await funder.getByRole('button', { name: 'Sign out' }).click();
    await funder.getByLabel('Token').waitFor();
    expect(await funder.evaluate('sessionStorage.getItem("stargate.token")')).toBeNull();
    await context.close();
  });

  it('a viewer sees every page and no action buttons', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context, tokens.viewer, '/plan');
    const links = await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link')
      .allTextContents();
    expect(links).toEqual([
      'Overview',
      'Plan',
      'Contracts',
      'Offers',
      'Buildout',
      'Inventory',
      'Ledger',
    ]);
    await settled(page);
    expect(await page.getByRole('button', { name: 'Plan now' }).count()).toBe(0);
    // A planner's page has them (the control that this test can fail), a viewer's has none.
    const actions =
      /^(Accept|Decline|Request capacity|Record (a )?quote|Award quote \d+|Record a delivery.*)$/;
    const planners = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const planner = await signedInPage(planners, tokens.planner, '/offers');
    await settled(planner);
    expect(await planner.getByRole('button', { name: actions }).count()).toBeGreaterThan(0);
    await planners.close();
    await page.goto(`${server.url}/offers`);
    await settled(page);
    expect(await page.getByRole('button', { name: actions }).count()).toBe(0);
    await context.close();
  });

  it('an operator finds its site’s unhealthy GPU on /inventory, and sees the next one arrive live', async () => {
    /** One heartbeat of a node of abilene-b1, sent with the operator's token as its agent does. */
    const heartbeat = async (node: string, sequence: number, gpus: Record<string, unknown>[]) => {
      const response = await api(server, 'POST', '/v1/heartbeats', {
        token: tokens.operator,
        body: {
          node,
          site: 'abilene',
          pool: 'abilene-b1',
          sequence,
          intervalSeconds: 30,
          observedAt: new Date().toISOString(),
          reading: { source: 'nvidia-smi', gpus },
        },
      });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    };
    await heartbeat('abilene-n001', 1, [
      { index: 0, name: 'NVIDIA GB200' },
      { index: 1, name: 'NVIDIA GB200', eccUncorrectedVolatile: 2 },
    ]);
    await heartbeat('abilene-n002', 1, [
      { index: 0, name: 'NVIDIA GB200' },
      { index: 1, name: 'NVIDIA GB200' },
    ]);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await signIn(page, tokens.operator);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await expect
      .poll(() => nav.getByRole('link').allTextContents())
      .toEqual(['Buildout', 'Inventory']);
    await nav.getByRole('link', { name: 'Inventory' }).click();
    await expect.poll(() => page.url()).toBe(`${server.url}/inventory`);

    const unhealthy = page.getByRole('table', { name: 'Unhealthy GPUs' });
    await page.getByText('1 unhealthy GPU on 1 node').waitFor();
    // The header row and one GPU's.
    await expect.poll(() => unhealthy.getByRole('row').count()).toBe(2);
    const row = unhealthy.getByRole('row').nth(1);
    expect(await row.textContent()).toContain('abilene-n001');
    expect(await row.textContent()).toContain('2 uncorrectable ECC errors since the driver loaded');
    // One site only: no site filter to choose from.
    expect(await page.getByRole('combobox', { name: 'Site' }).count()).toBe(0);

    // The other node's first GPU runs hot: the open page shows it within 2 s, with no reload.
    const sentAt = Date.now();
    await heartbeat('abilene-n002', 2, [
      { index: 0, name: 'NVIDIA GB200', temperatureC: 95 },
      { index: 1, name: 'NVIDIA GB200' },
    ]);
    await page.getByText('2 unhealthy GPUs on 2 nodes').waitFor({ timeout: 2_000 });
    expect((Date.now() - sentAt) / 1000).toBeLessThan(2);
    expect(await unhealthy.getByRole('row').count()).toBe(3);
    expect(await unhealthy.textContent()).toContain('runs hot: 95 °C');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('has no serious or critical accessibility violations on any page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const pages: [string, string][] = [
      ['planner', '/'],
      ['planner', '/plan'],
      ['planner', '/contracts'],
      ['planner', '/offers'],
      ['planner', '/buildout'],
      ['planner', '/ledger'],
      ['operator', '/inventory'],
      ['holder', '/offers'],
      ['funder', '/'],
    ];
    const page = await context.newPage();
    const found: string[] = [];
    for (const [role, path] of pages) {
      await withSession(page, tokens[role as keyof typeof tokens]);
      await page.goto(`${server.url}${path}`);
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      await settled(page);
      const results = await new AxeBuilder({ page }).analyze();
      for (const violation of results.violations) {
        if (violation.impact === 'serious' || violation.impact === 'critical') {
          found.push(
            `${role} ${path}: ${violation.id} (${violation.impact}) ${violation.help}: ${violation.nodes
              .slice(0, 3)
              .map((node) => node.target.join(' '))
              .join(' | ')}`,
          );
        }
      }
    }
    // Also the sign-in form.
    const signInPage = await context.newPage();
    await signInPage.goto(server.url);
    await signInPage.getByLabel('Token').waitFor();
    for (const violation of (await new AxeBuilder({ page: signInPage }).analyze()).violations) {
      if (violation.impact === 'serious' || violation.impact === 'critical')
        found.push(`sign-in: ${violation.id} ${violation.help}`);
    }
    expect(found).toEqual([]);
    await context.close();
  });
});

describe('the plan of a large portfolio', () => {
  it('keeps the table virtualised: a few dozen rows in the DOM for 2,000 workloads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stargate-dashboard-large-'));
    try {
      const { server: large, admin } = await servePlannedPortfolio(dir, [
        '--workloads',
        '2000',
        '--pools',
        '40',
        '--months',
        '12',
        '--seed',
        '7',
      ]);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await withSession(page, admin);
      await page.goto(`${large.url}/plan`);
      await page.getByRole('row').nth(10).waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByText('2,000 workloads').count()).toBeGreaterThan(0);
      const rows = await page.getByRole('row').count();
      expect(rows).toBeGreaterThan(10);
      expect(rows).toBeLessThan(100);
      // Scrolling to the end draws the last rows, still a few dozen at a time.
      const firstRow = await page.getByRole('row').nth(1).textContent();
      await page.getByRole('row').nth(1).getByRole('button').first().focus();
      await page.keyboard.press('Control+End');
      await expect.poll(() => page.getByRole('row').nth(1).textContent()).not.toBe(firstRow);
      expect(await page.getByRole('row').count()).toBeLessThan(100);
      await context.close();
      await large.kill();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
