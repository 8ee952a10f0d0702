import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { $marketing } from '../../api/clients';
import { formatDateTime, formatNumber, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { badgeProps, statusColor, valueLabel } from './labels';

/** `/marketing/segments`: every segment with its member count. */
export function SegmentsPage() {
  const segments = $marketing.useQuery('get', '/segments', { params: { query: { limit: 100 } } });
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>{t('marketing.segments.title')}</Title>
        <Button component={Link} to="/marketing/segments/new" leftSection={<IconPlus size={16} />}>
          {t('marketing.segments.new')}
        </Button>
      </Group>
      <Text c="dimmed">{t('marketing.segments.intro')}</Text>
      <QueryState query={segments}>
        {(list) =>
          list.items.length === 0 ? (
            <Text>{t('empty')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={520} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
              <Table striped highlightOnHover aria-label={t('marketing.segments.list')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('marketing.segments.name')}</Table.Th>
                    <Table.Th>{t('marketing.segments.members')}</Table.Th>
                    <Table.Th>{t('marketing.segments.status')}</Table.Th>
                    <Table.Th>{t('marketing.segments.changed')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.items.map((s) => (
                    <Table.Tr key={s.segmentId}>
                      <Table.Td>
                        <Link to={`/marketing/segments/${s.segmentId}`}>{s.name}</Link>
                      </Table.Td>
                      <Table.Td>{formatNumber(s.members)}</Table.Td>
                      <Table.Td>
                        <Badge {...badgeProps(statusColor[s.status])}>{valueLabel('status', s.status)}</Badge>
                      </Table.Td>
                      <Table.Td>{formatDateTime(s.changedAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
