import { useMemo, useState } from 'react';
import { grouped } from '../../core/format.js';
import { formatUSDNumber as usd } from '../../core/money.js';
import { capacityChart } from '../../charts/capacity.js';
import type { CapacityMetric } from '../../charts/capacity.js';
import { commitmentBurndownChart } from '../../charts/commitments.js';
import { costComponentsChart } from '../../charts/plan.js';
import type { PlanCosts } from '../../charts/types.js';
import type {
  ForecastJson,
  LateDelivery,
  LedgerReportJson,
  OfferWithRequest,
  PlanOverview,
  PlanSummary,
  RequestView,
  Role,
  ScenarioDocument,
} from '../api-types';
import { Chart } from '../components/chart';
import { Failure, Panel, Stat } from '../components/panel';
import { OVERVIEW_FORECAST } from '../boot';
import { useApi } from '../queries';
import { Link } from '../router';
import { useMe } from '../session';
import { useChartTheme } from '../theme';
import { monthOfDate } from './buildout-data';
import { capacityNow, capitalCalledBy, reasonHeadline } from './overview-data';
import './overview.css';

/** Roles that read plans, procurement requests and offers (the API refuses the others). */
const READS_PLANS: readonly Role[] = ['admin', 'planner', 'viewer'];

type ProviderDoc = NonNullable<ScenarioDocument['providers']>[number];

const CHART_HEIGHT = 280;

/**
 * The portfolio at a glance: headline numbers, capacity by provider, the latest plan's cost and
 * unmet demand, the take-or-pay burn-down and procurement, each panel a link to its page. It
 * reads only small bodies, whatever the portfolio: the forecast without its Monte Carlo, the
 * plan's summary (a few kB, where a 5,000-workload plan is ~15 MB), the books by quarter
 * without their journal.
 */
export function OverviewPage() {
  const me = useMe();
  const readsPlans = READS_PLANS.includes(me.role);
  const today = useMemo(() => monthOfDate(new Date()), []);

  // Scheduled capacity needs no Monte Carlo: runs=0 answers in milliseconds. It goes first and
  // alone: the browser opens few connections to one host (the stream holds one), and the
  // first chart should not wait behind the ledger.
  const forecast = useApi<ForecastJson>('finance', OVERVIEW_FORECAST);
  const first = forecast.status !== 'pending';
  const plans = useApi<PlanSummary[]>('plans', first && readsPlans ? '/v1/plans' : undefined);
  const latest = plans.data?.[0];
  const noPlan = plans.data !== undefined && !latest;
  // The books need a stored plan; where the role can see that there is none, the Overview says
  // so rather than ask for books that cannot be (a 409).
  const ledger = useApi<LedgerReportJson>(
    'finance',
    first && (!readsPlans || latest !== undefined)
      ? '/v1/ledger?by=quarter&journal=false'
      : undefined,
  );
  const providers = useApi<ProviderDoc[]>(
    'scenario',
    first && readsPlans ? '/v1/providers' : undefined,
  );
  const summary = useApi<PlanOverview>(
    'plans',
    latest ? `/v1/plans/${latest.id}/summary` : undefined,
  );
  const plan = summary.data;
  const planError = plans.error ?? summary.error;

  const names = useMemo(
    () =>
      providers.data
        ? Object.fromEntries(providers.data.map((p) => [p.id, p.name]))
        : sellerNames(ledger.data),
    [providers.data, ledger.data],
  );
  const providerIds = useMemo(
    () => forecast.data?.quarters[0]?.scheduled.providers.map((p) => p.provider),
    [forecast.data],
  );

  const now = forecast.data ? capacityNow(forecast.data, today) : undefined;
  const called = ledger.data ? capitalCalledBy(ledger.data, today) : undefined;

  return (
    <section className="page overview">
      <header className="page-header">
        <h1>Overview</h1>
        <span className="muted">
          {forecast.data?.scenario ?? ' '}
          {latest
            ? ` · plan ${latest.id} of ${latest.createdAt.slice(0, 10)}, ${plan?.solver.method ?? latest.solver} (${latest.status})`
            : ''}
        </span>
      </header>

      <div className="stats overview-stats" aria-label="Headline figures" role="group">
        {readsPlans && (
          <Stat
            label={latest ? `total cost, plan ${latest.id}` : 'total cost'}
            value={
              plan ? usd(plan.objective.totalUSD) : noPlan ? 'no plan yet' : planError ? '—' : '…'
            }
          />
        )}
        {readsPlans && (
          <Stat
            label="GPU-months of demand unmet"
            value={
              plan ? grouped(plan.unmet.gpuMonths) : noPlan ? 'no plan yet' : planError ? '—' : '…'
            }
          />
        )}
        <Stat
          label={now ? `GPUs online in ${now.quarter} (scheduled)` : 'GPUs online now'}
          value={now ? grouped(now.gpus) : forecast.isError ? '—' : '…'}
        />
        <Stat
          label={
            called
              ? `capital called by ${called.quarter}, of ${usd(called.totalUSD)}`
              : ledger.data
                ? 'capital: no programme in the scenario'
                : noPlan
                  ? 'capital called: no plan yet'
                  : 'capital called'
          }
          value={
            called ? usd(called.calledUSD) : ledger.data || noPlan || ledger.isError ? '—' : '…'
          }
        />
      </div>

      <div className="overview-grid">
        <CapacityPanel
          forecast={forecast}
          names={names}
          {...(providerIds ? { providers: providerIds } : {})}
        />
        <ProcurementPanel role={me.role} start={first} />
        {readsPlans && (
          <CostPanel
            error={planError}
            costs={plan}
            noPlan={noPlan}
            names={names}
            {...(providerIds ? { providers: providerIds } : {})}
          />
        )}
        {readsPlans && <UnmetPanel error={planError} unmet={plan?.unmet} noPlan={noPlan} />}
        <CommitmentsPanel ledger={ledger} names={names} noPlan={noPlan} />
      </div>
    </section>
  );
}

/**
 * Names for providers from the books, for roles that may not read `/v1/providers` (funders):
 * the party that sells as each provider (a provider no party lists is a party of its own, under
 * its own name).
 */
function sellerNames(ledger: LedgerReportJson | undefined): Record<string, string> {
  const names: Record<string, string> = {};
  for (const party of ledger?.parties ?? []) {
    for (const provider of party.providers ?? []) names[provider] = party.name;
  }
  return names;
}

interface Query<T> {
  readonly data: T | undefined;
  readonly error: Error | null;
}

/** A chart's box, or the API's error in the same box, so nothing below moves. */
function ChartBox({
  error,
  option,
  label,
  height = CHART_HEIGHT,
}: {
  error: unknown;
  option: Parameters<typeof Chart>[0]['option'];
  label: string;
  height?: number;
}) {
  if (error) {
    return (
      <div className="chart-failure" style={{ height }}>
        <Failure error={error} />
      </div>
    );
  }
  return <Chart option={option} label={label} height={height} />;
}

function CapacityPanel({
  forecast,
  names,
  providers,
}: {
  forecast: Query<ForecastJson>;
  names: Record<string, string>;
  providers?: readonly string[];
}) {
  const theme = useChartTheme();
  const [metric, setMetric] = useState<CapacityMetric>('gpus');
  const data = forecast.data;
  const option = useMemo(
    () =>
      data
        ? capacityChart(data, {
            theme,
            metric,
            names,
            ...(providers ? { providers } : {}),
          })
        : undefined,
    [data, theme, metric, names, providers],
  );
  return (
    <Panel
      title="Capacity online by provider"
      to="/buildout"
      linkText="Open buildout"
      className="span-4"
    >
      <div className="panel-tools">
        <label htmlFor="capacity-metric">Show</label>
        <select
          id="capacity-metric"
          value={metric}
          onChange={(event) => {
            setMetric(event.target.value === 'mw' ? 'mw' : 'gpus');
          }}
        >
          <option value="gpus">GPUs</option>
          <option value="mw">MW of IT power</option>
        </select>
        <span className="muted">per quarter, as scheduled</span>
      </div>
      <ChartBox
        error={forecast.error}
        option={option}
        label={`${metric === 'gpus' ? 'GPUs' : 'MW'} online by provider per quarter, stacked`}
      />
    </Panel>
  );
}

function CostPanel({
  error,
  costs,
  noPlan,
  names,
  providers,
}: {
  error: unknown;
  costs: PlanCosts | undefined;
  noPlan: boolean;
  names: Record<string, string>;
  providers?: readonly string[];
}) {
  const theme = useChartTheme();
  const option = useMemo(
    () =>
      costs
        ? costComponentsChart(costs, { theme, names, ...(providers ? { providers } : {}) })
        : undefined,
    [costs, theme, names, providers],
  );
  return (
    <Panel title="Cost by component" to="/plan" linkText="Open plan" className="span-4">
      {noPlan ? (
        <p className="panel-empty">
          No plan yet. <Link to="/plan">Plan now</Link> to see what the portfolio costs.
        </p>
      ) : (
        <ChartBox
          error={error}
          option={option}
          label="The latest plan's cost by component: compute by provider, commitment shortfall, unmet demand"
        />
      )}
    </Panel>
  );
}

/** Rows of the unmet table: as many as sit beside the cost chart; the Plan page lists all. */
const UNMET_SHOWN = 5;

function UnmetPanel({
  error,
  unmet,
  noPlan,
}: {
  error: unknown;
  unmet: PlanOverview['unmet'] | undefined;
  noPlan: boolean;
}) {
  let body;
  if (error) body = <Failure error={error} />;
  else if (noPlan) body = <p className="panel-empty">No plan yet.</p>;
  else if (!unmet) {
    body = (
      <p className="muted" aria-busy="true">
        Loading…
      </p>
    );
  } else if (unmet.workloads === 0) {
    body = <p className="panel-empty">Every workload is served in full.</p>;
  } else {
    const shown = unmet.top.slice(0, UNMET_SHOWN);
    body = (
      <>
        <p>
          <strong>{grouped(unmet.gpuMonths)}</strong> GPU-months unmet across{' '}
          {grouped(unmet.workloads)} workloads
          {shown.length < unmet.workloads ? `; the ${grouped(shown.length)} most unmet:` : ':'}
        </p>
        <table className="unmet-table">
          <thead>
            <tr>
              <th scope="col">Workload, months unmet and why</th>
              <th scope="col" className="num">
                GPU-months
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((w) => (
              <tr key={w.workload}>
                <th scope="row">
                  {w.workload} <span className="unmet-class">{w.class}</span>
                  <span className="unmet-why">
                    {[
                      w.unmetRange === null
                        ? undefined
                        : w.unmetRange.from === w.unmetRange.to
                          ? w.unmetRange.from
                          : `${w.unmetRange.from}..${w.unmetRange.to}`,
                      w.reason === null ? undefined : reasonHeadline(w.reason),
                    ]
                      .filter((part) => part !== undefined)
                      .join(' · ')}
                  </span>
                </th>
                <td className="num">{grouped(w.unmetGpuMonths)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  }
  return (
    <Panel title="Unmet demand" to="/plan" linkText="Why, on the plan" className="span-2">
      <div className="panel-fill" style={{ minHeight: CHART_HEIGHT }}>
        {body}
      </div>
    </Panel>
  );
}

function CommitmentsPanel({
  ledger,
  names,
  noPlan,
}: {
  ledger: Query<LedgerReportJson>;
  names: Record<string, string>;
  noPlan: boolean;
}) {
  const theme = useChartTheme();
  const data = ledger.data;
  const option = useMemo(
    () => (data ? commitmentBurndownChart(data, { theme, names }) : undefined),
    [data, theme, names],
  );
  const none = data !== undefined && data.commitments.length === 0;
  return (
    <Panel title="Take-or-pay commitments" to="/ledger" linkText="Open ledger" className="span-6">
      {noPlan ? (
        <p className="panel-empty">
          No plan yet: the burn-down of each commitment follows from a stored plan.
        </p>
      ) : none ? (
        <p className="panel-empty">No take-or-pay commitments in the scenario.</p>
      ) : (
        <div className="commitments">
          <ChartBox
            error={ledger.error}
            option={option}
            label="Each take-or-pay commitment's minimum still to spend, per quarter"
          />
          <ul className="commitment-list">
            {(data?.commitments ?? []).map((c) => (
              <li key={`${c.contract}/${c.term}`}>
                <strong>{c.term}</strong> of {c.contract}: {usd(c.spendUSD)} of {usd(c.minSpendUSD)}{' '}
                on {names[c.provider] ?? c.provider} by {c.window.to} (
                {((c.spendUSD / (c.minSpendUSD || 1)) * 100).toFixed(1)}%){' '}
                {c.shortfallUSD === 0 ? (
                  <span className="badge good">met</span>
                ) : (
                  <span className="badge warn">short {usd(c.shortfallUSD)}</span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Panel>
  );
}

/** Days from now to an instant, for the soonest deadline. */
function daysUntil(iso: string): number {
  return Math.ceil((Date.parse(iso) - Date.now()) / 86_400_000);
}

function ProcurementPanel({ role, start }: { role: Role; start: boolean }) {
  const readsRequests = READS_PLANS.includes(role);
  const offers = useApi<OfferWithRequest[]>(
    'procurement',
    start && readsRequests ? '/v1/offers?state=pending' : undefined,
  );
  const requests = useApi<RequestView[]>(
    'procurement',
    start && readsRequests ? '/v1/requests' : undefined,
  );
  const late = useApi<LateDelivery[]>('procurement', start ? '/v1/procurement/late' : undefined);

  const soonest = offers.data
    ?.map((o) => o.deadline)
    .sort()
    .at(0);
  const states = new Map<string, number>();
  for (const r of requests.data ?? []) {
    if ('state' in r) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  }
  const short = (late.data ?? []).reduce((sum, l) => sum + l.shortGpus, 0);

  return (
    <Panel
      title="Procurement"
      to={readsRequests ? '/offers' : '/buildout'}
      linkText={readsRequests ? 'Open offers' : 'Open buildout'}
      className="span-2"
    >
      <dl className="procurement">
        {readsRequests && (
          <>
            <dt>Open offers</dt>
            <dd>
              {offers.error ? (
                <Failure error={offers.error} />
              ) : offers.data ? (
                <>
                  <span className="big">{grouped(offers.data.length)}</span> pending
                  {soonest && (
                    <span className="muted">
                      {' '}
                      · next deadline {soonest.slice(0, 10)} (
                      {daysUntil(soonest) <= 0 ? 'today' : `in ${daysUntil(soonest)} days`})
                    </span>
                  )}
                </>
              ) : (
                '…'
              )}
            </dd>
            <dt>Requests</dt>
            <dd>
              {requests.error ? (
                <Failure error={requests.error} />
              ) : requests.data ? (
                requests.data.length === 0 ? (
                  'none'
                ) : (
                  (['offered', 'cleared', 'awarded', 'fulfilled'] as const)
                    .map((state) => `${grouped(states.get(state) ?? 0)} ${state}`)
                    .join(' · ')
                )
              ) : (
                '…'
              )}
            </dd>
          </>
        )}
        <dt>Late deliveries</dt>
        <dd>
          {late.error ? (
            <Failure error={late.error} />
          ) : late.data ? (
            late.data.length === 0 ? (
              'none'
            ) : (
              <>
                <span className="big">{grouped(late.data.length)}</span> pools, {grouped(short)}{' '}
                GPUs short
                <ul className="late-list">
                  {late.data.slice(0, 3).map((l) => (
                    <li key={l.pool}>
                      {l.pool} ({l.provider}): {grouped(l.shortGpus)} of {grouped(l.promisedGpus)}{' '}
                      GPUs due {l.promisedBy}
                    </li>
                  ))}
                </ul>
              </>
            )
          ) : (
            '…'
          )}
        </dd>
      </dl>
    </Panel>
  );
}
