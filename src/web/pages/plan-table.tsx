import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { grouped } from '../../core/format.js';
import { formatUSDNumber as money } from '../../core/money.js';
import type { PlanWorkloadRow, PlanWorkloads } from '../api-types';
import { DataTable } from '../components/data-table';
import { SearchField, useSearchText } from '../components/search-field';
import { setQuery, useLocation } from '../router';
import {
  classesOf,
  headlineReason,
  placementText,
  reasonKey,
  shortCount,
  workloadMatcher,
} from './plan-data';

/**
 * The plan's workloads, one row each: where each runs, GPU-months placed and unmet, what it
 * costs, and why work went unmet in the planner's words. Filters live in the URL (`q`,
 * `unmet`, `class`), so a filtered view can be linked; the text box filters as one types.
 */
export function WorkloadTable({
  body,
  selected,
  onSelect,
}: {
  body: PlanWorkloads;
  selected: string | undefined;
  onSelect: (workload: string) => void;
}) {
  const { search } = useLocation();
  const { text, query, setText } = useSearchText();
  const unmetOnly = search.get('unmet') === '1';
  const workloadClass = search.get('class') ?? '';
  const classes = useMemo(() => classesOf(body.workloads), [body.workloads]);
  const matcher = useMemo(
    () => workloadMatcher(body.reasons, { query, unmetOnly, workloadClass }),
    [body.reasons, query, unmetOnly, workloadClass],
  );
  const shown = useMemo(
    () => (matcher ? body.workloads.filter(matcher).length : body.workloads.length),
    [body.workloads, matcher],
  );
  const columns = useMemo(() => workloadColumns(body.reasons.map(reasonKey)), [body.reasons]);
  const unmetCount = useMemo(
    () => body.workloads.filter((row) => row.unmetGpuMonths > 0).length,
    [body.workloads],
  );

  return (
    <div className="plan-workloads">
      <div className="plan-filters" role="search" aria-label="Filter workloads">
        <SearchField
          value={text}
          placeholder="workload, class, pool, provider or reason"
          onValue={setText}
        />
        <label>
          <span>Class</span>
          <select
            value={workloadClass}
            onChange={(event) => {
              setQuery('class', event.target.value);
            }}
          >
            <option value="">All classes</option>
            {classes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="plan-check">
          <input
            type="checkbox"
            checked={unmetOnly}
            onChange={(event) => {
              setQuery('unmet', event.target.checked ? '1' : undefined);
            }}
          />
          <span>Unmet only ({grouped(unmetCount)})</span>
        </label>
        <p className="muted plan-count" aria-live="polite">
          {matcher === undefined
            ? `${grouped(shown)} workloads`
            : `${grouped(shown)} of ${grouped(body.workloads.length)} workloads`}
        </p>
      </div>
      <DataTable
        label="Workloads of the plan"
        data={body.workloads}
        filter={matcher}
        columns={columns}
        getRowId={(row) => row.workload}
        height="max(320px, calc(100vh - 300px))"
        initialSorting={[{ id: 'unmet', desc: true }]}
        onActivate={(row) => {
          onSelect(row.workload);
        }}
        currentId={selected}
        empty={
          body.workloads.length === 0
            ? 'The scenario of this plan has no workloads.'
            : 'No workload matches the filter.'
        }
      />
    </div>
  );
}

/** A count in a narrow cell, exact on hover and for screen readers' title. */
function Count({ value, strong = false }: { value: number; strong?: boolean }) {
  if (value === 0) return <span className="muted">0</span>;
  return (
    <span title={grouped(value)} className={strong ? 'plan-unmet' : undefined}>
      {shortCount(value)}
    </span>
  );
}

/**
 * The columns; numbers and the class have fixed widths, placement and reasons share the rest.
 * `keys` are the subjects of the plan's reasons (see `reasonKey`), by index.
 */
function workloadColumns(keys: readonly string[]): ColumnDef<PlanWorkloadRow>[] {
  return [
    {
      id: 'workload',
      header: 'Workload',
      accessorFn: (row) => row.workload,
      meta: { width: '150px' },
    },
    {
      id: 'class',
      header: 'Class',
      accessorFn: (row) => row.class,
      meta: { width: '92px' },
    },
    {
      id: 'placement',
      header: 'Placement',
      // Sorted by the first month placed; unplaced work last.
      accessorFn: (row) => row.placed?.from ?? '9999',
      cell: ({ row }) => {
        const text = placementText(row.original);
        return <span title={text}>{text}</span>;
      },
    },
    {
      id: 'placed',
      header: 'Placed GPU-mo',
      accessorFn: (row) => row.placedGpuMonths,
      cell: ({ row }) => <Count value={row.original.placedGpuMonths} />,
      sortDescFirst: true,
      meta: { numeric: true, width: '84px' },
    },
    {
      id: 'unmet',
      header: 'Unmet GPU-mo',
      accessorFn: (row) => row.unmetGpuMonths,
      cell: ({ row }) => <Count value={row.original.unmetGpuMonths} strong />,
      sortDescFirst: true,
      meta: { numeric: true, width: '84px' },
    },
    {
      id: 'cost',
      header: 'Cost',
      accessorFn: (row) => row.computeUSD,
      cell: ({ row }) => money(row.original.computeUSD),
      sortDescFirst: true,
      meta: { numeric: true, width: '86px' },
    },
    {
      id: 'reasons',
      header: 'Why unmet',
      accessorFn: (row) => row.reasons.length,
      cell: ({ row }) => {
        const headline = headlineReason(row.original.reasons, keys);
        if (!headline) return null;
        return (
          <span title={headline.text}>
            {headline.more > 0 && (
              <span className="plan-more" title={`and ${headline.more} more`}>
                +{headline.more}
              </span>
            )}
            {headline.text}
          </span>
        );
      },
      sortDescFirst: true,
    },
  ];
}
