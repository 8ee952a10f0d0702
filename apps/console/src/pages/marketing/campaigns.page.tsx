import { useState } from 'react';
import { Badge, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { $marketing, type MarketingSchema } from '../../api/clients';
import { formatDateTime, formatNumber, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { badgeProps, options, statusColor, valueLabel } from './labels';
import { everyValue } from '../../api/enums';

const STATUSES = everyValue<MarketingSchema<'CampaignViewDto'>['status']>()(['draft', 'scheduled', 'running', 'paused', 'closed']);

/** `/marketing/campaigns`: campaigns, newest first, by status. */
export function CampaignsPage() {
  const [status, setStatus] = useState<string | null>(null);
  const campaigns = $marketing.useQuery('get', '/campaigns', {
    params: { query: { limit: 100, ...(status && { status: status as (typeof STATUSES)[number] }) } },
  });
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>{t('marketing.campaigns.title')}</Title>
        <Button component={Link} to="/marketing/campaigns/new" leftSection={<IconPlus size={16} />}>
          {t('marketing.campaigns.new')}
        </Button>
      </Group>
      <Text c="dimmed">{t('marketing.campaigns.intro')}</Text>
      <Select
        label={t('marketing.campaigns.filterStatus')}
        placeholder={t('marketing.campaigns.all')}
        data={options('status', STATUSES)}
        value={status}
        onChange={setStatus}
        clearable
        w={{ base: '100%', xs: 260 }}
      />
      <QueryState query={campaigns}>
        {(list) =>
          list.items.length === 0 ? (
            <Text>{t('empty')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={560} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
              <Table striped highlightOnHover aria-label={t('marketing.campaigns.list')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('marketing.campaigns.name')}</Table.Th>
                    <Table.Th>{t('marketing.campaigns.status')}</Table.Th>
                    <Table.Th>{t('marketing.campaigns.audience')}</Table.Th>
                    <Table.Th>{t('marketing.campaigns.sent')}</Table.Th>
                    <Table.Th>{t('marketing.campaigns.defined')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.items.map((c) => (
                    <Table.Tr key={c.campaignId}>
                      <Table.Td>
                        <Link to={`/marketing/campaigns/${c.campaignId}`}>{c.name}</Link>
                      </Table.Td>
                      <Table.Td>
                        <Badge {...badgeProps(statusColor[c.status])}>{valueLabel('status', c.status)}</Badge>
                      </Table.Td>
                      <Table.Td>{formatNumber(c.counts.audience)}</Table.Td>
                      <Table.Td>{formatNumber(c.counts.sent)}</Table.Td>
                      <Table.Td>{formatDateTime(c.definedAt)}</Table.Td>
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
