import { describe, expect, it } from 'vitest';
import { FINANCE } from '../test-support/finance-scenario.js';
import { month, parseValid } from '../test-support/unit-scenarios.js';
import { readPlanDocument } from './plan-file.js';
import { formatProblem } from './problems.js';

const SCENARIO = parseValid(FINANCE);

const plan = (byProvider: unknown[], extra: Record<string, unknown> = {}) => ({
  scenario: 'finance-test',
  objective: { totalUSD: 0, computeUSD: 0, shortfallUSD: 0, unmetUSD: 0 },
  commitments: [],
  byProvider,
  assignments: [{ anything: 'goes here' }],
  ...extra,
});

describe('readPlanDocument', () => {
  it('reads amounts in whole cents exactly, however large', () => {
    const result = readPlanDocument(
      plan([
        { provider: 'azure', period: '2026-01', gpus: 1, computeUSD: 123456789012.34 },
        { provider: 'azure', period: '2026-02', gpus: 1, computeUSD: 90071992547.41 },
        { provider: 'stargate', period: '2026-03', gpus: 0, capacityGpus: 5, computeUSD: 0 },
      ]),
      SCENARIO,
    );
    expect(result.ok && result.money.compute).toEqual([
      { provider: 'azure', period: month('2026-01'), amount: 12345678901234n },
      { provider: 'azure', period: month('2026-02'), amount: 9007199254741n },
      { provider: 'stargate', period: month('2026-03'), amount: 0n },
    ]);
  });

  it('refuses fractions of a cent and other shapes, with paths', () => {
    const result = readPlanDocument(
      plan(
        [
          { provider: 'azure', period: '2026-01', gpus: 1, computeUSD: 0.1 + 0.2 },
          { provider: 'azure', period: '2026-13', gpus: -1, computeUSD: -5 },
        ],
        { commitments: [{ contract: 'msft', term: 'none' }] },
      ),
      SCENARIO,
    );
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'byProvider[0].computeUSD: expected an amount in whole cents',
      'byProvider[1].computeUSD: expected an amount of at least 0',
      'byProvider[1].gpus: expected at least 0 GPUs',
      'byProvider[1].period: expected YYYY-MM',
      'commitments[0].minSpendUSD: required: expected an amount in USD (a number)',
      'commitments[0].provider: required: expected a provider id',
      'commitments[0].shortfallUSD: required: expected an amount in USD (a number)',
      'commitments[0].spendUSD: required: expected an amount in USD (a number)',
    ]);
  });

  it('checks the plan against the scenario', () => {
    const result = readPlanDocument(
      plan([{ provider: 'azure', period: '2026-01', gpus: 1, computeUSD: 1 }], {
        commitments: [
          {
            contract: 'msft',
            term: 'to-msft',
            provider: 'azure',
            minSpendUSD: 1,
            spendUSD: 1,
            shortfallUSD: 0,
          },
        ],
      }),
      SCENARIO,
    );
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'commitments[0].term: the scenario has no commitment term to-msft in contract msft',
    ]);
    const notAPlan = readPlanDocument([1, 2, 3], SCENARIO);
    expect(notAPlan.ok ? [] : notAPlan.problems.map(formatProblem)).toEqual([
      '(root): expected a plan: the JSON that stargate plan --format json writes',
    ]);
  });
});
