import { useState } from 'react';
import { Anchor, Badge, Group, MultiSelect, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { $service, type ServiceSchema } from '../../api/clients';
import { formatDateTime, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { everyValue } from '../../api/enums';

export const RETURN_STATUSES = everyValue<ServiceSchema<'ReturnListItemDto'>['status']>()([
  'requested',
  'denied',
  'authorised',
  'in-transit-to-company',
  'received',
  'in-transit-to-provider',
  'at-provider',
  'repaired',
  'replaced',
  'unrepairable',
  'returning',
  'delivered',
  'closed',
]);
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const returnColor = (s: string) =>
  s === 'requested'
    ? 'blue.9'
    : s === 'denied' || s === 'unrepairable'
      ? 'red.9'
      : s === 'delivered' || s === 'repaired' || s === 'replaced'
        ? 'teal.9'
        : s === 'closed'
          ? 'gray.7'
          : 'indigo.9';

/** Returns (RMA) with their status, warranty, repair and shipments; newest first. */
export function ReturnsPage() {
  const [statuses, setStatuses] = useState<string[]>([]);
  const [open, setOpen] = useState<'true' | 'false' | 'all'>('all');
  const query = $service.useQuery('get', '/returns', {
    params: { query: { ...(statuses.length > 0 && { status: statuses.join(',') }), ...(open !== 'all' && { open }), limit: 100 } },
  });
  return (
    <Stack gap="md">
      <div>
        <Title order={1}>{t('service.returns.title')}</Title>
        <Text c="dimmed" mt={4}>
          {t('service.returns.intro')}
        </Text>
      </div>
      <Group align="flex-end" gap="sm">
        <MultiSelect
          label={t('service.returns.status')}
          data={RETURN_STATUSES.map((s) => ({ value: s, label: t(`service.returnStatus.${s}`) }))}
          value={statuses}
          onChange={setStatuses}
          clearable
          w={{ base: '100%', sm: 360 }}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="returns-open">
            {t('service.returns.open')}
          </Text>
          <SegmentedControl
            aria-labelledby="returns-open"
            value={open}
            onChange={(v) => setOpen(v as 'true' | 'false' | 'all')}
            data={[
              { value: 'all', label: t('service.returns.all') },
              { value: 'true', label: t('service.returns.openOnly') },
              { value: 'false', label: t('service.returns.closedOnly') },
            ]}
          />
        </Stack>
      </Group>
      <QueryState query={query}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t('service.returns.empty')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={900}>
              <Table striped highlightOnHover aria-label={t('service.returns.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('service.returns.rmaCol')}</Table.Th>
                    <Table.Th>{t('service.returns.productCol')}</Table.Th>
                    <Table.Th>{t('service.returns.statusCol')}</Table.Th>
                    <Table.Th>{t('service.returns.warrantyCol')}</Table.Th>
                    <Table.Th>{t('service.returns.repairCol')}</Table.Th>
                    <Table.Th>{t('service.returns.legsCol')}</Table.Th>
                    <Table.Th>{t('service.returns.requestedCol')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((r) => {
                    const legs = r.legs as unknown as Record<string, string>;
                    return (
                      <Table.Tr key={r.returnId} data-return-id={r.returnId}>
                        <Table.Td>
                          <Anchor component={Link} to={`/service/returns/${r.returnId}`} fw={600}>
                            {r.rmaNumber ?? `${t('service.returns.noRma')} · ${r.returnId.slice(0, 8)}`}
                          </Anchor>
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.productId}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Badge color={returnColor(r.status)} style={{ overflow: 'visible' }}>
                            {t(`service.returnStatus.${r.status}`)}
                          </Badge>
                        </Table.Td>
                        <Table.Td>{r.warranty ? t(`service.warranty.${r.warranty}`) : '—'}</Table.Td>
                        <Table.Td>{r.repairStatus ? t(`service.repairStatus.${r.repairStatus}`) : '—'}</Table.Td>
                        <Table.Td>
                          {Object.entries(legs)
                            .map(([leg, state]) => `${t(`service.leg.${leg as 'to-company'}`)}: ${t(`service.legState.${state as 'delivered'}`)}`)
                            .join('; ') || '—'}
                        </Table.Td>
                        <Table.Td>{formatDateTime(r.requestedAt)}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
