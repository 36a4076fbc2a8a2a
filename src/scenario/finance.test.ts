import { describe, expect, it } from 'vitest';
import { formatPeriod } from '../core/period.js';
import { FINANCE } from '../test-support/finance-scenario.js';
import { parseInvalid, parseValid } from '../test-support/unit-scenarios.js';
import { formatProblem } from './problems.js';
import { splitByPercent } from './normalize-finance.js';

const edit = (from: string, to: string) => {
  if (!FINANCE.includes(from)) throw new Error(`test edit does not apply: ${from}`);
  return FINANCE.replace(from, to);
};
const problemsOf = (text: string) =>
  parseInvalid(text).map((p) => formatProblem({ path: p.path, message: p.message }));

describe('the money-and-time extensions', () => {
  it('read into the core model', () => {
    const scenario = parseValid(FINANCE);
    expect(scenario.parties.map((p) => [p.id, p.roles, p.providers, p.equityPercent])).toEqual([
      ['openai', ['lab', 'funder'], [], 40],
      ['softbank', ['funder'], [], 60],
      ['microsoft', ['provider'], ['azure'], undefined],
      ['sg', ['provider', 'operator'], ['stargate'], undefined],
    ]);
    const programme = scenario.programme;
    expect(programme?.company).toBe('sg');
    expect(programme && formatPeriod(programme.start)).toBe('2026-01'); // the horizon start
    expect(programme?.initial).toBe(1_000_000_000_000n);
    expect(programme?.total).toBe(5_000_000_000_000n);
    expect(programme?.tranches.map((t) => [t.id, formatPeriod(t.period), t.amount])).toEqual([
      ['second', '2027-01', 2_000_000_000_000n],
    ]);
    expect(programme?.slipCorrelation).toBe(0.3);
    expect(scenario.revenueStreams.map((s) => [s.id, s.name, s.party, s.amounts.length])).toEqual([
      ['aoai', undefined, 'microsoft', 1],
      ['openai-revenue', 'OpenAI revenue', 'openai', 2],
    ]);
  });

  it('resolves a capex schedule to months and exact amounts that add up to the capex', () => {
    const b1 = parseValid(FINANCE).buildings.find((b) => b.id === 'b1');
    const schedule = b1?.capexSchedule ?? [];
    expect(schedule.map((i) => [i.milestone, i.offsetMonths, formatPeriod(i.period)])).toEqual([
      ['construction-start', 0, '2026-01'],
      ['shell', 1, '2026-04'],
      ['online', -1, '2026-06'],
    ]);
    // $1,000,000.01 split 33.33 / 33.33 / 33.34: whole cents, nothing lost.
    expect(schedule.map((i) => i.amount)).toEqual([
      333_300_000_000n,
      333_300_000_000n,
      333_400_000_000n + 10_000n,
    ]);
    expect(schedule.reduce((sum, i) => sum + i.amount, 0n)).toBe(b1?.capex);
    expect(b1?.milestones?.map((m) => [m.id, formatPeriod(m.period)])).toEqual([
      ['shell', '2026-03'],
    ]);
  });

  it('sorts discrete delay outcomes and keeps triangular ones as written', () => {
    const [b1, b2] = parseValid(FINANCE).buildings;
    expect(b1?.delay).toEqual({
      type: 'discrete',
      outcomes: [
        { months: 0, probability: 0.75 },
        { months: 3, probability: 0.25 },
      ],
    });
    expect(b2?.delay).toEqual({ type: 'triangular', min: 0, mode: 2, max: 6 });
  });

  it('leaves a format v1 file without them as it was', () => {
    const plain = FINANCE.replace(/\nparties:[\s\S]*?\nsites:/, '\nsites:')
      .replace(/\nrevenueStreams:[\s\S]*$/, '\n')
      .replace(/stream: OpenAI revenue/, 'stream: anything')
      .replace(/ {4}milestones:[\s\S]*?\n {2}- \{ id: b2/, '  - { id: b2')
      .replace(', delay: { type: triangular, min: 0, mode: 2, max: 6 }', '');
    const scenario = parseValid(plain);
    expect(scenario.parties).toEqual([]);
    expect(scenario.revenueStreams).toEqual([]);
    expect(scenario.programme).toBeUndefined();
    expect(scenario.buildings.map((b) => [b.capexSchedule, b.delay, b.milestones])).toEqual([
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });
});

describe('bad extension input: every problem with its path', () => {
  it('checks party roles, providers and equity', () => {
    expect(problemsOf(edit('roles: [funder], equityPercent: 60', 'roles: [funder]'))).toEqual([
      "parties[1].equityPercent: required: a funder's equity share in percent",
    ]);
    expect(
      problemsOf(edit('roles: [funder], equityPercent: 60', 'roles: [funder], equityPercent: 50')),
    ).toEqual(["parties: the funders' equity shares add up to 90%, expected 100%"]);
    expect(problemsOf(edit('roles: [provider], providers: [azure]', 'roles: [provider]'))).toEqual([
      'parties[2].providers: required: a party with role provider lists the provider ids it sells as',
    ]);
    expect(
      problemsOf(
        edit('roles: [provider], providers: [azure]', 'roles: [operator], providers: [azure]'),
      ),
    ).toEqual(['parties[2].providers: only a party with role provider sells as providers']);
    expect(problemsOf(edit('providers: [stargate]', 'providers: [azure]'))).toEqual([
      'parties[3].providers[0]: provider azure is already sold by party microsoft',
    ]);
    expect(problemsOf(edit('providers: [stargate]', 'providers: [aws]'))).toEqual([
      'parties[3].providers[0]: unknown provider aws',
    ]);
    // Without a party of role lab, the ledger gives the lab a party of its own.
    expect(parseValid(edit('roles: [lab, funder]', 'roles: [funder]')).parties).toHaveLength(4);
    expect(
      problemsOf(
        edit(
          '{ id: softbank, name: SoftBank, roles: [funder]',
          '{ id: softbank, name: SoftBank, roles: [lab, funder]',
        ),
      ),
    ).toEqual(['parties[1].roles: only one party may be the lab; openai already is']);
    expect(problemsOf(edit('roles: [lab, funder]', 'roles: [lab, funder, banker]'))).toEqual([
      'parties[0].roles[2]: expected lab, provider, funder or operator, got "banker"',
    ]);
    expect(problemsOf(edit('{ id: softbank,', '{ id: external,'))).toEqual([
      'parties[1].id: external is kept for the outside world; choose another id',
    ]);
    expect(problemsOf(edit('{ id: sg,', '{ id: coreweave,'))).toEqual([
      'parties[3].id: party coreweave has the id of provider coreweave but does not list it in providers',
      'programme.company: unknown party sg',
    ]);
  });

  it('checks the parties that contracts, terms, streams and the programme name', () => {
    expect(problemsOf(edit('parties: [openai, microsoft]', 'parties: [openai, msft]'))).toEqual([
      'contracts[0].parties[1]: unknown party msft',
    ]);
    // A provider that no party sells as is a party of its own.
    expect(
      parseValid(edit('parties: [openai, microsoft]', 'parties: [openai, coreweave]')).contracts,
    ).toHaveLength(1);
    expect(problemsOf(edit('from: openai, to: microsoft', 'from: openai, to: msft'))).toEqual([
      'contracts[0].terms[0].to: unknown party msft',
    ]);
    expect(problemsOf(edit('stream: aoai', 'stream: azure-openai'))).toEqual([
      'contracts[0].terms[1].stream: unknown revenue stream azure-openai',
    ]);
    expect(problemsOf(edit('party: microsoft, amounts', 'party: msft, amounts'))).toEqual([
      'revenueStreams[1].party: unknown party msft',
    ]);
    expect(problemsOf(edit('company: sg', 'company: stargate-llc'))).toEqual([
      'programme.company: unknown party stargate-llc',
    ]);
    expect(problemsOf(edit('    name: OpenAI revenue\n', '    name: aoai\n'))).toEqual([
      'contracts[0].terms[0].stream: unknown revenue stream OpenAI revenue',
      'contracts[0].terms[1].stream: revenue stream aoai is ambiguous: it names aoai and openai-revenue',
    ]);
  });

  it('checks the programme: amounts, tranches and funders', () => {
    expect(problemsOf(edit('totalUSD: 5000000', 'totalUSD: 2500000'))).toEqual([
      'programme.totalUSD: initialUSD and the tranches add up to $3,000,000.00, more than totalUSD $2,500,000.00',
    ]);
    expect(problemsOf(edit('month: 2027-01, amountUSD', 'month: 2025-12, amountUSD'))).toEqual([
      'programme.tranches[0].month: expected a month no earlier than the programme start 2026-01',
    ]);
    expect(problemsOf(edit('initialUSD: 1000000', 'initialUSD: 1000000.001'))).toEqual([
      'programme.initialUSD: expected at most 2 decimals, got 1000000.001',
    ]);
    expect(problemsOf(edit('slipCorrelation: 0.3', 'slipCorrelation: 1.5'))).toEqual([
      'programme.slipCorrelation: expected a correlation from 0 to 1, got 1.5',
    ]);
    expect(problemsOf(edit('  company: sg\n', ''))).toEqual([
      'programme.company: required: expected an id (text)',
    ]);
    const noFunders = edit('roles: [lab, funder], equityPercent: 40', 'roles: [lab]').replace(
      'roles: [funder], equityPercent: 60',
      'roles: [operator]',
    );
    expect(problemsOf(noFunders)).toEqual([
      'programme: a programme needs funders: parties with role funder and their equityPercent',
    ]);
  });

  it('checks revenue streams', () => {
    expect(
      problemsOf(
        edit(
          '{ from: 2027-01, to: 2027-12, monthlyUSD: 2000 }',
          '{ from: 2026-06, to: 2027-12, monthlyUSD: 2000 }',
        ),
      ),
    ).toEqual([
      'revenueStreams[0].amounts[1]: overlaps amounts[0] (2026-01..2026-12); a month has one amount',
    ]);
    expect(
      problemsOf(
        edit(
          '{ from: 2027-01, to: 2027-12, monthlyUSD: 2000 }',
          '{ from: 2027-12, to: 2027-01, monthlyUSD: 2000 }',
        ),
      ),
    ).toEqual(['revenueStreams[0].amounts[1].to: expected a month no earlier than from 2027-12']);
    expect(problemsOf(edit('monthlyUSD: 500', 'monthlyUSD: -500'))).toEqual([
      'revenueStreams[1].amounts[0].monthlyUSD: expected an amount of at least 0, got -500',
    ]);
  });

  it('checks capex schedules and milestones', () => {
    expect(problemsOf(edit('percent: 33.34', 'percent: 30'))).toEqual([
      'buildings[0].capexSchedule: the instalments add up to 96.66% of the capex, expected 100%',
    ]);
    expect(
      problemsOf(edit('milestone: shell, offsetMonths: 1', 'milestone: roof, offsetMonths: 1')),
    ).toEqual([
      'buildings[0].capexSchedule[1].milestone: unknown milestone roof; the building has construction-start, online, shell',
    ]);
    expect(problemsOf(edit('    constructionStart: 2026-01\n', ''))).toEqual([
      'buildings[0].capexSchedule[0].milestone: milestone construction-start needs the building constructionStart',
    ]);
    expect(problemsOf(edit('    capexUSD: 1000000.01\n', ''))).toEqual([
      'buildings[0].capexSchedule: a capex schedule needs the building capexUSD',
    ]);
    expect(
      problemsOf(
        edit(
          '{ milestone: online, offsetMonths: -1, percent: 33.34 }',
          '{ milestone: online, month: 2026-06, percent: 33.34 }',
        ),
      ),
    ).toEqual(['buildings[0].capexSchedule[2].month: give a milestone or a month, not both']);
    expect(
      problemsOf(
        edit(
          '{ milestone: online, offsetMonths: -1, percent: 33.34 }',
          '{ offsetMonths: -1, percent: 33.34 }',
        ),
      ),
    ).toEqual([
      'buildings[0].capexSchedule[2]: required: a milestone or a month',
      'buildings[0].capexSchedule[2].offsetMonths: offsetMonths goes with a milestone',
    ]);
    expect(
      problemsOf(edit('{ id: shell, month: 2026-03 }', '{ id: online, month: 2026-03 }')),
    ).toEqual([
      'buildings[0].milestones[0].id: online is a built-in milestone; choose another id',
      'buildings[0].capexSchedule[1].milestone: unknown milestone shell; the building has construction-start, online',
    ]);
    expect(problemsOf(edit('percent: 33.34', 'percent: 133.34'))).toEqual([
      'buildings[0].capexSchedule[2].percent: expected a share of the capex from 0 to 100, got 133.34',
    ]);
  });

  it('checks delay distributions', () => {
    expect(problemsOf(edit('probability: 0.75', 'probability: 0.7'))).toEqual([
      'buildings[0].delay.outcomes: the probabilities add up to 0.95, expected 1',
    ]);
    expect(
      problemsOf(edit('{ months: 0, probability: 0.75 }', '{ months: 3, probability: 0.75 }')),
    ).toEqual(['buildings[0].delay.outcomes[1].months: a slip of 3 months is listed twice']);
    expect(
      problemsOf(edit('{ months: 0, probability: 0.75 }', '{ months: 0.5, probability: 0.75 }')),
    ).toEqual([
      'buildings[0].delay.outcomes[1].months: expected a whole number of months, got 0.5',
    ]);
    expect(problemsOf(edit('min: 0, mode: 2, max: 6', 'min: 3, mode: 2, max: 6'))).toEqual([
      'buildings[1].delay.mode: expected a most likely slip no less than min 3',
    ]);
    expect(problemsOf(edit('min: 0, mode: 2, max: 6', 'min: 0, mode: 7, max: 6'))).toEqual([
      'buildings[1].delay.max: expected a maximum slip no less than mode 7',
    ]);
    expect(problemsOf(edit('type: triangular, min', 'type: lognormal, min'))).toEqual([
      'buildings[1].delay.type: unknown delay type; expected discrete or triangular, got "lognormal"',
    ]);
  });

  it('reports every problem of a file at once', () => {
    const broken = edit('roles: [funder], equityPercent: 60', 'roles: [funder]')
      .replace('probability: 0.75', 'probability: 0.7')
      .replace('company: sg', 'company: nobody');
    expect(problemsOf(broken)).toEqual([
      "parties[1].equityPercent: required: a funder's equity share in percent",
      'programme.company: unknown party nobody',
      'buildings[0].delay.outcomes: the probabilities add up to 0.95, expected 1',
    ]);
  });
});

describe('splitByPercent', () => {
  it('splits to the cent and loses nothing', () => {
    expect(splitByPercent(100_0000n, [33.33, 33.33, 33.34])).toEqual([
      330_000n,
      330_000n,
      340_000n,
    ]);
    // Equal remainders: the earlier part gets the cent.
    expect(splitByPercent(100_0000n, [50, 25, 25]).map(String)).toEqual([
      '500000',
      '250000',
      '250000',
    ]);
    expect(splitByPercent(10_000n, [50, 50])).toEqual([10_000n, 0n]);
    expect(splitByPercent(1_000_000_00n, [50, 50])).toEqual([50_000_000n, 50_000_000n]);
    expect(splitByPercent(0n, [10, 90])).toEqual([0n, 0n]);
  });
});
