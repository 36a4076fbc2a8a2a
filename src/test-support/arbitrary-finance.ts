import fc from 'fast-check';
import type { PlanMoney } from '../core/ledger/plan-money.js';
import type { Scenario } from '../core/model.js';
import type { Period } from '../core/period.js';
import { validateScenario } from '../scenario/parse.js';
import { formatProblem } from '../scenario/problems.js';
import { monthText } from './reference.js';

/**
 * fast-check arbitraries for scenarios that use the money-and-time extensions, and for the
 * money of a plan on them. Documents are written as a user writes them and read through the
 * real boundary, so every generated scenario is valid by construction or the test fails.
 */

/** Months from January 2026, the horizon's start. */
const HORIZON_START = 2026 * 12;

const cents = (max: number) => fc.integer({ min: 0, max }).map((c) => (c / 100).toFixed(2));

/** Integers that add up to `total`, each at least 1 (`parts` ≤ `total`). */
function partition(parts: number, total: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: total - 1 }), {
      minLength: parts - 1,
      maxLength: parts - 1,
    })
    .map((cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), total];
      return sorted.slice(1).map((cut, index) => cut - (sorted[index] ?? 0));
    });
}

export interface FinanceCase {
  readonly scenario: Scenario;
  readonly money: PlanMoney;
}

export const financeCase: fc.Arbitrary<FinanceCase> = fc
  .record({
    months: fc.integer({ min: 3, max: 36 }),
    providers: fc.integer({ min: 1, max: 4 }),
    funders: fc.integer({ min: 1, max: 4 }),
    declareParties: fc.boolean(),
    buildings: fc.integer({ min: 0, max: 6 }),
    streams: fc.integer({ min: 0, max: 2 }),
    seedCase: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((shape) => {
    const { months } = shape;
    const month = fc.integer({ min: -6, max: months + 6 });
    const providerIds = Array.from({ length: shape.providers }, (_, i) => `p${i}`);
    return fc.record({
      shape: fc.constant(shape),
      equity: partition(shape.funders, Math.max(shape.funders, 100)).map((parts) =>
        parts.length === 1 ? [100] : parts,
      ),
      buildings: fc.array(
        fc.record({
          provider: fc.constantFrom(...providerIds),
          capex: cents(5_000_000_00),
          start: month,
          build: fc.integer({ min: 0, max: 12 }),
          schedule: fc.option(partition(3, 10_000), { nil: undefined }),
        }),
        { minLength: shape.buildings, maxLength: shape.buildings },
      ),
      programme: fc.record({
        initial: cents(2_000_000_00),
        tranches: fc.array(
          fc.record({ at: fc.integer({ min: 0, max: months }), amount: cents(2_000_000_00) }),
          {
            maxLength: 3,
          },
        ),
        headroom: cents(1_000_000_00),
        company: fc.constantFrom(...providerIds),
      }),
      streams: fc.array(
        fc.record({
          owner: fc.constantFrom('lab', ...providerIds),
          monthly: cents(10_000_00),
          from: month,
          length: fc.integer({ min: 1, max: months }),
        }),
        { minLength: shape.streams, maxLength: shape.streams },
      ),
      shares: fc.array(
        fc.record({
          from: fc.constantFrom('lab', ...providerIds),
          to: fc.constantFrom('lab', ...providerIds),
          percent: fc.integer({ min: 0, max: 10_000 }).map((x) => x / 100),
          stream: fc.nat(),
        }),
        { maxLength: 3 },
      ),
      commitments: fc.array(
        fc.record({
          provider: fc.constantFrom(...providerIds),
          min: cents(1_000_000_00),
          from: fc.integer({ min: 0, max: months - 1 }),
          length: fc.integer({ min: 1, max: months }),
        }),
        { maxLength: 2 },
      ),
      compute: fc.array(
        fc.record({
          provider: fc.constantFrom(...providerIds),
          at: fc.integer({ min: 0, max: months - 1 }),
          amount: fc.integer({ min: 0, max: 10_000_000_00 }),
        }),
        { maxLength: 40 },
      ),
    });
  })
  .map(({ shape, equity, buildings, programme, streams, shares, commitments, compute }) => {
    const { months } = shape;
    const text = (offset: number) => monthText(HORIZON_START + offset);
    const providerIds = Array.from({ length: shape.providers }, (_, i) => `p${i}`);
    const partyOf = (provider: string) => (shape.declareParties ? `party-${provider}` : provider);
    const party = (id: string) => (id === 'lab' ? 'lab' : partyOf(id));
    const funders = equity.map((share, i) => ({ id: `funder-${i}`, share }));
    const streamDocs = streams.map((s, i) => ({
      id: `stream-${i}`,
      party: party(s.owner),
      amounts: [{ from: text(s.from), to: text(s.from + s.length - 1), monthlyUSD: s.monthly }],
    }));
    const tranches = programme.tranches.map((t, i) => ({
      id: `t${i}`,
      month: text(t.at),
      amountUSD: t.amount,
    }));
    const committed = [programme.initial, ...tranches.map((t) => t.amountUSD)]
      .map((x) => Math.round(Number(x) * 100))
      .reduce((a, b) => a + b, 0);
    const document = {
      apiVersion: 'stargate/v1',
      kind: 'Scenario',
      metadata: { name: 'finance-property' },
      horizon: { start: text(0), end: text(months - 1) },
      accelerators: [{ id: 'gpu', kwPerGpu: 1 }],
      providers: providerIds.map((id) => ({ id, name: id, kind: 'partner' })),
      parties: [
        { id: 'lab', name: 'Lab', roles: ['lab'] },
        ...providerIds.map((id) => ({
          id: partyOf(id),
          name: id,
          roles: ['provider'],
          providers: [id],
        })),
        ...funders.map((f) => ({
          id: f.id,
          name: f.id,
          roles: ['funder'],
          equityPercent: f.share,
        })),
      ].filter((p) => shape.declareParties || p.id === 'lab' || p.id.startsWith('funder-')),
      programme: {
        company: partyOf(programme.company),
        initialUSD: programme.initial,
        totalUSD: ((committed + Math.round(Number(programme.headroom) * 100)) / 100).toFixed(2),
        tranches,
      },
      sites: providerIds.map((id) => ({ id: `site-${id}`, provider: id })),
      buildings: buildings.map((b, i) => ({
        id: `b${i}`,
        site: `site-${b.provider}`,
        itMW: 1,
        accelerator: 'gpu',
        capexUSD: b.capex,
        constructionStart: text(b.start),
        online: text(b.start + b.build),
        pricePerGpuHour: '1.00',
        rofr: 'cleared',
        ...(b.schedule
          ? {
              capexSchedule: [
                { milestone: 'construction-start', percent: (b.schedule[0] ?? 0) / 100 },
                { milestone: 'online', offsetMonths: -1, percent: (b.schedule[1] ?? 0) / 100 },
                { month: text(b.start + b.build + 2), percent: (b.schedule[2] ?? 0) / 100 },
              ],
            }
          : {}),
      })),
      workloads: [],
      contracts: [
        {
          id: 'deal',
          parties: ['lab', partyOf(providerIds[0] ?? 'p0')],
          effective: { from: text(0), to: text(months - 1) },
          terms: [
            ...commitments.map((c, i) => ({
              id: `commit-${i}`,
              type: 'commitment',
              provider: c.provider,
              minSpendUSD: c.min,
              window: { from: text(c.from), to: text(c.from + c.length - 1) },
            })),
            ...(streamDocs.length === 0
              ? []
              : shares.map((s, i) => ({
                  id: `share-${i}`,
                  type: 'revenue-share',
                  from: party(s.from),
                  to: party(s.to),
                  percent: s.percent,
                  stream: `stream-${s.stream % streamDocs.length}`,
                }))),
          ],
        },
      ],
      ...(streamDocs.length === 0 ? {} : { revenueStreams: streamDocs }),
    };
    const result = validateScenario(document);
    if (!result.ok) {
      throw new Error(
        `arbitrary finance scenario is not valid:\n${result.problems.map(formatProblem).join('\n')}`,
      );
    }
    const money: PlanMoney = {
      scenario: 'finance-property',
      compute: compute.map((c) => ({
        provider: c.provider,
        period: (HORIZON_START + c.at) as Period,
        amount: BigInt(c.amount),
      })),
      shortfalls: [],
    };
    return { scenario: result.scenario, money };
  });
