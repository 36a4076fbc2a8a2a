import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from './io.js';
import { run } from './main.js';

// Which planner `auto` picks, command by command, on a portfolio between the two limits: more
// than the 200 triples of a plan to act on, fewer than the 2,000 of a plan to compare.
async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

let dir = '';
let file = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-purpose-'));
  const made = await cli(
    'gen',
    '--workloads',
    '60',
    '--pools',
    '10',
    '--months',
    '12',
    '--seed',
    '3',
    '--format',
    'json',
  );
  expect(made.status, made.stderr).toBe(0);
  file = join(dir, 'between.json');
  await writeFile(file, made.stdout);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('auto between the two limits', () => {
  it('gives the fast planner’s plan to act on: plan, ledger, risk', async () => {
    const plan = await cli('plan', file, '--format', 'json');
    expect(plan.status, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as { solver: unknown }).solver).toMatchObject({
      method: 'fast',
      status: 'feasible',
    });
    const ledger = await cli('ledger', file);
    expect(ledger.stdout.split('\n')[0]).toContain('plan planned now (fast, feasible)');
    const risk = await cli('risk', file, '--runs', '10');
    expect(risk.stdout).toContain('Plan: planned now (fast, feasible).');
  });

  it('plans exactly where plans are compared: diff, clauses', async () => {
    const diff = await cli('diff', file, file, '--format', 'json');
    expect(diff.status, diff.stderr).toBe(0);
    const sides = JSON.parse(diff.stdout) as { a: { plan: string }; b: { plan: string } };
    expect([sides.a.plan, sides.b.plan]).toEqual(['exact, optimal', 'exact, optimal']);
    const clauses = await cli('clauses', file, '--pairs', 'none', '--format', 'json');
    expect(clauses.status, clauses.stderr).toBe(0);
    expect((JSON.parse(clauses.stdout) as { base: { solver: string } }).base.solver).toBe(
      'exact, optimal',
    );
  });
});
