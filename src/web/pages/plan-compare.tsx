import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { grouped } from '../../core/format.js';
import { formatUSDNumber as money } from '../../core/money.js';
import { apiGet } from '../api';
import type { PlanDiff, PlanSummary } from '../api-types';
import type { PlanJsonDiff } from '../../core/diff/plan-json-diff.js';
import { DataTable } from '../components/data-table';
import { Failure, Panel } from '../components/panel';
import { navigate, setQuery } from '../router';
import { utcMinute } from './plan-data';

const plural = (count: number, noun: string) =>
  `${grouped(count)} ${noun}${count === 1 ? '' : 's'}`;

/** Red for more (cost, unmet), green for less; the sign says it without colour. */
const tone = (change: number) => (change > 0 ? 'plan-worse' : change < 0 ? 'plan-better' : '');

/** A change with its sign, so that it reads without colour: `+$1.2B`, `−340`, `no change`. */
function signed(change: number, format: (value: number) => string): string {
  if (change === 0) return 'no change';
  return `${change > 0 ? '+' : '−'}${format(Math.abs(change))}`;
}

const COMPONENTS = [
  ['totalUSD', 'Total'],
  ['computeUSD', 'Compute'],
  ['shortfallUSD', 'Take-or-pay shortfall'],
  ['unmetUSD', 'Unmet value'],
] as const;

type UnmetChange = PlanDiff['unmet'][number];

const unmetColumns: ColumnDef<UnmetChange>[] = [
  { id: 'workload', header: 'Workload', accessorFn: (row) => row.workload, meta: { width: '40%' } },
  {
    id: 'a',
    header: 'Unmet in A',
    accessorFn: (row) => row.gpuMonths.a,
    cell: ({ row }) => grouped(row.original.gpuMonths.a),
    meta: { numeric: true, width: '20%' },
  },
  {
    id: 'b',
    header: 'Unmet in B',
    accessorFn: (row) => row.gpuMonths.b,
    cell: ({ row }) => grouped(row.original.gpuMonths.b),
    meta: { numeric: true, width: '20%' },
  },
  {
    id: 'change',
    header: 'Change',
    accessorFn: (row) => row.gpuMonths.change,
    cell: ({ row }) => {
      const change = row.original.gpuMonths.change;
      return <span className={tone(change)}>{signed(change, grouped)}</span>;
    },
    meta: { numeric: true, width: '20%' },
  },
];

/**
 * Two stored plans side by side (`?compare=A..B`): the cost by component, the GPU-months and
 * share of each provider, each commitment's shortfall, and the workloads whose unmet demand
 * changed. Plans never change, so a comparison once loaded is kept.
 */
export function PlanCompare({
  plans,
  a,
  b,
}: {
  plans: readonly PlanSummary[];
  a: number;
  b: number;
}) {
  const diff = useQuery({
    queryKey: ['plan-diff', a, b],
    queryFn: () => apiGet<PlanDiff>(`/v1/plans/${a}/diff/${b}`),
    staleTime: Infinity,
  });
  const choose = (which: 'a' | 'b', value: string) => {
    const next = which === 'a' ? `${value}..${b}` : `${a}..${value}`;
    setQuery('compare', next);
  };
  const label = (plan: PlanSummary) =>
    `#${plan.id} · ${utcMinute(plan.createdAt)} · ${money(plan.totalUSD)}`;
  const body = diff.data;

  return (
    <div className="plan-compare">
      <div className="plan-filters" role="group" aria-label="Plans to compare">
        {(['a', 'b'] as const).map((which) => (
          <label key={which}>
            <span>Plan {which.toUpperCase()}</span>
            <select
              value={which === 'a' ? a : b}
              onChange={(event) => {
                choose(which, event.target.value);
              }}
            >
              {plans.map((plan) => (
                <option key={plan.id} value={plan.id}>
                  {label(plan)}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {a === b && <p className="muted">Plan A and plan B are the same plan: nothing moved.</p>}
      {diff.error ? (
        <Failure error={diff.error} />
      ) : !body ? (
        <p className="muted plan-compare-loading" aria-busy="true">
          Comparing plan {a} with plan {b}…
        </p>
      ) : (
        <PlanDiffGrid
          body={body}
          labelA={`A (#${a})`}
          labelB={`B (#${b})`}
          onOpenWorkload={(workload) => {
            navigate(`/plan?plan=${b}&workload=${encodeURIComponent(workload)}`);
          }}
          openHint="Open a workload to see it in plan B."
        />
      )}
    </div>
  );
}

/**
 * What moved from plan A to plan B (a stored plan's diff, or a what-if's): the cost by
 * component, the GPU-months and share of each provider, each commitment's shortfall, and the
 * workloads whose unmet demand changed.
 */
export function PlanDiffGrid({
  body,
  labelA,
  labelB,
  onOpenWorkload,
  openHint,
}: {
  body: PlanJsonDiff;
  labelA: string;
  labelB: string;
  onOpenWorkload?: (workload: string) => void;
  openHint?: string;
}) {
  const shares = useMemo(() => {
    const totalA = body.providers.reduce((sum, row) => sum + row.gpuMonths.a, 0);
    const totalB = body.providers.reduce((sum, row) => sum + row.gpuMonths.b, 0);
    const share = (value: number, total: number) => (total > 0 ? (value / total) * 100 : 0);
    return body.providers.map((row) => ({
      ...row,
      shareA: share(row.gpuMonths.a, totalA),
      shareB: share(row.gpuMonths.b, totalB),
    }));
  }, [body]);
  return (
    <div className="grid plan-compare-grid">
      <Panel title="Cost by component">
        <table>
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col" className="num">
                {labelA}
              </th>
              <th scope="col" className="num">
                {labelB}
              </th>
              <th scope="col" className="num">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {COMPONENTS.map(([key, name]) => {
              const value = body.objective[key];
              return (
                <tr key={key}>
                  <th scope="row">{name}</th>
                  <td className="num">{money(value.a)}</td>
                  <td className="num">{money(value.b)}</td>
                  <td className={`num ${tone(value.change)}`}>{signed(value.change, money)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
      <Panel title="Providers">
        <table>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col" className="num">
                GPU-months A
              </th>
              <th scope="col" className="num">
                GPU-months B
              </th>
              <th scope="col" className="num">
                Share A → B
              </th>
            </tr>
          </thead>
          <tbody>
            {shares.map((row) => (
              <tr key={row.provider}>
                <th scope="row">{row.provider}</th>
                <td className="num">{grouped(row.gpuMonths.a)}</td>
                <td className="num">{grouped(row.gpuMonths.b)}</td>
                <td className="num">
                  {row.shareA.toFixed(1)} % → {row.shareB.toFixed(1)} %
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Panel title="Commitments">
        {body.commitments.length === 0 ? (
          <p className="muted">Neither plan has commitments.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Commitment</th>
                <th scope="col">A</th>
                <th scope="col">B</th>
              </tr>
            </thead>
            <tbody>
              {body.commitments.map((row) => (
                <tr key={`${row.contract}/${row.term}`}>
                  <th scope="row">
                    {row.term} <span className="muted">of {row.contract}</span>
                  </th>
                  <td>
                    <CommitmentState shortfall={row.shortfallUSD.a} />
                  </td>
                  <td>
                    <CommitmentState shortfall={row.shortfallUSD.b} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title="Unmet demand that changed" className="plan-compare-wide">
        <p className="muted">
          {body.unmet.length === 0
            ? 'No workload’s unmet demand changed.'
            : `${plural(body.unmet.length, 'workload')}; ${plural(body.moved.length, 'placement')} moved between pools.${openHint === undefined ? '' : ` ${openHint}`}`}
        </p>
        {body.unmet.length > 0 && (
          <DataTable
            label="Workloads whose unmet demand changed"
            data={body.unmet}
            columns={unmetColumns}
            getRowId={(row) => row.workload}
            height={`${40 + Math.min(body.unmet.length, 11) * 34 + 2}px`}
            {...(onOpenWorkload
              ? {
                  onActivate: (row: UnmetChange) => {
                    onOpenWorkload(row.workload);
                  },
                }
              : {})}
            empty="No workload’s unmet demand changed."
          />
        )}
      </Panel>
    </div>
  );
}

function CommitmentState({ shortfall }: { shortfall: number }) {
  return shortfall > 0 ? (
    <span className="badge warn">short {money(shortfall)}</span>
  ) : (
    <span className="badge good">met</span>
  );
}
