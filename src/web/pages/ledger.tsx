import { useMemo } from 'react';
import { formatUSDNumber as usd } from '../../core/money.js';
import { capitalChart, flowsSankey } from '../../charts/ledger.js';
import type { LedgerReportJson } from '../api-types';
import { Chart } from '../components/chart';
import { Failure, Panel } from '../components/panel';
import { useApi } from '../queries';
import { setQuery, useLocation } from '../router';
import { useChartTheme } from '../theme';
import type { CapitalRow, FlowRow, Granularity } from './ledger-data';
import {
  GRANULARITIES,
  capitalCsv,
  capitalHeadline,
  capitalRows,
  csvFileName,
  flowRows,
  flowsCsv,
  granularityOf,
  ledgerPeriods,
} from './ledger-data';
import { download } from '../download';
import './ledger.css';

/** As the CLI's tables: a dash where nothing happened in the period. */
const CSV = 'text/csv;charset=utf-8';
const usdCell = (value: number) => (value === 0 ? '—' : usd(value));
const SANKEY_HEIGHT = 420;
const CAPITAL_HEIGHT = 340;
const BY_WORDS: Record<Granularity, string> = { year: 'Year', quarter: 'Quarter', month: 'Month' };

/**
 * The books of the latest plan: who paid whom in a chosen period (a Sankey and its table),
 * and capital called against committed per funder. The granularity and the period live in the
 * URL (`?by=quarter&period=2028-Q1`), so a view can be linked and survives a reload.
 */
export function LedgerPage() {
  const { search } = useLocation();
  const by: Granularity = granularityOf(search.get('by'));
  const ledger = useApi<LedgerReportJson>('finance', `/v1/ledger?by=${by}&journal=false`);
  const data = ledger.data;
  const periods = useMemo(() => (data ? ledgerPeriods(data) : []), [data]);
  const asked = search.get('period') ?? undefined;
  // A period of another granularity (after switching `by`) means all of them, until one is picked.
  const period = asked !== undefined && periods.includes(asked) ? asked : undefined;
  const headline = data ? capitalHeadline(data) : [];

  return (
    <section className="page ledger">
      <header className="page-header">
        <h1>Ledger</h1>
        <span className="muted">
          {data
            ? `${data.scenario}: ${data.horizon.from}..${data.horizon.to}, plan ${data.plan['plan'] ?? ''}`
            : ' '}
        </span>
        <div className="actions">
          <label htmlFor="ledger-by">Granularity</label>
          <select
            id="ledger-by"
            value={by}
            onChange={(event) => {
              setQuery('by', event.target.value === 'year' ? undefined : event.target.value);
              setQuery('period', undefined);
            }}
          >
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                by {g}
              </option>
            ))}
          </select>
          <label htmlFor="ledger-period">Period</label>
          <select
            id="ledger-period"
            value={period ?? ''}
            disabled={!data}
            onChange={(event) => {
              setQuery('period', event.target.value);
            }}
          >
            <option value="">all</option>
            {periods.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
      </header>

      <div className="ledger-headline" aria-live="polite">
        {ledger.error ? (
          <Failure error={ledger.error} />
        ) : !data ? (
          <p className="muted">Loading…</p>
        ) : headline.length === 0 ? (
          <p>Capital: no programme in the scenario.</p>
        ) : (
          <>
            <p className="lead">{headline[0]}</p>
            {headline.slice(1).map((line) => (
              <p key={line} className="muted">
                {line}
              </p>
            ))}
          </>
        )}
      </div>

      {/* Without books (no plan yet, say) the headline says why; no empty panels below it. */}
      {!ledger.error && (
        <div className="ledger-grid">
          <FlowsPanel ledger={data} period={period} />
          <CapitalPanel ledger={data} by={by} />
        </div>
      )}
    </section>
  );
}

function FlowsPanel({
  ledger,
  period,
}: {
  ledger: LedgerReportJson | undefined;
  period: string | undefined;
}) {
  const theme = useChartTheme();
  const option = useMemo(
    () =>
      ledger
        ? flowsSankey(ledger, { theme, ...(period === undefined ? {} : { period }) })
        : undefined,
    [ledger, theme, period],
  );
  const rows = useMemo(() => (ledger ? flowRows(ledger, period) : undefined), [ledger, period]);
  const when = period ?? 'all periods';
  return (
    <Panel title="Flows between parties" className="span-all">
      <Chart
        option={option}
        height={SANKEY_HEIGHT}
        label={`Money between parties in ${when}: payers on the left, payees on the right`}
      />
      <div className="table-header">
        <h3 id="flows-table">Flows in {when}</h3>
        <button
          type="button"
          className="quiet"
          aria-describedby="flows-table"
          disabled={!rows || rows.length === 0}
          onClick={() => {
            if (rows) download(csvFileName('flows', period ?? 'all'), flowsCsv(rows, period), CSV);
          }}
        >
          Download CSV
        </button>
      </div>
      <FlowsTable rows={rows} />
    </Panel>
  );
}

function FlowsTable({ rows }: { rows: FlowRow[] | undefined }) {
  if (!rows) return <p className="muted">Loading…</p>;
  if (rows.length === 0) return <p className="muted">No money moved in this period.</p>;
  const total = rows.reduce((sum, r) => sum + r.amountUSD, 0);
  return (
    <div className="table-box" tabIndex={0} role="region" aria-labelledby="flows-table">
      <table aria-labelledby="flows-table">
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Kind</th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.from}>${r.to}:${r.kind}`}>
              <td title={r.from}>{r.fromName}</td>
              <td title={r.to}>{r.toName}</td>
              <td>{r.kind}</td>
              <td className="num">{usd(r.amountUSD)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              {rows.length} flows
            </th>
            <td className="num">{usd(total)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function CapitalPanel({ ledger, by }: { ledger: LedgerReportJson | undefined; by: Granularity }) {
  const theme = useChartTheme();
  const option = useMemo(
    () => (ledger ? capitalChart(ledger, { theme }) : undefined),
    [ledger, theme],
  );
  const rows = useMemo(() => (ledger ? capitalRows(ledger) : undefined), [ledger]);
  const funders = ledger?.capital?.funders.map((f) => f.party) ?? [];
  const names = new Map(ledger?.parties.map((p) => [p.id, p.name]) ?? []);
  return (
    <Panel title="Capital called against committed" className="span-all">
      <Chart
        option={option}
        height={CAPITAL_HEIGHT}
        label="Capital called to date per funder, stacked, under the capital committed, per period"
      />
      <div className="table-header">
        <h3 id="capital-table">Capital by {by}</h3>
        <button
          type="button"
          className="quiet"
          aria-describedby="capital-table"
          disabled={!rows || rows.length === 0}
          onClick={() => {
            if (rows) download(csvFileName('capital', `by-${by}`), capitalCsv(rows, funders), CSV);
          }}
        >
          Download CSV
        </button>
      </div>
      <CapitalTable rows={rows} funders={funders} names={names} by={by} />
    </Panel>
  );
}

function CapitalTable({
  rows,
  funders,
  names,
  by,
}: {
  rows: CapitalRow[] | undefined;
  funders: readonly string[];
  names: ReadonlyMap<string, string>;
  by: Granularity;
}) {
  if (!rows) return <p className="muted">Loading…</p>;
  if (rows.length === 0) return <p className="muted">No capital programme in the scenario.</p>;
  return (
    <div className="table-box" tabIndex={0} role="region" aria-labelledby="capital-table">
      <table aria-labelledby="capital-table">
        <thead>
          <tr>
            <th scope="col">{BY_WORDS[by]}</th>
            <th scope="col" className="num">
              Committed
            </th>
            <th scope="col" className="num">
              Capex due
            </th>
            <th scope="col" className="num">
              Called
            </th>
            <th scope="col" className="num">
              Called to date
            </th>
            <th scope="col" className="num">
              Funding gap
            </th>
            {funders.map((f) => (
              <th key={f} scope="col" className="num">
                {names.get(f) ?? f} to date
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.period}>
              <th scope="row">{r.period}</th>
              <td className="num">{usd(r.committedUSD)}</td>
              <td className="num">{usdCell(r.capexDueUSD)}</td>
              <td className="num">{usdCell(r.calledUSD)}</td>
              <td className="num">{usd(r.calledToDateUSD)}</td>
              <td className="num">{usdCell(r.fundingGapUSD)}</td>
              {funders.map((f) => (
                <td key={f} className="num">
                  {usd(r.calledToDateByFunder[f] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
