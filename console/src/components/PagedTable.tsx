import { Pagination } from '@mantine/core';
import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type Query } from '../api/client';
import { itemsOf, type AnyList } from '../api/lists';
import { DataTable, type DataTableProps } from './DataTable';
import { QueryState } from './errors';

const PAGE_SIZE = 20;

export interface PagedList<T> {
  query: UseQueryResult<AnyList>;
  rows: T[];
  page: number;
  pages: number;
  setPage: (page: number) => void;
}

/**
 * One page of 20 of an API list; a change of filters goes back to page 1. The query key starts
 * with `key`, so invalidating `key` refreshes every page.
 */
export function usePagedList<T>(key: unknown[], path: string, filters: Query = {}, refetchInterval: number | false = false): PagedList<T> {
  const filtersKey = JSON.stringify(filters);
  const [paged, setPaged] = useState({ page: 1, filtersKey });
  const page = paged.filtersKey === filtersKey ? paged.page : 1;
  const query = useQuery({
    queryKey: [...key, filters, page],
    queryFn: () => get<AnyList>(path, { ...filters, page, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
  return {
    query,
    rows: itemsOf<T>(query.data),
    page,
    pages: Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE)),
    setPage: (p) => setPaged({ page: p, filtersKey }),
  };
}

/** A paged list's table: loading and error states, the rows (or `empty`), and the page links. */
export function PagedTable<T extends { id: string }>({ list, ...table }: { list: PagedList<T> } & Omit<DataTableProps<T>, 'rows'>) {
  const { query, rows, page, pages, setPage } = list;
  return (
    <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
      <DataTable {...table} rows={rows} />
      {pages > 1 && (
        <Pagination
          total={pages}
          value={page}
          onChange={setPage}
          aria-label={`Pages of ${table.label}`}
          getControlProps={(c) => ({ 'aria-label': c === 'next' ? 'Next page' : c === 'previous' ? 'Previous page' : c })}
        />
      )}
    </QueryState>
  );
}
