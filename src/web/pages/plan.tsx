import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { grouped } from '../../core/format.js';
import { formatUSDNumber as money } from '../../core/money.js';
import { apiGet, apiSend, errorText } from '../api';
import type { PlanSummary, PlanWorkloads } from '../api-types';
import { Failure, Stat } from '../components/panel';
import { canPlan } from '../pages';
import { useApi } from '../queries';
import { navigate, setQuery, useLocation } from '../router';
import { useMe } from '../session';
import { PlanCompare } from './plan-compare';
import { PlanExport } from './plan-export';
import { WhatIfPanel } from './plan-what-if';
import { gapText, parseCompare, utcMinute } from './plan-data';
import { WorkloadPanel } from './plan-detail';
import { WorkloadTable } from './plan-table';
import './plan.css';

/**
 * /plan: a stored plan (the newest, or `?plan=ID`), its cost and one row per workload; "Plan
 * now" for planners; two plans compared (`?compare=A..B`).
 *
 * Live: the list of plans is under the `plans` topic, so a plan stored anywhere shows up.
 * Someone looking at the newest plan is shown the new one (a notice says so: the newest is what
 * they asked for). Someone looking at a plan by id keeps it, with a notice offering the new one:
 * they chose that plan, perhaps to study it, and it must not change under them.
 */
export function PlanPage() {
  const me = useMe();
  const { search } = useLocation();
  const queries = useQueryClient();
  const plans = useApi<PlanSummary[]>('plans', '/v1/plans');
  const pinned = Number(search.get('plan') ?? '') || undefined;
  const compare = parseCompare(search.get('compare'));
  const list = plans.data ?? [];
  const latest = list[0];
  const planId = pinned ?? latest?.id;
  const summary = list.find((plan) => plan.id === planId);
  const planner = canPlan(me.role);

  // The newest plan when the page opened (or when this user last planned): newer ones are news.
  const [known, setKnown] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (known === undefined && plans.data) setKnown(plans.data[0]?.id ?? 0);
  }, [known, plans.data]);
  const fresh = latest && known !== undefined && latest.id > known ? latest : undefined;
  const [whatIf, setWhatIf] = useState(false);

  const startCompare = () => {
    const b = planId ?? latest?.id;
    const a = list.find((plan) => b !== undefined && plan.id < b)?.id ?? list[1]?.id;
    if (a !== undefined && b !== undefined) setQuery('compare', `${a}..${b}`);
  };

  return (
    <section className="page plan-page" aria-labelledby="plan-title">
      <header className="page-header">
        <h1 id="plan-title">Plan</h1>
        {list.length > 0 && !compare && (
          <label className="plan-choose">
            <span>Showing</span>
            <select
              value={pinned ?? ''}
              onChange={(event) => {
                setQuery('workload', undefined);
                setQuery('plan', event.target.value);
              }}
            >
              <option value="">Newest (#{latest?.id})</option>
              {list.map((plan) => (
                <option key={plan.id} value={plan.id}>
                  #{plan.id} · {utcMinute(plan.createdAt)} · {money(plan.totalUSD)}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="actions">
          {!compare && planId !== undefined && <PlanExport planId={planId} />}
          {compare ? (
            <button
              type="button"
              className="quiet"
              onClick={() => {
                setQuery('compare', undefined);
              }}
            >
              Back to the plan
            </button>
          ) : (
            list.length > 1 && (
              <button type="button" className="quiet" onClick={startCompare}>
                Compare plans
              </button>
            )
          )}
          {planner && !compare && latest !== undefined && (
            <button
              type="button"
              className="quiet"
              aria-expanded={whatIf}
              onClick={() => {
                setWhatIf(!whatIf);
              }}
            >
              What if…
            </button>
          )}
          {planner && (
            <PlanNow
              onPlanned={(id) => {
                setKnown(id);
                void queries.invalidateQueries({ queryKey: ['plans'] });
                navigate(`/plan?plan=${id}`);
              }}
            />
          )}
        </div>
      </header>

      {fresh && (
        <div className="plan-notice" role="status">
          {pinned === undefined ? (
            <>
              Plan #{fresh.id} was stored by {fresh.createdBy} at {utcMinute(fresh.createdAt)}:
              showing it, the newest.
            </>
          ) : (
            <>
              Plan #{fresh.id} was stored by {fresh.createdBy} at {utcMinute(fresh.createdAt)}.
              <button
                type="button"
                className="quiet"
                onClick={() => {
                  setKnown(fresh.id);
                  setQuery('workload', undefined);
                  setQuery('plan', String(fresh.id));
                }}
              >
                Show plan #{fresh.id}
              </button>
            </>
          )}
          <button
            type="button"
            className="quiet"
            onClick={() => {
              setKnown(fresh.id);
            }}
          >
            Dismiss
          </button>
        </div>
      )}

      {whatIf && planner && !compare && latest !== undefined && (
        <WhatIfPanel latestPlanId={latest.id} />
      )}

      {plans.error ? (
        <Failure error={plans.error} />
      ) : !plans.data ? (
        <div className="plan-placeholder" aria-busy="true" />
      ) : list.length === 0 ? (
        <div className="panel plan-empty">
          <h2>No plan yet</h2>
          <p>
            No plan has been stored.{' '}
            {planner
              ? 'Plan now plans the scenario as it stands, with what procurement has delivered, and stores the plan.'
              : 'A planner stores one with Plan now, or stargate plan on the command line.'}
          </p>
        </div>
      ) : compare ? (
        <PlanCompare plans={list} a={compare.a} b={compare.b} />
      ) : !summary || planId === undefined ? (
        <p role="alert">There is no stored plan #{pinned}.</p>
      ) : (
        <PlanView summary={summary} planId={planId} />
      )}
    </section>
  );
}

/** The header of one plan and its table, with the open workload beside it. */
function PlanView({ summary, planId }: { summary: PlanSummary; planId: number }) {
  const { search } = useLocation();
  const selected = search.get('workload') ?? undefined;
  // A stored plan never changes: loaded once, kept while the page lives; the previous plan's
  // rows stay up while another loads, so nothing jumps.
  const workloads = useQuery({
    queryKey: ['plan-workloads', planId],
    queryFn: () => apiGet<PlanWorkloads>(`/v1/plans/${planId}/workloads`),
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
  const body = workloads.data;
  const current = body?.plan.id === planId ? body : undefined;
  const unmet = current ? current.workloads.filter((row) => row.unmetGpuMonths > 0).length : 0;
  const show = (format: () => string) => (current ? format() : '…');

  return (
    <>
      <div className="panel plan-head">
        <h2>
          Plan #{summary.id}{' '}
          <span className="muted">
            stored {utcMinute(summary.createdAt)} by {summary.createdBy} · {summary.solver} planner,{' '}
            {summary.status}
          </span>
        </h2>
        <div className="stats">
          <Stat label="Total cost" value={money(summary.totalUSD)} />
          <Stat label="Compute" value={show(() => money(current?.objective.computeUSD ?? 0))} />
          <Stat
            label="Take-or-pay shortfall"
            value={show(() => money(current?.objective.shortfallUSD ?? 0))}
          />
          <Stat label="Unmet value" value={show(() => money(current?.objective.unmetUSD ?? 0))} />
          <Stat label="Proven gap" value={gapText(summary.gap)} />
          <Stat
            label="Workloads with unmet demand"
            value={show(() => `${grouped(unmet)} of ${grouped(current?.workloads.length ?? 0)}`)}
          />
        </div>
      </div>
      {workloads.error ? (
        <Failure error={workloads.error} />
      ) : !body ? (
        <div className="plan-placeholder" aria-busy="true">
          <p className="muted">Loading the workloads of plan #{planId}…</p>
        </div>
      ) : (
        <div
          className={selected ? 'plan-body with-panel' : 'plan-body'}
          aria-busy={current === undefined}
        >
          <WorkloadTable
            body={body}
            selected={selected}
            onSelect={(workload) => {
              setQuery('workload', workload);
            }}
          />
          {selected && current && (
            <WorkloadPanel
              planId={planId}
              workload={selected}
              onClose={() => {
                // Back to the row it was opened from, so the keyboard carries on there.
                const row = document.querySelector<HTMLElement>(
                  '.plan-body tr[aria-current] .data-table-open',
                );
                setQuery('workload', undefined);
                row?.focus();
              }}
            />
          )}
        </div>
      )}
    </>
  );
}

/**
 * Plans the current state and stores it (`POST /v1/plans`), showing the seconds it has taken
 * so far: a large portfolio plans for a minute or more.
 */
function PlanNow({ onPlanned }: { onPlanned: (id: number) => void }) {
  const [started, setStarted] = useState<number | undefined>(undefined);
  const [now, setNow] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (started === undefined) return undefined;
    const timer = window.setInterval(() => {
      setNow(Date.now());
    }, 500);
    return () => {
      window.clearInterval(timer);
    };
  }, [started]);
  const run = async () => {
    const at = Date.now();
    setStarted(at);
    setNow(at);
    setError(undefined);
    try {
      const made = await apiSend<PlanSummary>('POST', '/v1/plans', {});
      onPlanned(made.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setStarted(undefined);
    }
  };
  const seconds = started === undefined ? 0 : Math.floor((now - started) / 1000);
  return (
    <>
      {started !== undefined && (
        <span className="plan-progress" role="status">
          <progress aria-label="Planning" />
          Planning… {seconds} s
        </span>
      )}
      {error !== undefined && (
        <span role="alert" className="error plan-error">
          Plan now failed: {errorText(error)}
        </span>
      )}
      <button type="button" onClick={() => void run()} disabled={started !== undefined}>
        Plan now
      </button>
    </>
  );
}
