import { useMemo, useState } from 'react';
import { grouped } from '../../core/format.js';
import { buildoutChartHeight, buildoutGantt } from '../../charts/buildout.js';
import { fanChart } from '../../charts/fan.js';
import type { FanMetric } from '../../charts/fan.js';
import type {
  AwardView,
  DeliveryView,
  ForecastJson,
  LateDelivery,
  OfferWithRequest,
  Role,
  ScenarioDocument,
} from '../api-types';
import { Chart } from '../components/chart';
import { Failure, Panel, Stat } from '../components/panel';
import { useApi } from '../queries';
import { useMe } from '../session';
import { useChartTheme } from '../theme';
import { DeliveredPanel } from './buildout-fleet';
import { ScheduleWorthPanel } from './buildout-worth';
import type {
  AcceleratorDoc,
  BuildState,
  BuildingDoc,
  BuildoutRow,
  PoolDoc,
  SiteDoc,
} from './buildout-data';
import {
  buildoutHorizon,
  buildoutRows,
  countStates,
  delayText,
  monthOfDate,
} from './buildout-data';
import './buildout.css';

type ProviderDoc = NonNullable<ScenarioDocument['providers']>[number];

/** Who may read what this page shows besides buildings and sites (the API decides; this hides). */
const READS_ALL: readonly Role[] = ['admin', 'planner', 'viewer'];
const READS_POOLS: readonly Role[] = ['admin', 'planner', 'viewer', 'operator'];
const READS_FORECAST: readonly Role[] = ['admin', 'planner', 'viewer', 'funder'];

/**
 * The Gantt's box while the buildings load, and the most it grows to (it scrolls beyond): the
 * example's thirty rows fit, so the page does not move when they arrive. A shorter Gantt
 * shrinks the box rather than stretch its rows.
 */
const GANTT_BOX = 700;
const FAN_HEIGHT = 340;

const STATE_BADGE: Record<BuildState, string> = {
  planned: 'badge',
  online: 'badge good',
  late: 'badge bad',
  delivered: 'badge good',
};

/**
 * Every building by site against today (the browser's month), with procured pools whose
 * delivery is tracked, a table of the same facts, what each building's schedule is worth in the
 * newest plan (a month earlier, a quarter late, its slips), what the node agents report
 * delivered against each promise, and the forecast's fan of slips.
 */
export function BuildoutPage() {
  const me = useMe();
  const readsAll = READS_ALL.includes(me.role);
  const readsPools = READS_POOLS.includes(me.role);
  const today = useMemo(() => monthOfDate(new Date()), []);

  const buildings = useApi<BuildingDoc[]>('scenario', '/v1/buildings');
  const sites = useApi<SiteDoc[]>('scenario', '/v1/sites');
  const accelerators = useApi<AcceleratorDoc[]>(
    'scenario',
    readsAll ? '/v1/accelerators' : undefined,
  );
  const providers = useApi<ProviderDoc[]>('scenario', readsAll ? '/v1/providers' : undefined);
  const pools = useApi<PoolDoc[]>('scenario', readsPools ? '/v1/pools' : undefined);
  const late = useApi<LateDelivery[]>('procurement', '/v1/procurement/late');
  const deliveries = useApi<DeliveryView[]>(
    'deliveries',
    readsPools ? '/v1/deliveries' : undefined,
  );
  const offers = useApi<OfferWithRequest[]>(
    'procurement',
    readsAll ? '/v1/offers?state=accepted' : undefined,
  );
  const awards = useApi<AwardView[]>('procurement', readsAll ? '/v1/awards' : undefined);

  const rows = useMemo(
    () =>
      buildings.data && sites.data
        ? buildoutRows({
            buildings: buildings.data,
            sites: sites.data,
            accelerators: accelerators.data,
            late: late.data,
            pools: pools.data,
            deliveries: deliveries.data,
            offers: offers.data,
            awards: awards.data,
            today,
          })
        : undefined,
    [
      buildings.data,
      sites.data,
      accelerators.data,
      late.data,
      pools.data,
      deliveries.data,
      offers.data,
      awards.data,
      today,
    ],
  );
  const names = useMemo(
    () => Object.fromEntries((providers.data ?? []).map((p) => [p.id, p.name])),
    [providers.data],
  );
  const siteNames = useMemo(
    () => Object.fromEntries((sites.data ?? []).map((s) => [s.id, s.name ?? s.id])),
    [sites.data],
  );
  const error = buildings.error ?? sites.error;
  const counts = rows ? countStates(rows) : undefined;
  const builds = rows?.filter((r) => r.kind === 'building') ?? [];
  const mwOnline = builds
    .filter((r) => r.state === 'online')
    .reduce((sum, r) => sum + (r.itMW ?? 0), 0);
  const mwAll = builds.reduce((sum, r) => sum + (r.itMW ?? 0), 0);

  return (
    <section className="page buildout">
      <header className="page-header">
        <h1>Buildout</h1>
        <span className="muted">today {today} (this computer&rsquo;s clock)</span>
      </header>

      <div className="stats buildout-stats" role="group" aria-label="Headline figures">
        <Stat label="buildings" value={rows ? grouped(builds.length) : '…'} />
        <Stat label="online" value={counts ? grouped(counts.online) : '…'} />
        <Stat label="planned" value={counts ? grouped(counts.planned) : '…'} />
        <Stat label="late" value={counts ? grouped(counts.late) : '…'} />
        <Stat label="procured pools delivered" value={counts ? grouped(counts.delivered) : '…'} />
        <Stat
          label="MW of IT power online, of all buildings"
          value={rows ? `${grouped(mwOnline)} of ${grouped(mwAll)}` : '…'}
        />
      </div>

      <GanttPanel rows={rows} error={error} today={today} names={names} />
      <BuildoutTable rows={rows} error={error} names={names} gpusKnown={readsAll} />
      <ScheduleWorthPanel role={me.role} buildings={buildings.data} />
      <DeliveredPanel siteNames={siteNames} />
      <FanPanel role={me.role} names={names} />
    </section>
  );
}

function GanttPanel({
  rows,
  error,
  today,
  names,
}: {
  rows: BuildoutRow[] | undefined;
  error: unknown;
  today: string;
  names: Record<string, string>;
}) {
  const theme = useChartTheme();
  const option = useMemo(
    () =>
      rows && rows.length > 0
        ? buildoutGantt(
            {
              buildings: rows.map((r) => ({
                id: r.id,
                site: r.site,
                ...(r.provider === undefined ? {} : { provider: r.provider }),
                ...(r.constructionStart === undefined
                  ? {}
                  : { constructionStart: r.constructionStart }),
                online: r.online,
                delayMonths: r.delayMonths,
                ...(r.itMW === undefined ? {} : { itMW: r.itMW }),
                ...(r.milestones === undefined ? {} : { milestones: r.milestones }),
                state: r.state,
              })),
              horizon: buildoutHorizon(rows, today),
              today,
            },
            { theme, names },
          )
        : undefined,
    [rows, today, theme, names],
  );
  // The chart's own height; the box around it holds at most GANTT_BOX of it (and its border).
  const height = rows ? buildoutChartHeight(rows.length) : GANTT_BOX - 2;
  const box = error
    ? undefined
    : !rows
      ? GANTT_BOX
      : rows.length === 0
        ? undefined
        : Math.min(GANTT_BOX, height + 2);
  let body;
  if (error) body = <Failure error={error} />;
  else if (rows && rows.length === 0) body = <p className="muted">No buildings in the scenario.</p>;
  else
    body = (
      <Chart
        option={option}
        height={height}
        label="Buildings by site: construction, planned online month and state"
      />
    );
  return (
    <Panel title="Buildings by site">
      <div
        className="gantt-box"
        style={{ height: box }}
        // A scrolling region is reached and scrolled by keyboard too.
        tabIndex={0}
        role="region"
        aria-label="Gantt of the buildings, scrollable"
      >
        {body}
      </div>
      <p className="muted legend-note">
        Bar: construction start to planned online month (diamond); dashed: months late; ticks:
        milestones. A building is late when its delay is certain (its least slip is above 0); a
        procured pool when its GPUs are due and not all delivered. Delay (slip) in the table: the
        months a building may slip, as the forecast draws them, and the chance of any slip.
      </p>
    </Panel>
  );
}

function BuildoutTable({
  rows,
  error,
  names,
  gpusKnown,
}: {
  rows: BuildoutRow[] | undefined;
  error: unknown;
  names: Record<string, string>;
  gpusKnown: boolean;
}) {
  return (
    <Panel title="Buildings and procured capacity">
      {error ? (
        <Failure error={error} />
      ) : (
        <div
          className="table-box"
          tabIndex={0}
          role="region"
          aria-label="Buildings and procured capacity, scrollable"
        >
          <table>
            <thead>
              <tr>
                <th scope="col">Building</th>
                <th scope="col">Site</th>
                <th scope="col">Provider</th>
                <th scope="col" className="num">
                  MW
                </th>
                <th scope="col" className="num">
                  GPUs
                </th>
                <th scope="col">Construction</th>
                <th scope="col">Planned online</th>
                <th scope="col">Delay (slip)</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody aria-busy={rows === undefined}>
              {rows === undefined ? (
                <tr>
                  <td colSpan={9} className="muted">
                    Loading…
                  </td>
                </tr>
              ) : (
                rows.map((r) => (
                  <tr key={`${r.kind}:${r.id}`}>
                    <th scope="row">
                      {r.id}
                      {r.kind === 'procured' && <span className="muted"> (procured pool)</span>}
                    </th>
                    <td className="wrap" title={r.atSite ? r.site : undefined}>
                      {r.atSite ? (r.siteName ?? r.site) : '—'}
                    </td>
                    <td>{r.provider === undefined ? '—' : (names[r.provider] ?? r.provider)}</td>
                    <td className="num">{r.itMW === undefined ? '—' : grouped(r.itMW)}</td>
                    <td className="num">
                      {r.gpus === undefined
                        ? '—'
                        : r.kind === 'procured'
                          ? `${grouped(r.deliveredGpus ?? 0)} of ${grouped(r.gpus)}`
                          : grouped(r.gpus)}
                    </td>
                    <td>{r.constructionStart ?? '—'}</td>
                    <td>{r.online}</td>
                    <td className="wrap">
                      {r.kind === 'procured'
                        ? r.state === 'late'
                          ? `${r.delayMonths} mo late`
                          : 'none'
                        : delayText(r.delay)}
                    </td>
                    <td>
                      <span className={STATE_BADGE[r.state]}>{r.state}</span>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
      {!gpusKnown && (
        <p className="muted legend-note">
          GPUs are shown where a building states them; counting them from MW needs the accelerators,
          which this role does not read.
        </p>
      )}
    </Panel>
  );
}

function FanPanel({ role, names }: { role: Role; names: Record<string, string> }) {
  const readsForecast = READS_FORECAST.includes(role);
  const theme = useChartTheme();
  const [metric, setMetric] = useState<FanMetric>('gpus');
  const forecast = useApi<ForecastJson>(
    'finance',
    readsForecast ? '/v1/forecast?runs=1000&seed=1' : undefined,
  );
  const data = forecast.data;
  const option = useMemo(
    () => (data ? fanChart(data, { theme, metric, names }) : undefined),
    [data, theme, metric, names],
  );
  const sim = data?.simulation;
  return (
    <Panel title="Forecast of GPUs online">
      {!readsForecast ? (
        <p>not available to role {role}</p>
      ) : (
        <>
          <div className="panel-tools">
            <label htmlFor="fan-metric">Show</label>
            <select
              id="fan-metric"
              value={metric}
              onChange={(event) => {
                setMetric(event.target.value === 'share' ? 'share' : 'gpus');
              }}
            >
              <option value="gpus">GPUs online</option>
              <option value="share">Share by provider</option>
            </select>
            <span className="muted">
              {sim
                ? `p10–p90 and median of ${grouped(sim.runs)} runs (seed ${sim.seed}); ${grouped(sim.slippingBuildings)} of ${grouped(sim.buildings)} buildings may slip`
                : ' '}
            </span>
          </div>
          {forecast.error ? (
            <div className="chart-failure" style={{ height: FAN_HEIGHT }}>
              <Failure error={forecast.error} />
            </div>
          ) : (
            <Chart
              option={option}
              height={FAN_HEIGHT}
              label={`Forecast: p10, median and p90 of ${metric === 'gpus' ? 'GPUs online' : 'each provider’s share of GPUs online'} per quarter, with the schedule dashed`}
            />
          )}
        </>
      )}
    </Panel>
  );
}
