import type { ReactNode } from 'react';
import { useEffect, useMemo, useState } from 'react';
import type { TermType } from '../../core/model.js';
import { TERM_TYPES } from '../../core/model.js';
import { formatUSDNumber as money } from '../../core/money.js';
import type {
  ClausePriceJson,
  PlanClauses,
  PlanClausesComputing,
  PlanSummary,
  Role,
  TermsBody,
} from '../api-types';
import { Failure } from '../components/panel';
import { SearchField, useSearchText } from '../components/search-field';
import { useApi } from '../queries';
import { setQuery, useLocation } from '../router';
import { useMe } from '../session';
import './contracts.css';

type ContractEntry = TermsBody['contracts'][number];
type TermEntry = ContractEntry['terms'][number];

/** Who may read stored plans, and so their clause prices. */
const READS_PLANS: readonly Role[] = ['admin', 'planner', 'viewer'];

/** The prices of the latest plan's terms as the rows need them, by `contract/term`. */
type Prices =
  | { readonly state: 'computing' }
  | { readonly state: 'none' }
  | { readonly state: 'failed' }
  | {
      readonly state: 'ready';
      readonly plan: number;
      readonly byTerm: ReadonlyMap<string, ClausePriceJson>;
    };

/** Pools listed one by one up to this many; more fold behind their count. */
const CHIPS_SHOWN = 6;

const span = (range: { from: string; to: string }) =>
  range.from === range.to ? range.from : `${range.from}–${range.to}`;

/** Whether a term matches every word of the search, in any of the things it shows. */
function matches(contract: ContractEntry, term: TermEntry, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = [
    contract.contract,
    contract.name ?? '',
    ...contract.parties.flatMap((party) => [party.id, party.name ?? '']),
    term.term,
    term.type,
    term.sentence,
    term.poolScope ?? '',
    ...term.named,
    ...term.pools,
    ...term.classes,
  ]
    .join('\n')
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

/**
 * /contracts: every contract term as a sentence, with when it is in force and which pools and
 * workload classes it touches; filtered by type and searched (`?type=`, `?q=`, so a view can be
 * linked). The terms come from `GET /v1/terms`, under the `scenario` topic: a contract edited
 * anywhere shows here without a reload.
 */
export function ContractsPage() {
  const terms = useApi<TermsBody>('scenario', '/v1/terms');
  const { search } = useLocation();
  const typeParam = search.get('type') ?? '';
  const type = (TERM_TYPES as readonly string[]).includes(typeParam)
    ? (typeParam as TermType)
    : undefined;
  const { text, query, setText } = useSearchText();
  const contracts = terms.data?.contracts;
  const prices = useLatestPrices(contracts !== undefined);

  const counts = useMemo(() => {
    const byType = new Map<string, number>();
    for (const contract of contracts ?? []) {
      for (const term of contract.terms) byType.set(term.type, (byType.get(term.type) ?? 0) + 1);
    }
    return byType;
  }, [contracts]);
  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return (contracts ?? [])
      .map((contract) => ({
        contract,
        terms: contract.terms.filter(
          (term) => (type === undefined || term.type === type) && matches(contract, term, words),
        ),
      }))
      .filter((entry) => entry.terms.length > 0);
  }, [contracts, query, type]);
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const shownCount = shown.reduce((sum, entry) => sum + entry.terms.length, 0);

  return (
    <section className="page contracts-page" aria-labelledby="contracts-title">
      <header className="page-header">
        <h1 id="contracts-title">Contracts</h1>
        {contracts && (
          <p className="muted">
            {contracts.length} {contracts.length === 1 ? 'contract' : 'contracts'}, {total}{' '}
            {total === 1 ? 'term' : 'terms'}
          </p>
        )}
      </header>
      <div className="contracts-filters" role="search" aria-label="Filter terms">
        <label>
          <span>Type</span>
          <select
            value={type ?? ''}
            onChange={(event) => {
              setQuery('type', event.target.value);
            }}
          >
            <option value="">All types ({total})</option>
            {TERM_TYPES.map((name) => (
              <option key={name} value={name}>
                {name} ({counts.get(name) ?? 0})
              </option>
            ))}
          </select>
        </label>
        <SearchField value={text} placeholder="words, pool, class, party" onValue={setText} />
        {contracts && (
          <p className="muted contracts-count" aria-live="polite">
            {shownCount === total ? `${total} terms` : `${shownCount} of ${total} terms`}
          </p>
        )}
      </div>

      {terms.error ? (
        <Failure error={terms.error} />
      ) : !contracts ? (
        <div className="contracts-placeholder" aria-busy="true" />
      ) : contracts.length === 0 ? (
        <p className="muted">The scenario has no contracts.</p>
      ) : shown.length === 0 ? (
        <p className="muted">No term matches the filter.</p>
      ) : (
        shown.map(({ contract, terms: rows }) => (
          <ContractSection
            key={contract.contract}
            contract={contract}
            terms={rows}
            prices={prices}
          />
        ))
      )}
    </section>
  );
}

/**
 * The prices of the latest stored plan's terms, asked for only once the sentences are in (a
 * price re-solves the scenario: seconds the first time, kept by the server after).
 */
function useLatestPrices(sentencesIn: boolean): Prices {
  const me = useMe();
  const reads = sentencesIn && READS_PLANS.includes(me.role);
  const plans = useApi<PlanSummary[]>('plans', reads ? '/v1/plans' : undefined);
  const latest = plans.data?.[0];
  const [computing, setComputing] = useState(true);
  // The server answers 202 until the prices are ready: ask again every 2 s until then.
  const clauses = useApi<PlanClauses | PlanClausesComputing>(
    'plans',
    latest ? `/v1/plans/${latest.id}/clauses` : undefined,
    computing ? { refetchEveryMs: 2_000 } : {},
  );
  const ready = clauses.data && 'singles' in clauses.data ? clauses.data : undefined;
  useEffect(() => {
    setComputing(ready === undefined);
  }, [ready]);
  return useMemo((): Prices => {
    if (!reads) return { state: 'none' };
    if (plans.error || clauses.error) return { state: 'failed' };
    if (plans.data && !latest) return { state: 'none' };
    if (!ready) return { state: 'computing' };
    return {
      state: 'ready',
      plan: ready.plan,
      byTerm: new Map(ready.singles.map((price) => [price.terms[0] ?? '', price])),
    };
  }, [reads, plans.error, plans.data, latest, clauses.error, ready]);
}

function ContractSection({
  contract,
  terms,
  prices,
}: {
  contract: ContractEntry;
  terms: readonly TermEntry[];
  prices: Prices;
}) {
  const id = `contract-${contract.contract}`;
  return (
    <section className="panel contract" aria-labelledby={id}>
      <header>
        <h2 id={id}>
          {contract.name ?? contract.contract}
          {contract.name && <span className="muted"> {contract.contract}</span>}
        </h2>
        <p className="muted">
          In force {span(contract.effective)} · between{' '}
          {contract.parties.map((party, index) => (
            <span key={party.id}>
              {index > 0 && (index === contract.parties.length - 1 ? ' and ' : ', ')}
              <strong>{party.name ?? party.id}</strong>
              {party.name && party.name.toLowerCase() !== party.id && ` (${party.id})`}
            </span>
          ))}
        </p>
      </header>
      <table className="contract-terms">
        <caption className="visually-hidden">Terms of {contract.name ?? contract.contract}</caption>
        <colgroup>
          <col className="col-type" />
          <col className="col-sentence" />
          <col className="col-range" />
          <col className="col-pools" />
          <col className="col-classes" />
          <col className="col-price" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col">What it says</th>
            <th scope="col">In force</th>
            <th scope="col">Pools</th>
            <th scope="col">Classes</th>
            <th scope="col">
              Price
              {prices.state === 'ready' && <span className="muted"> (plan {prices.plan})</span>}
            </th>
          </tr>
        </thead>
        <tbody>
          {terms.map((term) => (
            <TermRow
              key={term.term}
              term={term}
              price={<TermPrice contract={contract.contract} term={term} prices={prices} />}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * What the term costs in the latest plan: the base plan less the plan without it, and the
 * interval the true difference lies in from both plans' proven bounds.
 */
function TermPrice({
  contract,
  term,
  prices,
}: {
  contract: string;
  term: TermEntry;
  prices: Prices;
}) {
  // A revenue share's money is in the ledger; a note is recorded, never priced.
  if (!term.shapesPlacement)
    return <span className="muted">{term.type === 'note' ? '—' : 'in the ledger'}</span>;
  if (prices.state === 'none') return <span className="muted">—</span>;
  if (prices.state === 'failed') return <span className="muted">not available</span>;
  if (prices.state === 'computing')
    return (
      <span className="muted term-computing" aria-busy="true">
        computing…
      </span>
    );
  const price = prices.byTerm.get(`${contract}/${term.term}`);
  if (!price) return <span className="muted">—</span>;
  const { low, high } = price.intervalUSD;
  const interval = low === high ? money(low) : `${money(low)} – ${money(high)}`;
  return (
    <span className={`term-price verdict-${price.verdict}`}>
      <strong>{money(price.priceUSD)}</strong>
      <span className="muted term-interval">
        {price.verdict === 'within-gap' ? `within the gap: ${interval}` : interval}
      </span>
    </span>
  );
}

function TermRow({ term, price }: { term: TermEntry; price: ReactNode }) {
  return (
    <tr>
      <th scope="row">
        <span className={`badge term-${term.type}`}>{term.type}</span>
        <code className="term-id">{term.term}</code>
        {!term.shapesPlacement && <span className="term-recorded">recorded only</span>}
      </th>
      <td className="term-sentence">{term.sentence}</td>
      <td className="term-range">
        {term.effective ? span(term.effective) : <span className="muted">never binds</span>}
      </td>
      <td>
        <Pools term={term} />
      </td>
      <td>
        <Classes term={term} />
      </td>
      <td className="term-price-cell">{price}</td>
    </tr>
  );
}

function Pools({ term }: { term: TermEntry }) {
  if (term.poolScope === null) return <span className="muted">—</span>;
  if (term.pools.length === 0)
    return <span className="muted">{term.poolScope}: none in the scenario</span>;
  const chips = (pools: readonly string[]) => (
    <ul className="term-chips">
      {pools.map((pool) => (
        <li key={pool}>{pool}</li>
      ))}
    </ul>
  );
  if (term.pools.length <= CHIPS_SHOWN) return chips(term.pools);
  return (
    <details className="term-pools">
      <summary>
        all {term.poolScope} <span className="muted">({term.pools.length} pools)</span>
      </summary>
      {chips(term.pools)}
    </details>
  );
}

function Classes({ term }: { term: TermEntry }) {
  if (term.type === 'rofr' || term.type === 'commitment')
    return <span className="muted">all classes</span>;
  if (term.classes.length === 0) return <span className="muted">—</span>;
  return (
    <>
      <ul className="term-chips">
        {term.classes.map((name) => (
          <li key={name}>{name}</li>
        ))}
      </ul>
      {term.excludedClasses.length > 0 && (
        <span className="muted term-excluded">not {term.excludedClasses.join(', ')}</span>
      )}
    </>
  );
}
