import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedent } from '../test-support/unit-scenarios.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

// One month: api must run on azure ($3) while oracle sells at $1; a $300,000 azure commitment.
const SCENARIO = dedent(`
  apiVersion: stargate/v1
  kind: Scenario
  metadata: { name: clauses-cli }
  horizon: { start: 2026-01, end: 2026-01 }
  accelerators:
    - { id: h100, kwPerGpu: 1.2 }
  providers:
    - { id: azure, name: Microsoft Azure, kind: hyperscaler }
    - { id: oracle, name: Oracle, kind: partner }
  pools:
    - { id: az, provider: azure, accelerator: h100, gpus: 100, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "3.00" }
    - { id: oci, provider: oracle, accelerator: h100, gpus: 200, window: { from: 2026-01, to: 2026-12 }, pricePerGpuHour: "1.00" }
  workloads:
    - { id: api, class: api, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
    - { id: train, class: training, accelerators: [h100], gpus: 100, window: { from: 2026-01, to: 2026-01 }, valuePerGpuHour: "10" }
  contracts:
    - id: msft
      parties: [openai, microsoft]
      effective: { from: 2025-01, to: 2030-12 }
      terms:
        - { id: excl, type: exclusivity, classes: [api], provider: azure }
        - { id: commit, type: commitment, provider: azure, minSpendUSD: 300000, window: { from: 2026-01, to: 2026-12 } }
        - { id: words, type: note, text: Not enforced. }
`);

let dir: string;
let file: string;

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-clauses-test-'));
  file = join(dir, 'clauses.yaml');
  await writeFile(file, SCENARIO);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stargate clauses', () => {
  it('prints each term, the pair and where the money goes', async () => {
    const { status, stdout } = await cli('clauses', file);
    expect(status).toBe(0);
    expect(stdout).toContain(
      'Price of each clause: clauses-cli (base plan exact, optimal: total $374.4K, proven lower bound $374.4K; 3 re-solves)',
    );
    expect(stdout).toMatch(/^excl {2,}exclusivity +\$0\.00 +\$0\.00 – \$0\.0\d +none/m);
    expect(stdout).toMatch(/^commit {2,}commitment +\$76\.8K +\$76\.8K – \$76\.8K +real/m);
    expect(stdout).toMatch(/^excl \+ commit +\+\$148\.8K +\$225\.6K/m);
    expect(stdout).toMatch(/^excl \+ commit +azure +-\$223\.2K +-\$76\.8K +-\$300\.0K$/m);
    expect(stdout).toContain(
      'Priced in the ledger, not here (no effect on placement): words (note).',
    );
  });

  it('writes exact cents as CSV, one row per single and pair', async () => {
    const { status, stdout } = await cli('clauses', file, '--format', 'csv');
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(
      /^single,msft\/commit,costs,76800\.00,76799\.\d\d,76800\.\d\d,0\.00,76800\.00,0\.00,,0,0,,azure=-76800\.00$/,
    );
    expect(lines[3]).toMatch(/^pair,msft\/excl \+ msft\/commit,costs,225600\.00,/);
  });

  it('refuses bad flags with exit 2, naming the flag', async () => {
    const pairs = await cli('clauses', file, '--pairs', 'some');
    expect(pairs.status).toBe(2);
    expect(pairs.stderr).toContain('--pairs: expected all, none, got some');
    const threads = await cli('clauses', file, '--threads', '0');
    expect(threads.status).toBe(2);
    expect(threads.stderr).toContain('--threads: expected a whole number from 1 to 64, got 0');
  });
});
