import type { ReactNode } from 'react';

/** A column: its header text, or that and whether its figures are right-aligned. */
export type Column = string | { label: string; numeric: boolean };

/** A numeric column: its header is aligned with its figures (class `num`). */
export const numeric = (label: string): Column => ({ label, numeric: true });

/**
 * The header row of a plain table, every cell `<th scope="col">`; `children` are further
 * header cells after these (a column only some people see, say).
 */
export function TableHead({
  columns,
  children,
}: {
  columns: readonly Column[];
  children?: ReactNode;
}) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === 'string' ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.label} scope="col" className={column.numeric ? 'num' : undefined}>
              {column.label}
            </th>
          ),
        )}
        {children}
      </tr>
    </thead>
  );
}
