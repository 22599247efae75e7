import { Anchor, Table, Text, type TableTdProps, type TableThProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

type CellProps = TableTdProps & { 'data-testid'?: string };

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Props of the column's cells, e.g. a test id or a monospace font; per row when a function. */
  td?: CellProps | ((row: T) => CellProps);
  th?: TableThProps;
}

/** A column whose cell links to the row's own page. */
export function linkColumn<T>(header: string, to: (row: T) => string, text: (row: T) => ReactNode): Column<T> {
  return {
    header,
    cell: (row) => (
      <Anchor component={Link} to={to(row)}>
        {text(row)}
      </Anchor>
    ),
  };
}

/** Rows are keyed by their id. */
export interface DataTableProps<T extends { id: string }> {
  /** The table's accessible name. */
  label: string;
  columns: Array<Column<T>>;
  rows: T[];
  /** Shown instead of an empty table. */
  empty: ReactNode;
  /** Scrolls sideways below this width (px) instead of squeezing its columns. */
  minWidth?: number;
}

/** A table of rows, one cell per column, or a line saying there is nothing yet. */
export function DataTable<T extends { id: string }>({ label, columns, rows, empty, minWidth }: DataTableProps<T>) {
  if (rows.length === 0)
    return (
      <Text c="dimmed" ta="center" py="xl">
        {empty}
      </Text>
    );
  const table = (
    <Table striped highlightOnHover aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c, i) => (
            <Table.Th key={i} {...c.th}>
              {c.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.id}>
            {columns.map((c, i) => (
              <Table.Td key={i} {...(typeof c.td === 'function' ? c.td(row) : c.td)}>
                {c.cell(row)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return minWidth ? <Table.ScrollContainer minWidth={minWidth}>{table}</Table.ScrollContainer> : table;
}
