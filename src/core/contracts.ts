import type { Contract, Pool, PoolSelector, Scenario, Term, Workload } from './model.js';
import type { Period, PeriodRange } from './period.js';
import { contains, formatPeriod, formatRange, intersect } from './period.js';

/**
 * Why a workload may not use a pool. `term` denials name the contract and term and hold only
 * `during` their contract's effective range; the others hold whenever they apply.
 */
export type Denial =
  | { readonly kind: 'accelerator'; readonly message: string }
  | { readonly kind: 'pool-window'; readonly message: string }
  | { readonly kind: 'workload-window'; readonly message: string }
  | {
      readonly kind: 'term';
      readonly termType: 'exclusivity' | 'use-restriction' | 'rofr';
      readonly contract: string;
      readonly term: string;
      readonly during: PeriodRange;
      /** The rule in words, without the pool: shared by every pool the term excludes. */
      readonly rule: string;
      readonly message: string;
    };

export type TermDenial = Extract<Denial, { kind: 'term' }>;

/** The answer for one (workload, pool, period): allowed, or every reason it is not. */
export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly denials: readonly Denial[] };

/**
 * The placement rules of a scenario, compiled once: the terms that restrict placement, each
 * with the range in which it binds. Pure; safe to share.
 */
export interface Rules {
  readonly scenario: Scenario;
  /** Contract denials of a (workload, pool) pair, whatever the period; empty when none. */
  termDenials(workload: Workload, pool: Pool): readonly TermDenial[];
  /** The full decision for one period, including accelerator and window checks. */
  decide(workload: Workload, pool: Pool, period: Period): Decision;
  /**
   * The periods in which the workload may use the pool, as sorted disjoint ranges inside the
   * horizon and both windows.
   */
  eligibleRanges(workload: Workload, pool: Pool): readonly PeriodRange[];
}

/**
 * Compiles the contract rules of a scenario.
 *
 * @example
 * const rules = compileRules(scenario);
 * rules.decide(api, abileneB1, period) // { allowed: false, denials: [exclusivity …] }
 */
export function compileRules(scenario: Scenario): Rules {
  const restrictions: Restriction[] = [];
  for (const contract of scenario.contracts) {
    const during = intersect(contract.effective, scenario.horizon);
    if (!during) continue;
    for (const term of contract.terms) {
      const restriction = restrictionOf(contract, term, during);
      if (restriction) restrictions.push(restriction);
    }
  }

  function termDenials(workload: Workload, pool: Pool): TermDenial[] {
    const denials: TermDenial[] = [];
    for (const restriction of restrictions) {
      if (!restriction.denies(workload, pool)) continue;
      const { rule, message } = restriction.describe(workload, pool);
      denials.push({
        kind: 'term',
        termType: restriction.termType,
        contract: restriction.contract,
        term: restriction.term,
        during: restriction.during,
        rule,
        message,
      });
    }
    return denials;
  }

  function decide(workload: Workload, pool: Pool, period: Period): Decision {
    const denials: Denial[] = [];
    if (!workload.accelerators.includes(pool.accelerator))
      denials.push(acceleratorDenial(workload, pool));
    if (!contains(workload.window, period) || !contains(scenario.horizon, period)) {
      denials.push({
        kind: 'workload-window',
        message: `workload ${workload.id} needs capacity ${formatRange(workload.window)} only, not in ${formatPeriod(period)}`,
      });
    }
    if (!contains(pool.window, period)) {
      denials.push({
        kind: 'pool-window',
        message: `pool ${pool.id} is available ${formatRange(pool.window)} only, not in ${formatPeriod(period)}`,
      });
    }
    for (const denial of termDenials(workload, pool)) {
      if (contains(denial.during, period)) denials.push(denial);
    }
    return denials.length === 0 ? { allowed: true } : { allowed: false, denials };
  }

  function eligibleRanges(workload: Workload, pool: Pool): readonly PeriodRange[] {
    if (!workload.accelerators.includes(pool.accelerator)) return NONE;
    // The hot path of problem building, called for hundreds of thousands of pairs: no words,
    // only the ranges that terms block, and no objects but those returned.
    const from = Math.max(workload.window.from, pool.window.from, scenario.horizon.from);
    const to = Math.min(workload.window.to, pool.window.to, scenario.horizon.to);
    if (from > to) return NONE;
    let blocked: PeriodRange[] | undefined;
    for (const restriction of restrictions) {
      if (restriction.denies(workload, pool)) (blocked ??= []).push(restriction.during);
    }
    const inside = { from: from as Period, to: to as Period };
    return blocked === undefined ? [inside] : subtract(inside, blocked);
  }

  return { scenario, termDenials, decide, eligibleRanges };
}

/** No periods: shared, as most (workload, pool) pairs of a large portfolio have none. */
const NONE: readonly PeriodRange[] = [];

/** A term that restricts placement, compiled: a cheap test, and its words when it denies. */
interface Restriction {
  readonly termType: TermDenial['termType'];
  readonly contract: string;
  readonly term: string;
  /** The contract's effective range clipped to the horizon. */
  readonly during: PeriodRange;
  denies(workload: Workload, pool: Pool): boolean;
  describe(workload: Workload, pool: Pool): { rule: string; message: string };
}

function restrictionOf(
  contract: Contract,
  term: Term,
  during: PeriodRange,
): Restriction | undefined {
  const base = { contract: contract.id, term: term.id, during };
  switch (term.type) {
    case 'exclusivity':
      return {
        ...base,
        termType: 'exclusivity',
        denies: (workload, pool) =>
          term.classes.includes(workload.class) && pool.provider !== term.provider,
        describe: (workload, pool) => {
          const rule = `exclusivity term ${term.id} of ${contract.id} allows only ${term.provider} for class ${workload.class}`;
          return { rule, message: `${rule}; pool ${pool.id} is ${pool.provider}` };
        },
      };
    case 'use-restriction':
      return {
        ...base,
        termType: 'use-restriction',
        denies: (workload, pool) =>
          !term.classes.includes(workload.class) && matchesSelector(term.pools, pool),
        describe: (workload, pool) => {
          const rule = `use-restriction term ${term.id} of ${contract.id} reserves ${describeSelector(term.pools)} for ${listWords(term.classes)}, not ${workload.class}`;
          return { rule, message: `${rule}; pool ${pool.id} matches` };
        },
      };
    case 'rofr':
      return {
        ...base,
        termType: 'rofr',
        denies: (_, pool) =>
          pool.origin === 'new' &&
          pool.rofr !== 'cleared' &&
          pool.provider !== term.holder &&
          matchesSelector(term.pools, pool),
        describe: (_, pool) => ({
          rule: `rofr term ${term.id} of ${contract.id}: new capacity must first be offered to ${term.holder}, and its refusal is still pending`,
          message: `rofr term ${term.id} of ${contract.id}: new capacity ${pool.id} (${pool.provider}) must first be offered to ${term.holder}; the offer is still pending`,
        }),
      };
    default:
      return undefined;
  }
}

/** The denial for a pool whose accelerator the workload does not list. */
export function acceleratorDenial(workload: Workload, pool: Pool): Denial {
  return {
    kind: 'accelerator',
    message: `pool ${pool.id} offers ${pool.accelerator}; workload ${workload.id} runs only on ${listWords(workload.accelerators)}`,
  };
}

/** Whether a pool matches a selector: every key given must match. */
export function matchesSelector(selector: PoolSelector, pool: Pool): boolean {
  if (selector.providers && !selector.providers.includes(pool.provider)) return false;
  if (selector.origin && selector.origin !== pool.origin) return false;
  if (selector.sites && (pool.site === undefined || !selector.sites.includes(pool.site)))
    return false;
  if (selector.accelerators && !selector.accelerators.includes(pool.accelerator)) return false;
  return true;
}

/**
 * A selector in words.
 *
 * @example describeSelector({ origin: 'new', providers: ['stargate'] }) // 'new pools of stargate'
 */
export function describeSelector(selector: PoolSelector): string {
  const parts: string[] = [];
  parts.push(selector.origin ? `${selector.origin} pools` : 'pools');
  if (selector.providers) parts.push(`of ${listWords(selector.providers)}`);
  if (selector.sites) parts.push(`at ${listWords(selector.sites)}`);
  if (selector.accelerators) parts.push(`with ${listWords(selector.accelerators)}`);
  return parts.join(' ');
}

/** `a`, `a and b`, `a, b and c`. */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** `range` less every range in `holes`, as sorted disjoint ranges. */
function subtract(range: PeriodRange, holes: readonly PeriodRange[]): PeriodRange[] {
  let pieces: PeriodRange[] = [range];
  for (const hole of holes) {
    const next: PeriodRange[] = [];
    for (const piece of pieces) {
      if (hole.to < piece.from || hole.from > piece.to) {
        next.push(piece);
        continue;
      }
      if (hole.from > piece.from) next.push({ from: piece.from, to: (hole.from - 1) as Period });
      if (hole.to < piece.to) next.push({ from: (hole.to + 1) as Period, to: piece.to });
    }
    pieces = next;
  }
  return pieces;
}
