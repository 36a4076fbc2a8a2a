import { EXTERNAL } from '../core/ledger/parties.js';
import { BUILT_IN_MILESTONES } from '../core/model.js';
import { formatUSD, parseUSD, toCents } from '../core/money.js';
import type { Path, Report } from './raw.js';
import { checkRange, checkRef, field, isId, isPeriod, isRecord, items, uniqueIds } from './raw.js';

/** Ids the format v1 checks have already collected. */
export interface KnownIds {
  readonly accelerators: ReadonlySet<string>;
  readonly providers: ReadonlySet<string>;
  readonly sites: ReadonlySet<string>;
}

const BUILT_IN = new Set<string>(BUILT_IN_MILESTONES);

/**
 * Cross-reference and sum checks of the money-and-time extensions (parties, programme,
 * revenue streams, building milestones, capex schedules, delays). Like `checkReferences`, they
 * read the raw document defensively and report every problem with its path.
 *
 * When `parties` is given, every party a contract, a revenue-share term, a stream or the
 * programme names must be known: a declared party, or a provider no party sells as (it is a
 * party of its own). Without `parties`, contract parties stay free ids, as in format v1.
 */
export function checkFinanceReferences(document: unknown, known: KnownIds, report: Report): void {
  const parties = checkParties(document, known, report);
  checkProgramme(document, parties, report);
  const streams = checkStreams(document, parties, report);
  checkContractParties(document, parties, streams, report);
  for (const [index, building] of items(document, 'buildings')) {
    checkBuilding(building, ['buildings', index], report);
  }
}

interface PartyIds {
  /** Whether the file has a `parties` section. */
  readonly declared: boolean;
  /** Declared parties, and providers no party sells as. */
  readonly known: ReadonlySet<string>;
  readonly funders: number;
}

function checkParties(document: unknown, known: KnownIds, report: Report): PartyIds {
  const list = field(document, 'parties');
  if (!Array.isArray(list)) return { declared: false, known: new Set(), funders: 0 };
  const ids = uniqueIds(document, 'parties', report);
  const soldBy = new Map<string, string>();
  let lab: string | undefined;
  let funders = 0;
  let equity = 0n;
  let equityComplete = true;

  for (const [index, party] of items(document, 'parties')) {
    const at = ['parties', index];
    const id = field(party, 'id');
    const name = isId(id) ? id : `parties[${index}]`;
    const roles = field(party, 'roles');
    const has = (role: string) => Array.isArray(roles) && roles.includes(role);
    if (Array.isArray(roles)) {
      const seen = new Set<unknown>();
      roles.forEach((role, position) => {
        if (seen.has(role)) report([...at, 'roles', position], `role ${String(role)} listed twice`);
        seen.add(role);
      });
    }
    if (id === EXTERNAL) {
      report([...at, 'id'], `${EXTERNAL} is kept for the outside world; choose another id`);
    }

    if (has('lab')) {
      if (lab !== undefined) {
        report([...at, 'roles'], `only one party may be the lab; ${lab} already is`);
      } else lab = name;
    }

    const providers = field(party, 'providers');
    if (has('provider') && providers === undefined) {
      report(
        [...at, 'providers'],
        'required: a party with role provider lists the provider ids it sells as',
      );
    }
    if (!has('provider') && providers !== undefined && Array.isArray(roles)) {
      report([...at, 'providers'], 'only a party with role provider sells as providers');
    }
    if (Array.isArray(providers)) {
      providers.forEach((provider, position) => {
        if (!isId(provider)) return;
        if (!known.providers.has(provider)) {
          report([...at, 'providers', position], `unknown provider ${provider}`);
          return;
        }
        const other = soldBy.get(provider);
        if (other !== undefined && other !== name) {
          report(
            [...at, 'providers', position],
            `provider ${provider} is already sold by party ${other}`,
          );
        } else soldBy.set(provider, name);
      });
    }

    const share = field(party, 'equityPercent');
    if (has('funder')) {
      funders++;
      if (share === undefined) {
        report([...at, 'equityPercent'], "required: a funder's equity share in percent");
        equityComplete = false;
      } else if (typeof share === 'number' && share > 0 && share <= 100) {
        equity += percentUnits(share);
      } else equityComplete = false;
    } else if (share !== undefined && Array.isArray(roles)) {
      report([...at, 'equityPercent'], 'only a party with role funder holds equity');
    }
  }

  if (funders > 0 && equityComplete && equity !== 100n * PERCENT_UNIT) {
    report(
      ['parties'],
      `the funders' equity shares add up to ${formatPercentUnits(equity)}%, expected 100%`,
    );
  }

  // A provider no party sells as is a party of its own, under the provider's id.
  const all = new Set(ids);
  for (const provider of known.providers) {
    if (soldBy.has(provider)) continue;
    if (ids.has(provider)) {
      const index = items(document, 'parties').find(([, p]) => field(p, 'id') === provider)?.[0];
      report(
        ['parties', index ?? 0, 'id'],
        `party ${provider} has the id of provider ${provider} but does not list it in providers`,
      );
    }
    all.add(provider);
  }
  return { declared: true, known: all, funders };
}

function checkProgramme(document: unknown, parties: PartyIds, report: Report): void {
  const programme = field(document, 'programme');
  if (!isRecord(programme)) return;
  const at = ['programme'];
  if (!parties.declared || parties.funders === 0) {
    report(at, 'a programme needs funders: parties with role funder and their equityPercent');
  }
  if (parties.declared) {
    checkRef(programme, 'company', parties.known, 'party', at, report);
    checkRef(programme, 'contractor', parties.known, 'party', at, report);
  }
  const horizonStart = field(field(document, 'horizon'), 'start');
  const start = field(programme, 'start') ?? horizonStart;
  uniqueIds(programme, 'tranches', report, at);
  let committed = amount(field(programme, 'initialUSD'));
  for (const [index, tranche] of items(programme, 'tranches')) {
    const month = field(tranche, 'month');
    if (isPeriod(month) && isPeriod(start) && month < start) {
      report(
        [...at, 'tranches', index, 'month'],
        `expected a month no earlier than the programme start ${start}`,
      );
    }
    const part = amount(field(tranche, 'amountUSD'));
    committed = committed === undefined || part === undefined ? undefined : committed + part;
  }
  const total = amount(field(programme, 'totalUSD'));
  if (committed !== undefined && total !== undefined && committed > total) {
    report(
      [...at, 'totalUSD'],
      `initialUSD and the tranches add up to ${formatUSD(toCents(committed))}, more than totalUSD ${formatUSD(toCents(total))}`,
    );
  }
}

/** Returns, for every id and name of a stream, the stream ids it may mean. */
function checkStreams(
  document: unknown,
  parties: PartyIds,
  report: Report,
): Map<string, Set<string>> | undefined {
  if (!Array.isArray(field(document, 'revenueStreams'))) return undefined;
  uniqueIds(document, 'revenueStreams', report);
  const byKey = new Map<string, Set<string>>();
  for (const [index, stream] of items(document, 'revenueStreams')) {
    const at = ['revenueStreams', index];
    const id = field(stream, 'id');
    if (parties.declared) checkRef(stream, 'party', parties.known, 'party', at, report);
    for (const key of [id, field(stream, 'name')]) {
      if (typeof key !== 'string' || !isId(id)) continue;
      const ids = byKey.get(key) ?? new Set<string>();
      ids.add(id);
      byKey.set(key, ids);
    }
    const ranges: { from: string; to: string; index: number }[] = [];
    for (const [position, entry] of items(stream, 'amounts')) {
      checkRange(entry, [...at, 'amounts', position], 'from', 'to', report);
      const from = field(entry, 'from');
      const to = field(entry, 'to');
      if (!isPeriod(from) || !isPeriod(to) || to < from) continue;
      const overlap = ranges.find((r) => from <= r.to && r.from <= to);
      if (overlap) {
        report(
          [...at, 'amounts', position],
          `overlaps amounts[${overlap.index}] (${overlap.from}..${overlap.to}); a month has one amount`,
        );
      }
      ranges.push({ from, to, index: position });
    }
  }
  return byKey;
}

function checkContractParties(
  document: unknown,
  parties: PartyIds,
  streams: Map<string, Set<string>> | undefined,
  report: Report,
): void {
  for (const [index, contract] of items(document, 'contracts')) {
    const at = ['contracts', index];
    if (parties.declared) {
      items(contract, 'parties').forEach(([position, id]) => {
        if (isId(id) && !parties.known.has(id)) {
          report([...at, 'parties', position], `unknown party ${id}`);
        }
      });
    }
    for (const [position, term] of items(contract, 'terms')) {
      if (field(term, 'type') !== 'revenue-share') continue;
      const termAt = [...at, 'terms', position];
      if (parties.declared) {
        checkRef(term, 'from', parties.known, 'party', termAt, report);
        checkRef(term, 'to', parties.known, 'party', termAt, report);
      }
      const stream = field(term, 'stream');
      if (streams === undefined || typeof stream !== 'string') continue;
      const matches = streams.get(stream);
      if (!matches) {
        report([...termAt, 'stream'], `unknown revenue stream ${stream}`);
      } else if (matches.size > 1) {
        report(
          [...termAt, 'stream'],
          `revenue stream ${stream} is ambiguous: it names ${[...matches].sort().join(' and ')}`,
        );
      }
    }
  }
}

function checkBuilding(building: unknown, at: Path, report: Report): void {
  const milestones = new Set(BUILT_IN);
  const custom = uniqueIds(building, 'milestones', report, at);
  for (const [index, milestone] of items(building, 'milestones')) {
    const id = field(milestone, 'id');
    if (typeof id === 'string' && BUILT_IN.has(id)) {
      report(
        [...at, 'milestones', index, 'id'],
        `${id} is a built-in milestone; choose another id`,
      );
    }
  }
  for (const id of custom) milestones.add(id);
  const hasStart = field(building, 'constructionStart') !== undefined;

  const schedule = field(building, 'capexSchedule');
  if (Array.isArray(schedule)) {
    if (field(building, 'capexUSD') === undefined) {
      report([...at, 'capexSchedule'], 'a capex schedule needs the building capexUSD');
    }
    let sum = 0n;
    let complete = true;
    for (const [index, instalment] of items(building, 'capexSchedule')) {
      const here = [...at, 'capexSchedule', index];
      const milestone = field(instalment, 'milestone');
      const month = field(instalment, 'month');
      if (milestone === undefined && month === undefined && isRecord(instalment)) {
        report(here, 'required: a milestone or a month');
      }
      if (milestone !== undefined && month !== undefined) {
        report([...here, 'month'], 'give a milestone or a month, not both');
      }
      if (field(instalment, 'offsetMonths') !== undefined && milestone === undefined) {
        report([...here, 'offsetMonths'], 'offsetMonths goes with a milestone');
      }
      if (isId(milestone)) {
        if (!milestones.has(milestone)) {
          report(
            [...here, 'milestone'],
            `unknown milestone ${milestone}; the building has ${[...milestones].filter((m) => m !== 'construction-start' || hasStart).join(', ')}`,
          );
        } else if (milestone === 'construction-start' && !hasStart) {
          report(
            [...here, 'milestone'],
            'milestone construction-start needs the building constructionStart',
          );
        }
      }
      // Out-of-range values are the schema's to report; a sum of them says nothing more.
      const percent = field(instalment, 'percent');
      if (typeof percent === 'number' && percent >= 0 && percent <= 100) {
        sum += percentUnits(percent);
      } else complete = false;
    }
    if (complete && sum !== 100n * PERCENT_UNIT) {
      report(
        [...at, 'capexSchedule'],
        `the instalments add up to ${formatPercentUnits(sum)}% of the capex, expected 100%`,
      );
    }
  }

  const delay = field(building, 'delay');
  if (field(delay, 'type') === 'discrete') {
    let total = 0;
    let complete = true;
    const seen = new Set<unknown>();
    for (const [index, outcome] of items(delay, 'outcomes')) {
      const months = field(outcome, 'months');
      if (seen.has(months)) {
        report(
          [...at, 'delay', 'outcomes', index, 'months'],
          `a slip of ${String(months)} months is listed twice`,
        );
      }
      seen.add(months);
      const probability = field(outcome, 'probability');
      if (typeof probability === 'number' && probability >= 0 && probability <= 1) {
        total += probability;
      } else complete = false;
    }
    if (complete && Math.abs(total - 1) > 1e-9) {
      report(
        [...at, 'delay', 'outcomes'],
        `the probabilities add up to ${round(total)}, expected 1`,
      );
    }
  } else if (field(delay, 'type') === 'triangular') {
    const min = field(delay, 'min');
    const mode = field(delay, 'mode');
    const max = field(delay, 'max');
    if (typeof min === 'number' && typeof mode === 'number' && mode < min) {
      report([...at, 'delay', 'mode'], `expected a most likely slip no less than min ${min}`);
    }
    if (typeof mode === 'number' && typeof max === 'number' && max < mode) {
      report([...at, 'delay', 'max'], `expected a maximum slip no less than mode ${mode}`);
    }
  }
}

/** Percent as an integer number of millionths of a percent, so that sums are exact. */
const PERCENT_UNIT = 1_000_000n;

function percentUnits(value: number): bigint {
  const parsed = parseUSD(value, 6);
  return parsed.ok ? parsed.micros : BigInt(Math.round(value * 1e6));
}

function formatPercentUnits(units: bigint): string {
  const whole = units / PERCENT_UNIT;
  const fraction = String(units % PERCENT_UNIT)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

function amount(value: unknown): bigint | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const parsed = parseUSD(value, 2);
  return parsed.ok ? parsed.micros : undefined;
}

function round(value: number): string {
  return String(Math.round(value * 1e9) / 1e9);
}
