import type { ReactNode } from 'react';
import { Anchor, Table, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { analytics, must } from '../../api/clients';
import { customerNameLoader } from '../../api/customer-names';
import { t } from '../../i18n/t';

/** Customers' names from analytics, one request per list (customerNameLoader). */
const customerNames = customerNameLoader({
  list: async (ids) => must(await analytics.GET('/customers', { params: { query: { ids, limit: ids.length } } })).items,
  one: async (id) => (await analytics.GET('/customers/{id}', { params: { path: { id } } })).data?.name,
});

/** A customer's name linking to its 360° page (the name from the CRM, the id while it loads or when it cannot be read). */
export function CustomerLink({ id }: { id: string }) {
  const name = useQuery({ queryKey: ['analytics', 'customer-name', id], queryFn: () => customerNames.load(id), staleTime: 60_000 });
  return (
    <Anchor component={Link} to={`/customers/${id}`} size="sm">
      {name.data ?? t('analytics.customerLink', { id: id.slice(0, 8) })}
    </Anchor>
  );
}

/**
 * The text alternative of a chart: its data as a table, hidden from sight but read by screen
 * readers (the chart itself is a picture of the same numbers).
 */
export function ChartTable({ title, head, rows }: { title: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <VisuallyHidden>
      <Table>
        <Table.Caption>{t('analytics.chartTable', { title })}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            {head.map((h) => (
              <Table.Th key={h} scope="col">
                {h}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((cells, i) => (
            <Table.Tr key={i}>
              {cells.map((c, j) =>
                j === 0 ? (
                  <Table.Th key={j} scope="row">
                    {c}
                  </Table.Th>
                ) : (
                  <Table.Td key={j}>{c}</Table.Td>
                ),
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </VisuallyHidden>
  );
}
