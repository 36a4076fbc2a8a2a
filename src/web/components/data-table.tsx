import type { ColumnDef, RowData, SortingState } from '@tanstack/react-table';
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { KeyboardEvent, ReactNode } from 'react';
import { useEffect, useMemo, useRef, useState } from 'react';
import './data-table.css';

declare module '@tanstack/react-table' {
  // Declaration merging: the type parameters must match the library's.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Right-aligned, tabular figures. */
    readonly numeric?: boolean;
    /** The column's width (CSS), fixed so rows keep one height and nothing shifts. */
    readonly width?: string;
  }
}

export interface DataTableProps<T> {
  /** The table's accessible name. */
  readonly label: string;
  /** Every row, the same array while it does not change: the table sorts it once per sort. */
  readonly data: readonly T[];
  /**
   * The rows to show, of those sorted; undefined shows all. Filtering after sorting keeps the
   * table's row model (one object per row) built once: rebuilding it for 5,000 rows on each
   * keystroke would cost more than the filter itself.
   */
  readonly filter?: ((row: T) => boolean) | undefined;
  readonly columns: ColumnDef<T>[];
  readonly getRowId: (row: T) => string;
  /** Height of every row in px: rows are one line each, so the virtualiser never measures. */
  readonly rowHeight?: number;
  /** CSS height of the scrolling box. */
  readonly height: string;
  readonly initialSorting?: SortingState;
  /** The first cell becomes a button that calls this (Enter or a click). */
  readonly onActivate?: (row: T) => void;
  /** The row shown as current (e.g. the one open in a side panel). */
  readonly currentId?: string | undefined;
  /** Shown in place of rows when there are none. */
  readonly empty: ReactNode;
}

/**
 * A large table that stays smooth: TanStack Table sorts, TanStack Virtual renders only the
 * rows in view (plus a few), so 5,000 rows put a few dozen in the DOM. It is a real `<table>`
 * (headers with `scope`, `aria-sort`, `aria-rowcount`/`aria-rowindex` for the rows not
 * rendered). Keyboard: Tab reaches the sort buttons and the first row's button; ↑/↓,
 * PageUp/PageDown, Home/End move between rows, scrolling as they go; Enter opens a row.
 */
export function DataTable<T>({
  label,
  data,
  columns,
  filter,
  getRowId,
  rowHeight = 34,
  height,
  initialSorting = [],
  onActivate,
  currentId,
  empty,
}: DataTableProps<T>) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  // TanStack Table mutates nothing it is given, but types its data as mutable.
  const table = useReactTable<T>({
    data: data as T[],
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: (row) => getRowId(row),
  });
  const sortedRows = table.getRowModel().rows;
  const rows = useMemo(
    () => (filter ? sortedRows.filter((row) => filter(row.original)) : sortedRows),
    [sortedRows, filter],
  );
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  // One row's button is in the tab order (the last one focused, or the first in view).
  const [tabStop, setTabStop] = useState(0);
  const stop = items.some((item) => item.index === tabStop) ? tabStop : items[0]?.index;

  // The row to focus once it is rendered: moving by keyboard may scroll it into view first.
  const [focusIndex, setFocusIndex] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (focusIndex === undefined) return;
    const row = scroller.current?.querySelector<HTMLElement>(`tr[data-index="${focusIndex}"]`);
    const button = row?.querySelector<HTMLElement>('.data-table-open');
    if (button) {
      button.focus({ preventScroll: true });
      setFocusIndex(undefined);
    }
    // `items` changes as the scroll brings the row into the rendered range.
  }, [focusIndex, items]);

  const move = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    const from = Number((event.target as HTMLElement).closest('tr')?.dataset['index']);
    if (!Number.isInteger(from)) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / rowHeight) - 1);
    const last = rows.length - 1;
    const to =
      event.key === 'ArrowDown'
        ? from + 1
        : event.key === 'ArrowUp'
          ? from - 1
          : event.key === 'PageDown'
            ? from + page
            : event.key === 'PageUp'
              ? from - page
              : event.key === 'Home' && event.ctrlKey
                ? 0
                : event.key === 'End' && event.ctrlKey
                  ? last
                  : undefined;
    if (to === undefined) return;
    event.preventDefault();
    const index = Math.min(Math.max(to, 0), last);
    virtualizer.scrollToIndex(index, { align: 'auto' });
    setFocusIndex(index);
  };

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  return (
    <div
      className="data-table"
      ref={scroller}
      style={{ height }}
      // Without buttons in the rows, the box itself takes focus so the keyboard can scroll it.
      {...(onActivate ? {} : { tabIndex: 0, role: 'region', 'aria-label': label })}
    >
      <table aria-label={label} aria-rowcount={rows.length + 1}>
        <colgroup>
          {headers.map((header) => (
            <col key={header.id} style={{ width: header.column.columnDef.meta?.width }} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {headers.map((header) => {
              const sorted = header.column.getIsSorted();
              const meta = header.column.columnDef.meta;
              return (
                <th
                  key={header.id}
                  scope="col"
                  className={meta?.numeric ? 'num' : undefined}
                  aria-sort={
                    sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                  }
                >
                  {header.column.getCanSort() ? (
                    <button
                      type="button"
                      className="data-table-sort"
                      onClick={header.column.getToggleSortingHandler()}
                    >
                      {flexRender(header.column.columnDef.header, header.getContext())}
                      <span aria-hidden="true" className="data-table-arrow">
                        {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    flexRender(header.column.columnDef.header, header.getContext())
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody onKeyDown={move}>
          {rows.length === 0 && (
            <tr>
              <td colSpan={headers.length} className="data-table-empty">
                {empty}
              </td>
            </tr>
          )}
          {paddingTop > 0 && (
            <tr aria-hidden="true" className="data-table-spacer">
              <td colSpan={headers.length} style={{ height: paddingTop }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const current = row.id === currentId;
            return (
              <tr
                key={row.id}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                aria-current={current ? 'true' : undefined}
                className={current ? 'current' : undefined}
                style={{ height: rowHeight }}
                onClick={
                  onActivate
                    ? (event) => {
                        // A click on a link or control inside the row is its own.
                        if ((event.target as HTMLElement).closest('a, button, input')) return;
                        onActivate(row.original);
                      }
                    : undefined
                }
              >
                {row.getVisibleCells().map((cell, index) => {
                  const content = flexRender(cell.column.columnDef.cell, cell.getContext());
                  const numeric = cell.column.columnDef.meta?.numeric;
                  return (
                    <td key={cell.id} className={numeric ? 'num' : undefined}>
                      {index === 0 && onActivate ? (
                        <button
                          type="button"
                          className="data-table-open"
                          tabIndex={item.index === stop ? 0 : -1}
                          onFocus={() => {
                            setTabStop(item.index);
                          }}
                          onClick={() => {
                            onActivate(row.original);
                          }}
                        >
                          {content}
                        </button>
                      ) : (
                        content
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden="true" className="data-table-spacer">
              <td colSpan={headers.length} style={{ height: paddingBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
