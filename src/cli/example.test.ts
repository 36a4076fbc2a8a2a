import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PlanJson } from '../core/planner/plan-json.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

// Golden test of the example portfolio: the plan of examples/stargate-2025.yaml, as text and as
// JSON, must match the files beside it byte for byte. When a change to the example, the
// planner or the output is intended, rewrite the golden files and review their diff:
//
//   UPDATE_GOLDEN=1 npx vitest run src/cli/example.test.ts

const examples = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const EXAMPLE = examples('stargate-2025.yaml');
const GOLDEN_TEXT = examples('stargate-2025.plan.txt');
const GOLDEN_JSON = examples('stargate-2025.plan.json');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

async function cli(...argv: string[]) {
  const io = bufferIo();
  const status = await run(argv, io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

async function matchGolden(actual: string, file: string): Promise<void> {
  if (UPDATE) {
    await writeFile(file, actual);
    return;
  }
  expect(actual).toBe(await readFile(file, 'utf8'));
}

const cents = (usd: number) => Math.round(usd * 100);

describe('examples/stargate-2025.yaml', () => {
  it('is valid', async () => {
    const { status, stdout, stderr } = await cli('validate', EXAMPLE);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^ok: stargate-2025: .*25 buildings, 22 workloads, 2 contracts/);
  });

  it('plans to the golden text', async () => {
    const { status, stdout, stderr } = await cli('plan', EXAMPLE);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    await matchGolden(stdout, GOLDEN_TEXT);
  });

  describe('plan --format json', () => {
    // One solve, on first use, for the golden comparison and the checks below.
    let solved: ReturnType<typeof cli> | undefined;
    const planned = () => (solved ??= cli('plan', EXAMPLE, '--format', 'json'));

    it('matches the golden JSON', async () => {
      const { status, stdout, stderr } = await planned();
      expect(stderr).toBe('');
      expect(status).toBe(0);
      await matchGolden(stdout, GOLDEN_JSON);
    });

    it('has objective parts that add up to the total within a cent', async () => {
      const plan = JSON.parse((await planned()).stdout) as PlanJson;
      const { totalUSD, computeUSD, shortfallUSD, unmetUSD } = plan.objective;
      expect(computeUSD).toBeGreaterThan(0);
      expect(unmetUSD).toBeGreaterThan(0);
      expect(
        Math.abs(cents(totalUSD) - cents(computeUSD) - cents(shortfallUSD) - cents(unmetUSD)),
      ).toBeLessThanOrEqual(1);
      expect(plan.bound.lowerBoundUSD).toBeLessThanOrEqual(totalUSD);
    });

    it('explains unmet demand by the contract terms that block it', async () => {
      const plan = JSON.parse((await planned()).stdout) as PlanJson;
      const termReason = /\b(exclusivity|use-restriction|rofr) term [a-z0-9._-]+ of [a-z0-9._-]+/;
      expect(plan.unmet.some((row) => row.reasons.some((r) => termReason.test(r)))).toBe(true);

      // The API beyond Azure's capacity: exclusivity keeps it off every other provider.
      const api = plan.unmet.filter((row) => row.workload.startsWith('api-'));
      expect(api.length).toBeGreaterThan(0);
      for (const row of api) {
        expect(row.reasons.join('\n')).toContain(
          'exclusivity term api-on-azure of msft-openai-2025 allows only azure for class api',
        );
      }
      // The run that fits only where Microsoft's right of first refusal is still pending.
      const pending = plan.unmet.filter((row) => row.workload === 'pretrain-2029');
      expect(pending.length).toBeGreaterThan(0);
      expect(pending[0]?.reasons.join('\n')).toContain('rofr term msft-rofr of msft-openai-2025');
    });

    it("costs HiGHS's proven optimum to the cent: auto's fast plan, another of equal cost", async () => {
      const fast = JSON.parse((await planned()).stdout) as PlanJson;
      expect(fast.solver).toMatchObject({ method: 'fast', status: 'feasible' });
      const exact = await cli('plan', EXAMPLE, '--format', 'json', '--solver', 'exact');
      expect(exact.status, exact.stderr).toBe(0);
      const optimum = JSON.parse(exact.stdout) as PlanJson;
      expect(optimum.solver).toMatchObject({ method: 'exact', status: 'optimal' });
      expect(cents(optimum.objective.totalUSD)).toBe(17_396_501_600_000);
      expect(cents(fast.objective.totalUSD)).toBe(cents(optimum.objective.totalUSD));
      // Its bound is proven: at most the optimum.
      expect(fast.bound.lowerBoundUSD).toBeLessThanOrEqual(optimum.objective.totalUSD);
    });

    it('reports the Azure take-or-pay commitment', async () => {
      const plan = JSON.parse((await planned()).stdout) as PlanJson;
      const commitment = plan.commitments.find((c) => c.term === 'azure-commitment');
      expect(commitment?.provider).toBe('azure');
      expect(commitment?.spendUSD).toBeGreaterThan(0.9 * (commitment?.minSpendUSD ?? Infinity));
      expect(cents(plan.objective.shortfallUSD)).toBe(cents(commitment?.shortfallUSD ?? NaN));
    });
  });
});
