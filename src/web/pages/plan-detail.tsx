import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { grouped } from '../../core/format.js';
import { formatUSDNumber as money } from '../../core/money.js';
import { apiGet } from '../api';
import type { PlanWorkloadDetail } from '../api-types';
import { Failure } from '../components/panel';
import { groupReasons, spanText, spansText } from './plan-data';

/**
 * One workload of the plan month by month, beside the table: each pool with the months it
 * runs there, the unmet GPUs by month, and every reason with the months it was given for.
 * Loaded when opened (a plan's months are too many to send with the table); a stored plan
 * never changes, so what was loaded is kept.
 */
export function WorkloadPanel({
  planId,
  workload,
  onClose,
}: {
  planId: number;
  workload: string;
  onClose: () => void;
}) {
  const detail = useQuery({
    queryKey: ['plan-workload', planId, workload],
    queryFn: () =>
      apiGet<PlanWorkloadDetail>(`/v1/plans/${planId}/workloads/${encodeURIComponent(workload)}`),
    staleTime: Infinity,
  });
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [workload]);
  const row = detail.data;

  return (
    <section
      className="panel plan-panel"
      aria-labelledby="plan-panel-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <header>
        <h2 id="plan-panel-title" ref={heading} tabIndex={-1}>
          {workload}
        </h2>
        <button type="button" className="quiet" onClick={onClose} aria-label="Close workload">
          Close
        </button>
      </header>
      {detail.error ? (
        <Failure error={detail.error} />
      ) : !row ? (
        <p className="muted" aria-busy="true">
          Loading {workload}…
        </p>
      ) : (
        <>
          <p className="plan-panel-facts">
            <span className="badge">{row.class}</span>
            {row.team && <span>team {row.team}</span>}
            <span>
              {grouped(row.gpus)} GPUs a month, {spanText(row.window)}
            </span>
            {row.gang && <span className="badge">gang: one site, all or nothing</span>}
          </p>
          <dl className="plan-panel-stats">
            <div>
              <dt>Placed</dt>
              <dd>{grouped(row.placedGpuMonths)} GPU-months</dd>
            </div>
            <div>
              <dt>Unmet</dt>
              <dd>{grouped(row.unmetGpuMonths)} GPU-months</dd>
            </div>
            <div>
              <dt>Compute cost</dt>
              <dd>{money(row.computeUSD)}</dd>
            </div>
            <div>
              <dt>Unmet value</dt>
              <dd>{money(row.unmetUSD)}</dd>
            </div>
          </dl>

          <h3>Placement by month</h3>
          {row.pools.length === 0 ? (
            <p className="muted">Not placed on any pool.</p>
          ) : (
            <table className="plan-runs">
              <caption className="visually-hidden">Pools of {row.workload} by month</caption>
              <thead>
                <tr>
                  <th scope="col">Pool</th>
                  <th scope="col">Months</th>
                  <th scope="col" className="num">
                    GPUs
                  </th>
                </tr>
              </thead>
              <tbody>
                {row.pools.flatMap((pool) =>
                  pool.runs.map((run, index) => (
                    <tr key={`${pool.pool}-${run.from}`}>
                      {index === 0 && (
                        <th scope="row" rowSpan={pool.runs.length}>
                          {pool.pool}
                          <span className="muted">
                            {' '}
                            {pool.provider} · {grouped(pool.gpuMonths)} GPU-mo ·{' '}
                            {money(pool.computeUSD)}
                          </span>
                        </th>
                      )}
                      <td>{spanText(run)}</td>
                      <td className="num">{grouped(run.gpus)}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          )}

          {row.unmet.length > 0 && (
            <>
              <h3>Unmet by month</h3>
              <table className="plan-runs">
                <caption className="visually-hidden">Unmet GPUs of {row.workload} by month</caption>
                <thead>
                  <tr>
                    <th scope="col">Months</th>
                    <th scope="col" className="num">
                      GPUs unmet
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {row.unmet.map((run) => (
                    <tr key={run.from}>
                      <td>{spanText(run)}</td>
                      <td className="num">{grouped(run.gpus)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>Why</h3>
              <ul className="plan-reasons">
                {groupReasons(row.reasons).map((group) => (
                  <li key={group.key}>
                    <span className="muted plan-reason-months">{spansText(group.periods)}</span>
                    {group.variants.length === 1 ? (
                      group.variants[0]?.text
                    ) : (
                      <details>
                        <summary>
                          {group.key}{' '}
                          <span className="muted">({group.variants.length} variants by month)</span>
                        </summary>
                        <ul>
                          {group.variants.map((variant) => (
                            <li key={variant.text}>
                              <span className="muted plan-reason-months">
                                {spansText(variant.periods)}
                              </span>
                              {variant.text}
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
