import { useState } from 'react';
import { Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlayerPause, IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $marketing, marketing, must, type MarketingSchema } from '../../api/clients';
import { formatDateTime, formatNumber, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { badgeProps, statusColor, valueLabel } from './labels';
import { CampaignStatistics } from './campaign-statistics';

type Campaign = MarketingSchema<'CampaignViewDto'>;
type Action = 'start' | 'pause' | 'resume' | 'close';

/** `/marketing/campaigns/:id`: the campaign, its run (start, pause, resume, close), its recipients and its statistics. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const campaign = $marketing.useQuery(
    'get',
    '/campaigns/{campaignId}',
    { params: { path: { campaignId: id } } },
    { refetchInterval: (q) => (q.state.data && ['running', 'scheduled'].includes(q.state.data.status) && q.state.data.counts.pending > 0 ? 2_000 : false) },
  );
  return <QueryState query={campaign}>{(c) => <CampaignView campaign={c} />}</QueryState>;
}

function CampaignView({ campaign: c }: { campaign: Campaign }) {
  const queries = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<Action>();
  const [closing, closeModal] = useDisclosure(false);
  const [reason, setReason] = useState('');
  const segment = $marketing.useQuery(
    'get',
    '/segments/{id}',
    { params: { path: { id: c.audience.segmentId ?? '' } } },
    { enabled: c.audience.kind === 'segment' && !!c.audience.segmentId },
  );

  async function run(action: Action) {
    setBusy(action);
    setError(undefined);
    try {
      const params = { path: { campaignId: c.campaignId }, header: { 'if-match': `"${c.revision}"` } };
      const answer =
        action === 'close'
          ? await marketing.POST('/campaigns/{campaignId}/close', { params, body: reason.trim() ? { reason: reason.trim() } : {} })
          : action === 'pause'
            ? await marketing.POST('/campaigns/{campaignId}/pause', { params, body: {} })
            : action === 'start'
              ? await marketing.POST('/campaigns/{campaignId}/start', { params })
              : await marketing.POST('/campaigns/{campaignId}/resume', { params });
      const next = must(answer);
      notifications.show({ message: t('marketing.campaign.done', { status: valueLabel('status', next.status) }), color: 'green' });
      closeModal.close();
      await queries.invalidateQueries({ predicate: (q) => JSON.stringify(q.queryKey).includes('/campaigns') });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  }

  const audience =
    c.audience.kind === 'segment'
      ? t('marketing.campaign.segmentAudience', { name: segment.data?.name ?? c.audience.segmentId ?? '' })
      : c.audience.kind === 'list'
        ? t('marketing.campaign.listAudience', { count: c.audience.customerIds?.length ?? 0 })
        : t('marketing.campaign.triggeredAudience');
  const suppressed = Object.values(c.counts.suppressed as Record<string, number>).reduce((a, b) => a + b, 0);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start">
        <Title order={1}>{t('marketing.campaign.title', { name: c.name })}</Title>
        <Badge
          size="lg"
          role="status"
          {...badgeProps(statusColor[c.status])}
          aria-label={`${t('marketing.campaign.status')}: ${valueLabel('status', c.status)}`}
        >
          {valueLabel('status', c.status)}
        </Badge>
      </Group>
      <Card withBorder>
        <Stack gap={6}>
          <Text>
            <b>{t('marketing.campaign.audience')}:</b>{' '}
            {c.audience.kind === 'segment' && c.audience.segmentId ? <Link to={`/marketing/segments/${c.audience.segmentId}`}>{audience}</Link> : audience}
          </Text>
          <Text>
            <b>{t('marketing.campaign.purpose')}:</b> {c.purpose}
          </Text>
          {c.steps.map((s) => (
            <Text key={s.stepId} size="sm">
              {t('marketing.campaign.step', { id: s.stepId, channel: valueLabel('channel', s.channel), delay: s.delayMinutes })} ·{' '}
              {s.variants.map((v) => v.variantId).join(', ')}
            </Text>
          ))}
          {c.startedAt && <Text size="sm">{t('marketing.campaign.startedAt', { at: formatDateTime(c.startedAt) })}</Text>}
          {c.closedAt && <Text size="sm">{t('marketing.campaign.closedAt', { at: formatDateTime(c.closedAt) })}</Text>}
        </Stack>
        <Group mt="md" gap="sm">
          {(c.status === 'draft' || c.status === 'scheduled') && (
            <Button leftSection={<IconPlayerPlay size={16} />} loading={busy === 'start'} onClick={() => void run('start')}>
              {t('marketing.campaign.start')}
            </Button>
          )}
          {c.status === 'running' && (
            <Button variant="default" leftSection={<IconPlayerPause size={16} />} loading={busy === 'pause'} onClick={() => void run('pause')}>
              {t('marketing.campaign.pause')}
            </Button>
          )}
          {c.status === 'paused' && (
            <Button leftSection={<IconPlayerPlay size={16} />} loading={busy === 'resume'} onClick={() => void run('resume')}>
              {t('marketing.campaign.resume')}
            </Button>
          )}
          {c.status !== 'closed' && (
            <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} />} onClick={closeModal.open}>
              {t('marketing.campaign.close')}
            </Button>
          )}
        </Group>
        {error !== undefined && !closing && (
          <Stack mt="sm">
            <ErrorAlert error={error} />
          </Stack>
        )}
      </Card>
      <Modal opened={closing} onClose={closeModal.close} title={t('marketing.campaign.close')}>
        <Stack>
          <Text>{t('marketing.campaign.closeConfirm')}</Text>
          <Textarea label={t('marketing.campaign.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          {error !== undefined && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={closeModal.close}>
              {t('cancel')}
            </Button>
            <Button color="red" loading={busy === 'close'} onClick={() => void run('close')}>
              {t('confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>

      <section aria-labelledby="campaign-counts">
        <Title order={2} id="campaign-counts" mb="sm">
          {t('marketing.campaign.counts')}
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }}>
          {(
            [
              ['audience', c.counts.audience],
              ['control', c.counts.control],
              ['sent', c.counts.sent],
              ['suppressed', suppressed],
              ['bounced', c.counts.bounced],
              ['pending', c.counts.pending + c.counts.deferred],
            ] as const
          ).map(([key, value]) => (
            <Card key={key} withBorder padding="sm">
              <Text size="sm" c="dimmed">
                {t(`marketing.campaign.${key}`)}
              </Text>
              <Text size="xl" fw={700} data-testid={`count-${key}`}>
                {formatNumber(value)}
              </Text>
            </Card>
          ))}
        </SimpleGrid>
      </section>

      {c.status === 'draft' || c.status === 'scheduled' ? (
        <Text c="dimmed">{t('marketing.statistics.notStarted')}</Text>
      ) : (
        <CampaignStatistics campaignId={c.campaignId} />
      )}
      {c.status !== 'draft' && c.status !== 'scheduled' && <Recipients campaignId={c.campaignId} />}
    </Stack>
  );
}

function Recipients({ campaignId }: { campaignId: string }) {
  const messages = $marketing.useQuery('get', '/campaigns/{campaignId}/messages', { params: { path: { campaignId }, query: { limit: 20 } } });
  return (
    <section aria-labelledby="campaign-recipients">
      <Title order={2} id="campaign-recipients" mb="sm">
        {t('marketing.campaign.messages')}
      </Title>
      <QueryState query={messages}>
        {(page) => (
          <Table.ScrollContainer minWidth={520} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
            <Table striped aria-labelledby="campaign-recipients">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('marketing.campaign.recipient')}</Table.Th>
                  <Table.Th>{t('marketing.campaign.group')}</Table.Th>
                  <Table.Th>{t('marketing.campaign.messageStatus')}</Table.Th>
                  <Table.Th>{t('marketing.campaign.variant')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((r) => (
                  <Table.Tr key={r.customerId + (r.firingId ?? '')}>
                    <Table.Td>
                      <Link to={`/marketing/consent/${r.customerId}`}>{r.customerId.slice(0, 8)}</Link>
                    </Table.Td>
                    <Table.Td>{t(`marketing.campaign.groups.${r.group}`)}</Table.Td>
                    <Table.Td>{r.messages.map((m) => (m.reason ? `${m.status} (${m.reason})` : m.status)).join(', ') || '—'}</Table.Td>
                    <Table.Td>{r.messages.map((m) => m.variantId ?? '—').join(', ') || '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </section>
  );
}
