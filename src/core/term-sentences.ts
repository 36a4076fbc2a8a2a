import { describeSelector, listWords, matchesSelector } from './contracts.js';
import type { Contract, Pool, PoolSelector, Scenario, Term, TermType } from './model.js';
import { formatUSDCompact, toCents } from './money.js';
import { compareText } from './order.js';
import type { PeriodRange } from './period.js';
import { formatPeriod, formatRange, intersect } from './period.js';
import type { MonthRange } from './plan-workloads.js';
import { monthRangeOf } from './plan-workloads.js';

/** One contract term as people read it, with what it touches. */
export interface TermView {
  readonly term: string;
  readonly type: TermType;
  /** The term as one readable sentence. */
  readonly sentence: string;
  /**
   * When it binds: the contract's effective range, for a commitment its window within that
   * range; null when the window lies wholly outside (the term never binds).
   */
  readonly effective: MonthRange | null;
  /** Providers and parties the term names (provider, holder, payer and payee). */
  readonly named: readonly string[];
  /** The pools it speaks of in words (`new pools of stargate`); null when it names none. */
  readonly poolScope: string | null;
  /** Ids of the scenario's pools it touches, sorted. */
  readonly pools: readonly string[];
  /** Workload classes it names: confined to a provider, or the only ones allowed on its pools. */
  readonly classes: readonly string[];
  /** Classes of the scenario's workloads it keeps off its pools (use-restriction). */
  readonly excludedClasses: readonly string[];
  /** Whether the planner obeys or prices it; false for terms only recorded (revenue, notes). */
  readonly shapesPlacement: boolean;
}

/** A contract with its terms in words. */
export interface ContractView {
  readonly contract: string;
  readonly name: string | null;
  /** Each party with its name where the scenario gives one (a party or a provider). */
  readonly parties: readonly { readonly id: string; readonly name: string | null }[];
  readonly effective: MonthRange;
  readonly terms: readonly TermView[];
}

/** `from 2025-01 to 2030-12`, or `in 2025-01` for one month. */
function during(range: PeriodRange): string {
  return range.from === range.to
    ? `in ${formatPeriod(range.from)}`
    : `from ${formatPeriod(range.from)} to ${formatPeriod(range.to)}`;
}

const classWord = (classes: readonly string[]) =>
  `${classes.length === 1 ? 'class' : 'classes'} ${listWords(classes)}`;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The pools a right of first refusal covers: the selector's, never the holder's own. */
function rofrScope(selector: PoolSelector, holder: string): string {
  const pools = describeSelector(selector);
  return selector.providers ? pools : `${pools} of providers other than ${holder}`;
}

/**
 * A term as one sentence: what it requires, of whom, over which pools and classes, and (for
 * money) how much, formatted by the project's money formatter. Terms that only record
 * something (revenue shares, notes) read as they are.
 *
 * @example
 * termSentence({ type: 'exclusivity', id: 'api-on-azure', classes: ['api'], provider: 'azure' }, contract)
 * // 'Workloads of class api run only on pools of azure.'
 */
export function termSentence(term: Term, contract: Contract): string {
  switch (term.type) {
    case 'exclusivity':
      return `Workloads of ${classWord(term.classes)} run only on pools of ${term.provider}.`;
    case 'use-restriction':
      return `${capitalised(describeSelector(term.pools))} host only workloads of ${classWord(term.classes)}; other classes may not use them.`;
    case 'commitment': {
      const binds = intersect(term.window, contract.effective);
      const amount = formatUSDCompact(toCents(term.minSpend));
      return binds
        ? `At least ${amount} is spent on ${term.provider} ${during(binds)}; a shortfall is paid anyway (take-or-pay).`
        : `At least ${amount} on ${term.provider} ${during(term.window)}, outside the contract's effective range ${formatRange(contract.effective)}: it never binds.`;
    }
    case 'rofr': {
      const days = term.responseDays === 1 ? '1 day' : `${term.responseDays} days`;
      return `${term.holder} has the right of first refusal on ${rofrScope(term.pools, term.holder)}: each is first offered to ${term.holder}, which has ${days} to answer; it is not planned until ${term.holder} declines.`;
    }
    case 'revenue-share':
      return `${term.from} pays ${term.to} ${term.percent}% of ${term.stream}, every month.`;
    case 'note':
      return term.text;
  }
}

/** The terms that the planner obeys (placement) or prices (take-or-pay). */
const SHAPES_PLACEMENT: ReadonlySet<TermType> = new Set([
  'exclusivity',
  'use-restriction',
  'commitment',
  'rofr',
]);

function poolIds(pools: readonly Pool[], keep: (pool: Pool) => boolean): string[] {
  return pools
    .filter(keep)
    .map((pool) => pool.id)
    .sort(compareText);
}

/** A term in words with the pools and classes of the scenario it touches. */
export function termView(term: Term, contract: Contract, scenario: Scenario): TermView {
  const base: TermView = {
    term: term.id,
    type: term.type,
    sentence: termSentence(term, contract),
    effective: monthRangeOf(contract.effective),
    named: [],
    poolScope: null,
    pools: [],
    classes: [],
    excludedClasses: [],
    shapesPlacement: SHAPES_PLACEMENT.has(term.type),
  };
  switch (term.type) {
    case 'exclusivity':
      return {
        ...base,
        named: [term.provider],
        poolScope: `pools of ${term.provider}`,
        pools: poolIds(scenario.pools, (pool) => pool.provider === term.provider),
        classes: [...term.classes],
      };
    case 'use-restriction': {
      const classes = new Set(scenario.workloads.map((workload) => workload.class));
      return {
        ...base,
        named: [...(term.pools.providers ?? [])],
        poolScope: describeSelector(term.pools),
        pools: poolIds(scenario.pools, (pool) => matchesSelector(term.pools, pool)),
        classes: [...term.classes],
        excludedClasses: [...classes].filter((c) => !term.classes.includes(c)).sort(compareText),
      };
    }
    case 'commitment': {
      const binds = intersect(term.window, contract.effective);
      return {
        ...base,
        effective: binds ? monthRangeOf(binds) : null,
        named: [term.provider],
        poolScope: `pools of ${term.provider}`,
        pools: poolIds(scenario.pools, (pool) => pool.provider === term.provider),
      };
    }
    case 'rofr':
      return {
        ...base,
        named: [term.holder],
        poolScope: rofrScope(term.pools, term.holder),
        pools: poolIds(
          scenario.pools,
          (pool) => pool.provider !== term.holder && matchesSelector(term.pools, pool),
        ),
      };
    case 'revenue-share':
      return { ...base, named: [term.from, term.to] };
    case 'note':
      return base;
  }
}

/**
 * Every contract of a scenario with each term in words, the pools and classes it touches and
 * whether it shapes the plan: what the dashboard's contracts page lists.
 *
 * @example
 * describeContracts(scenario)[0]?.terms.find((t) => t.term === 'msft-rofr')?.sentence
 * // 'azure has the right of first refusal on new pools of providers other than azure: each …'
 */
export function describeContracts(scenario: Scenario): ContractView[] {
  const names = new Map<string, string>();
  for (const provider of scenario.providers) names.set(provider.id, provider.name);
  // A party's own name wins over the provider it sells as (microsoft → Microsoft, not Azure).
  for (const party of scenario.parties) names.set(party.id, party.name);
  return scenario.contracts.map((contract) => ({
    contract: contract.id,
    name: contract.name ?? null,
    parties: contract.parties.map((id) => ({ id, name: names.get(id) ?? null })),
    effective: monthRangeOf(contract.effective),
    terms: contract.terms.map((term) => termView(term, contract, scenario)),
  }));
}
