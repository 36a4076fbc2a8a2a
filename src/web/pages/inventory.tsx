import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { grouped } from '../../core/format.js';
import type { InventoryBody, StaleNode, UnhealthyGpu } from '../api-types';
import { DataTable } from '../components/data-table';
import { Failure, Panel, Stat } from '../components/panel';
import { TableHead, numeric } from '../components/table-head';
import { useSecond } from '../use-second';
import { useApi } from '../queries';
import { setQuery, useLocation } from '../router';
import type { SiteDoc } from './buildout-data';
import type { FleetCounts, SiteSummary } from './inventory-data';
import {
  ageText,
  groupCounts,
  healthyShare,
  intervalText,
  siteFilter,
  siteSummaries,
  sitesIn,
  tableHeight,
  thresholdsText,
  totalOf,
} from './inventory-data';
import { utcText } from './offers-time';
import './inventory.css';

/**
 * Staleness is a node falling silent, which no event announces: the page asks again this
 * often, besides refetching whenever the stream says a node changed.
 */
const REFRESH_MS = 30_000;
const ROW_HEIGHT = 34;
const MAX_ROWS = 12;

/**
 * The fleet as its node agents report it: per site, the nodes and GPUs reporting, healthy and
 * not; every unhealthy GPU with the server's reasons; every stale node. The site filter is in
 * the URL (`?site=`); the tables are virtualised, so a fleet of thousands of nodes scrolls.
 */
export function InventoryPage() {
  const { search } = useLocation();
  const inventory = useApi<InventoryBody>('fleet', '/v1/inventory', {
    refetchEveryMs: REFRESH_MS,
  });
  const sites = useApi<SiteDoc[]>('scenario', '/v1/sites');
  const names = useMemo(
    () => Object.fromEntries((sites.data ?? []).map((s) => [s.id, s.name ?? s.id])),
    [sites.data],
  );
  const body = inventory.data;
  const choices = useMemo(() => (body ? sitesIn(body) : []), [body]);
  // A site the answer does not mention (an old link, another operator's) shows every site.
  const asked = search.get('site') ?? '';
  const site = choices.includes(asked) ? asked : '';
  const summaries = useMemo(() => (body ? siteSummaries(body.groups) : undefined), [body]);
  const shown = summaries?.filter((s) => site === '' || s.site === site);
  const totals = shown ? totalOf(shown) : undefined;
  const nameOf = (id: string) => names[id] ?? id;

  let content;
  if (inventory.error) content = <Failure error={inventory.error} />;
  else if (!body || !shown) content = <div className="inventory-placeholder" aria-busy="true" />;
  else if (body.totals.nodes === 0) content = <NoReports />;
  else
    content = (
      <>
        <SitesPanel summaries={shown} nameOf={nameOf} site={site} />
        <UnhealthyPanel body={body} site={site} multiSite={choices.length > 1} />
        <StalePanel body={body} site={site} multiSite={choices.length > 1} />
      </>
    );

  return (
    <section className="page inventory">
      <header className="page-header">
        <h1>Inventory</h1>
        <span className="muted">
          as the node agents report it{body ? `, at ${utcText(body.at)}` : ''}
        </span>
        {choices.length > 1 && (
          <label className="actions inventory-site">
            <span>Site</span>
            <select
              value={site}
              onChange={(event) => {
                setQuery('site', event.target.value);
              }}
            >
              <option value="">All sites</option>
              {choices.map((id) => (
                <option key={id} value={id}>
                  {nameOf(id)}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      <Headline totals={totals} />
      {content}
      {body && <p className="muted inventory-footnote">{thresholdsText(body.thresholds)}</p>}
    </section>
  );
}

function Headline({ totals }: { totals: FleetCounts | undefined }) {
  const value = (pick: (t: FleetCounts) => string) => (totals ? pick(totals) : '…');
  return (
    <div className="stats inventory-stats" role="group" aria-label="Headline figures">
      <Stat label="nodes reporting" value={value((t) => grouped(t.reporting))} />
      <Stat label="stale nodes" value={value((t) => grouped(t.staleNodes))} />
      <Stat label="GPUs reporting" value={value((t) => grouped(t.gpus))} />
      <Stat label="healthy" value={value((t) => `${grouped(t.healthy)} (${healthyShare(t)})`)} />
      <Stat label="unhealthy" value={value((t) => grouped(t.unhealthy))} />
    </div>
  );
}

/** Where data comes from: nothing reports until an agent runs on the GPU nodes. */
function NoReports() {
  return (
    <Panel title="No node reports yet">
      <p>
        No node agent has reported for the sites this token may read. Run{' '}
        <code>stargate agent --site SITE</code> on each GPU node, with an operator&rsquo;s token for
        the site; it reads the GPUs with <code>nvidia-smi</code> (or DCGM) and sends a heartbeat
        every 30 s — see <code>docs/agent.md</code>.
      </p>
    </Panel>
  );
}

const COUNT_COLUMNS = [
  numeric('Nodes reporting'),
  numeric('Stale'),
  numeric('GPUs reporting'),
  numeric('Healthy'),
  numeric('Unhealthy'),
  numeric('Healthy share'),
];

function SitesPanel({
  summaries,
  nameOf,
  site,
}: {
  summaries: readonly SiteSummary[];
  nameOf: (id: string) => string;
  site: string;
}) {
  return (
    <Panel title="By site">
      {summaries.length === 0 ? (
        <p className="muted">No node reports for site {site}.</p>
      ) : (
        <div
          className="table-box"
          tabIndex={0}
          role="region"
          aria-label="Nodes and GPUs by site, scrollable"
        >
          <table className="inventory-sites">
            <TableHead columns={['Site', 'Pool', 'Accelerator', ...COUNT_COLUMNS]} />
            {summaries.map((summary) => {
              const [only] = summary.groups.length === 1 ? summary.groups : [];
              const accelerators = [
                ...new Set(summary.groups.map((g) => g.accelerator ?? 'unknown')),
              ];
              return (
                <tbody key={summary.site}>
                  <tr className="inventory-site-row">
                    <th scope="row" title={summary.site}>
                      {nameOf(summary.site)}
                    </th>
                    <td>{only ? poolText(only.pool) : `${summary.groups.length} pools`}</td>
                    <td>{accelerators.join(', ')}</td>
                    <CountCells counts={summary} />
                  </tr>
                  {!only &&
                    summary.groups.map((group) => (
                      <tr
                        key={`${group.pool ?? ''}:${group.accelerator ?? ''}`}
                        className="inventory-group-row"
                      >
                        <th scope="row">
                          <span className="visually-hidden">{nameOf(summary.site)}, </span>
                          <span aria-hidden="true">↳</span>
                        </th>
                        <td>{poolText(group.pool)}</td>
                        <td>{group.accelerator ?? 'unknown'}</td>
                        <CountCells counts={groupCounts(group)} />
                      </tr>
                    ))}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
      <p className="muted legend-note">
        A stale node&rsquo;s GPUs are not counted as reporting. &ldquo;No pool&rdquo;: the
        node&rsquo;s agent was started without <code>--pool</code> and its site has more than one
        pool or building of its GPU kind, so its GPUs count toward no delivery.
      </p>
    </Panel>
  );
}

const poolText = (pool: string | undefined) => pool ?? 'no pool';

function CountCells({ counts }: { counts: FleetCounts }) {
  return (
    <>
      <td className="num">{grouped(counts.reporting)}</td>
      <td className="num">{grouped(counts.staleNodes)}</td>
      <td className="num">{grouped(counts.gpus)}</td>
      <td className="num">{grouped(counts.healthy)}</td>
      <td className={counts.unhealthy > 0 ? 'num inventory-bad' : 'num'}>
        {grouped(counts.unhealthy)}
      </td>
      <td className="num">{healthyShare(counts)}</td>
    </>
  );
}

function UnhealthyPanel({
  body,
  site,
  multiSite,
}: {
  body: InventoryBody;
  site: string;
  multiSite: boolean;
}) {
  const filter = useMemo(() => siteFilter(site), [site]);
  const rows = useMemo(
    () => (filter ? body.unhealthy.filter(filter) : body.unhealthy),
    [body.unhealthy, filter],
  );
  const nodes = useMemo(() => new Set(rows.map((r) => r.node)).size, [rows]);
  const columns = useMemo(() => unhealthyColumns(multiSite), [multiSite]);
  return (
    <Panel title="Unhealthy GPUs">
      <p className="muted inventory-count" aria-live="polite">
        {grouped(rows.length)} unhealthy GPU{rows.length === 1 ? '' : 's'} on {grouped(nodes)} node
        {nodes === 1 ? '' : 's'}
      </p>
      <DataTable
        label="Unhealthy GPUs"
        data={body.unhealthy}
        filter={filter}
        columns={columns}
        getRowId={(row) => `${row.node}#${row.gpu}`}
        rowHeight={ROW_HEIGHT}
        height={tableHeight(rows.length, { rowHeight: ROW_HEIGHT, maxRows: MAX_ROWS })}
        empty="Every GPU reporting is healthy."
      />
    </Panel>
  );
}

/** Where a row is: its site (when the page shows several) and its pool. */
function whereColumns<T extends { site: string; pool?: string }>(
  multiSite: boolean,
): ColumnDef<T>[] {
  return [
    ...(multiSite
      ? [
          {
            id: 'site',
            header: 'Site',
            accessorFn: (row: T) => row.site,
            meta: { width: '130px' },
          },
        ]
      : []),
    {
      id: 'pool',
      header: 'Pool',
      accessorFn: (row) => row.pool ?? '',
      cell: ({ row }) => poolText(row.original.pool),
      meta: { width: '150px' },
    },
  ];
}

function unhealthyColumns(multiSite: boolean): ColumnDef<UnhealthyGpu>[] {
  return [
    { id: 'node', header: 'Node', accessorFn: (row) => row.node, meta: { width: '220px' } },
    {
      id: 'gpu',
      header: 'GPU',
      accessorFn: (row) => row.gpu,
      meta: { numeric: true, width: '64px' },
    },
    ...whereColumns<UnhealthyGpu>(multiSite),
    {
      id: 'reasons',
      header: 'Reasons',
      accessorFn: (row) => row.reasons.join('; '),
      cell: ({ row }) => {
        const text = row.original.reasons.join('; ');
        return <span title={text}>{text}</span>;
      },
    },
  ];
}

function StalePanel({
  body,
  site,
  multiSite,
}: {
  body: InventoryBody;
  site: string;
  multiSite: boolean;
}) {
  const filter = useMemo(() => siteFilter(site), [site]);
  const count = useMemo(
    () => (filter ? body.stale.filter(filter).length : body.stale.length),
    [body.stale, filter],
  );
  const columns = useMemo(() => staleColumns(multiSite), [multiSite]);
  return (
    <Panel title="Stale nodes">
      <p className="muted inventory-count" aria-live="polite">
        {grouped(count)} node{count === 1 ? '' : 's'} silent for{' '}
        {grouped(body.thresholds.staleAfterIntervals)} heartbeat intervals or more
      </p>
      <DataTable
        label="Stale nodes"
        data={body.stale}
        filter={filter}
        columns={columns}
        getRowId={(row) => row.node}
        rowHeight={ROW_HEIGHT}
        height={tableHeight(count, { rowHeight: ROW_HEIGHT, maxRows: MAX_ROWS })}
        initialSorting={[{ id: 'lastSeen', desc: false }]}
        empty="Every node is reporting."
      />
    </Panel>
  );
}

function staleColumns(multiSite: boolean): ColumnDef<StaleNode>[] {
  return [
    { id: 'node', header: 'Node', accessorFn: (row) => row.node, meta: { width: '220px' } },
    ...whereColumns<StaleNode>(multiSite),
    {
      id: 'lastSeen',
      header: 'Last seen',
      // ISO instants sort as text.
      accessorFn: (row) => row.lastSeen,
      cell: ({ row }) => <LastSeen iso={row.original.lastSeen} />,
    },
    {
      id: 'interval',
      header: 'Interval',
      accessorFn: (row) => row.intervalSeconds,
      cell: ({ row }) => intervalText(row.original.intervalSeconds),
      meta: { numeric: true, width: '90px' },
    },
    {
      id: 'gpus',
      header: 'GPUs',
      accessorFn: (row) => row.gpus,
      cell: ({ row }) => grouped(row.original.gpus),
      meta: { numeric: true, width: '80px' },
    },
  ];
}

function LastSeen({ iso }: { iso: string }) {
  const now = useSecond();
  return (
    <span title={iso}>
      {ageText(iso, now)} <span className="muted">· {utcText(iso)}</span>
    </span>
  );
}
