import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ComputeSpend, PlanMoney } from '../core/ledger/plan-money.js';
import type { Scenario } from '../core/model.js';
import { parseUSD } from '../core/money.js';
import { contains, formatRange, parsePeriod } from '../core/period.js';
import type { Problem } from './problems.js';
import { InvalidInputError, sortProblems } from './problems.js';
import { periodSchema } from './schema-primitives.js';

/**
 * A plan as `stargate plan --format json` writes it (the spec's plan document), read back for
 * the ledger. Only what the ledger uses is checked strictly — `scenario`, `byProvider` and
 * `commitments` — and other keys are allowed, so plans with later extensions still read.
 */
// Amounts are read through their shortest decimal form (as `parseUSD` reads numbers), which
// is exact for the cents a plan writes: 123456789012.34 has two decimals, whatever its float.
const usdSchema = z
  .number({ error: 'expected an amount in USD (a number)' })
  .min(0, { error: 'expected an amount of at least 0' })
  .refine((value) => value < 0 || parseUSD(value, 2).ok, {
    error: 'expected an amount in whole cents',
  });

const count = z
  .number({ error: 'expected a whole number of GPUs' })
  .int({ error: 'expected a whole number of GPUs' })
  .min(0, { error: 'expected at least 0 GPUs' });

export const planFileSchema = z.looseObject(
  {
    scenario: z.string({ error: 'expected the scenario name' }),
    objective: z.looseObject(
      {
        totalUSD: usdSchema,
        computeUSD: usdSchema,
        shortfallUSD: usdSchema,
        unmetUSD: usdSchema,
      },
      { error: 'expected an objective: { totalUSD, computeUSD, shortfallUSD, unmetUSD }' },
    ),
    commitments: z.array(
      z.looseObject({
        contract: z.string({ error: 'expected a contract id' }),
        term: z.string({ error: 'expected a term id' }),
        provider: z.string({ error: 'expected a provider id' }),
        minSpendUSD: usdSchema,
        spendUSD: usdSchema,
        shortfallUSD: usdSchema,
      }),
      { error: 'expected a list of commitments' },
    ),
    byProvider: z.array(
      z.looseObject({
        provider: z.string({ error: 'expected a provider id' }),
        period: periodSchema,
        gpus: count,
        capacityGpus: count.optional(),
        computeUSD: usdSchema,
      }),
      { error: 'expected a list of { provider, period, gpus, computeUSD }' },
    ),
  },
  { error: 'expected a plan: the JSON that stargate plan --format json writes' },
);

export type PlanFile = z.infer<typeof planFileSchema>;

/**
 * Checks a parsed plan document against the scenario it is meant for and returns its money,
 * or every problem with its path: the wrong scenario, unknown providers, contracts or terms,
 * months outside the horizon, a provider and month given twice.
 */
export function readPlanDocument(
  data: unknown,
  scenario: Scenario,
): { ok: true; money: PlanMoney } | { ok: false; problems: Problem[] } {
  const parsed = planFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    return {
      ok: false,
      problems: sortProblems(
        parsed.error.issues.map((issue) => {
          const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
          return {
            path,
            message: issue.input === undefined ? `required: ${issue.message}` : issue.message,
          };
        }),
      ),
    };
  }
  const plan = parsed.data;
  const problems: Problem[] = [];
  if (plan.scenario !== scenario.name) {
    problems.push({
      path: ['scenario'],
      message: `the plan is for scenario ${plan.scenario}, not ${scenario.name}`,
    });
  }
  const providers = new Set(scenario.providers.map((p) => p.id));
  const seen = new Set<string>();
  const compute: ComputeSpend[] = [];
  plan.byProvider.forEach((row, index) => {
    const period = parsePeriod(row.period);
    if (!providers.has(row.provider)) {
      problems.push({
        path: ['byProvider', index, 'provider'],
        message: `unknown provider ${row.provider}`,
      });
    }
    if (period !== undefined && !contains(scenario.horizon, period)) {
      problems.push({
        path: ['byProvider', index, 'period'],
        message: `${row.period} is outside the horizon ${formatRange(scenario.horizon)}`,
      });
    }
    const key = `${row.provider}\u0000${row.period}`;
    if (seen.has(key)) {
      problems.push({
        path: ['byProvider', index],
        message: `a second row for ${row.provider} in ${row.period}`,
      });
    }
    seen.add(key);
    if (period !== undefined)
      compute.push({ provider: row.provider, period, amount: cents(row.computeUSD) });
  });
  const terms = new Set(
    scenario.contracts.flatMap((c) =>
      c.terms.filter((t) => t.type === 'commitment').map((t) => `${c.id}\u0000${t.id}`),
    ),
  );
  plan.commitments.forEach((c, index) => {
    if (!terms.has(`${c.contract}\u0000${c.term}`)) {
      problems.push({
        path: ['commitments', index, 'term'],
        message: `the scenario has no commitment term ${c.term} in contract ${c.contract}`,
      });
    }
  });
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return {
    ok: true,
    money: {
      scenario: plan.scenario,
      compute,
      shortfalls: plan.commitments.map((c) => ({
        contract: c.contract,
        term: c.term,
        shortfall: cents(c.shortfallUSD),
      })),
    },
  };
}

/** Reads a plan JSON file for a scenario; throws `InvalidInputError` with every problem. */
export async function loadPlanFile(path: string, scenario: Scenario): Promise<PlanMoney> {
  const { data } = await readJsonFile(path);
  const result = readPlanDocument(data, scenario);
  if (!result.ok) throw new InvalidInputError(path, result.problems);
  return result.money;
}

function cents(usd: number): bigint {
  const parsed = parseUSD(usd, 2);
  if (!parsed.ok) throw new Error(`readPlanDocument: unchecked amount ${usd}`);
  return parsed.micros / 10_000n;
}

/**
 * Reads a JSON file: its text and its value. A missing file or one that is not JSON is an
 * `InvalidInputError` naming the file: the user named it.
 */
export async function readJsonFile(path: string): Promise<{ text: string; data: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(path, [
      {
        path: [],
        message: code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(error)}`,
      },
    ]);
  }
  try {
    return { text, data: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InvalidInputError(path, [{ path: [], message: `not valid JSON: ${detail ?? ''}` }]);
  }
}
