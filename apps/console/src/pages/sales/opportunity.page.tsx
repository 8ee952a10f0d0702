import { useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $sales, must, sales, type SalesSchema } from '../../api/clients';
import { formatDate, formatDateTime, formatMoney, formatNumber, t, type MessageKey } from '../../i18n/t';
import { errorText, QueryState } from '../../ui/query-state';
import { CustomerLink, etagOf, stageName, useCustomerNames, notifySuccess } from './shared';

type Opportunity = SalesSchema<'OpportunityDto'>;

const duration = (ms: number) =>
  ms >= 86_400_000
    ? t('sales.opportunity.days', { days: formatNumber(ms / 86_400_000, 1) })
    : t('sales.opportunity.hours', { hours: formatNumber(ms / 3_600_000, 1) });

export function OpportunityPage() {
  const { id = '' } = useParams();
  const query = useQuery({
    queryKey: ['sales', 'opportunity', id],
    queryFn: async () => {
      const answer = await sales.GET('/opportunities/{id}', { params: { path: { id } } });
      return { opportunity: must(answer) as Opportunity, etag: etagOf(answer.response) };
    },
  });
  return <QueryState query={query}>{({ opportunity, etag }) => <OpportunityView o={opportunity} etag={etag} />}</QueryState>;
}

function OpportunityView({ o, etag }: { o: Opportunity; etag?: string }) {
  const names = useCustomerNames([o.customerId]);
  const [closing, setClosing] = useState<'won' | 'lost' | null>(null);
  const quotes = $sales.useQuery('get', '/quotes', { params: { query: { opportunityId: o.opportunityId } } });
  const field = (label: MessageKey, value: React.ReactNode) => (
    <div>
      <Text size="xs" c="dimmed">
        {t(label)}
      </Text>
      <Text size="sm" component="div">
        {value ?? '—'}
      </Text>
    </div>
  );
  return (
    <Stack>
      <Group justify="space-between" align="start">
        <Title order={1}>{t('sales.opportunity.title', { name: o.name })}</Title>
        <Group>
          {o.status === 'open' && (
            <>
              <Button component={Link} to={`/sales/quotes/new?opportunityId=${o.opportunityId}`} variant="light">
                {t('sales.opportunity.newQuote')}
              </Button>
              <Button color="green" onClick={() => setClosing('won')}>
                {t('sales.opportunity.closeWon')}
              </Button>
              <Button color="red" variant="outline" onClick={() => setClosing('lost')}>
                {t('sales.opportunity.closeLost')}
              </Button>
            </>
          )}
        </Group>
      </Group>
      {o.closed && (
        <Text role="status">
          {t('sales.opportunity.closed', {
            outcome: t(`sales.opportunity.statuses.${o.closed.outcome as 'won' | 'lost'}`),
            date: formatDate(o.closed.closedAt),
            reason: o.closed.reason ?? '—',
          })}
        </Text>
      )}
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('sales.opportunity.details')}
        </Title>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          {field(
            'sales.opportunity.customer',
            <Group gap="xs">
              <CustomerLink id={o.customerId} name={names.get(o.customerId)} />
              <Anchor component={Link} to={`/customers/${o.customerId}`} size="xs">
                {t('sales.opportunity.openCustomer')}
              </Anchor>
            </Group>,
          )}
          {field('sales.opportunity.status', <Badge variant="light">{t(`sales.opportunity.statuses.${o.status as 'open' | 'won' | 'lost'}`)}</Badge>)}
          {field('sales.opportunity.stage', stageName(o.stage, o.stages))}
          {field('sales.opportunity.probability', `${o.probability} %`)}
          {field('sales.opportunity.amount', o.amount !== null && o.currency ? formatMoney(o.amount, o.currency) : null)}
          {field('sales.opportunity.closeDate', o.expectedCloseDate ? formatDate(o.expectedCloseDate) : null)}
          {field('sales.opportunity.owner', o.owner)}
          {field('sales.opportunity.team', o.team)}
          {field('sales.opportunity.pipeline', o.pipelineName)}
          {field('sales.opportunity.opened', formatDateTime(o.openedAt))}
          {field('sales.opportunity.nextStep', o.nextStep)}
          {field('sales.opportunity.competitors', o.competitors.length ? o.competitors.join(', ') : null)}
        </SimpleGrid>
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('sales.opportunity.history')}
          </Title>
          <Table.ScrollContainer minWidth={420}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sales.opportunity.at')}</Table.Th>
                  <Table.Th>{t('sales.opportunity.from')}</Table.Th>
                  <Table.Th>{t('sales.opportunity.to')}</Table.Th>
                  <Table.Th>{t('sales.opportunity.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {o.stageHistory.map((m, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{formatDateTime(m.at)}</Table.Td>
                    <Table.Td>{m.from ? stageName(m.from, o.stages) : t('sales.opportunity.openedHere')}</Table.Td>
                    <Table.Td>
                      {stageName(m.to, o.stages)}{' '}
                      {m.backward && (
                        <Badge color="red.9" variant="filled" size="sm">
                          {t('sales.opportunity.back')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{m.reason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('sales.opportunity.stages')}
          </Title>
          <Table.ScrollContainer minWidth={320}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sales.opportunity.stage')}</Table.Th>
                  <Table.Th>{t('sales.opportunity.timeSpent')}</Table.Th>
                  <Table.Th>{t('sales.opportunity.visits')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {o.stages.map((s) => (
                  <Table.Tr key={s.stageId} fw={s.current ? 700 : undefined}>
                    <Table.Td>{stageName(s.stageId, o.stages)}</Table.Td>
                    <Table.Td>{s.visits ? duration(s.timeSpentMs) : '—'}</Table.Td>
                    <Table.Td>{s.visits}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('sales.opportunity.interactions')}
          </Title>
          {o.interactions.length ? (
            <Timeline bulletSize={14} lineWidth={2}>
              {[...o.interactions].reverse().map((i) => (
                <Timeline.Item key={i.interactionId} title={formatDateTime(i.occurredAt)}>
                  <Text size="sm">
                    {t('sales.opportunity.interaction', { action: i.action, channel: i.channel, direction: i.direction, actor: i.actor.id })}
                  </Text>
                  {i.response && (
                    <Text size="sm" c="dimmed">
                      {t('sales.opportunity.response', { response: i.response })}
                    </Text>
                  )}
                </Timeline.Item>
              ))}
            </Timeline>
          ) : (
            <Text size="sm">{t('sales.opportunity.noInteractions')}</Text>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('sales.opportunity.quotes')}
          </Title>
          <QueryState query={quotes}>
            {(data) =>
              data.items.length ? (
                <Stack gap="xs">
                  {data.items.map((q) => (
                    <Group key={q.quoteId} justify="space-between">
                      <Anchor component={Link} to={`/sales/quotes/${q.quoteId}`} size="sm">
                        {t('sales.quote.title', { id: q.quoteId.slice(0, 8) })} · {t('sales.opportunity.quoteRow', { version: q.version })}
                      </Anchor>
                      <Text size="sm">
                        {formatMoney(q.grandTotal, q.currency)} · {t(`sales.quote.statuses.${q.status as 'draft'}`)}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              ) : (
                <Text size="sm">{t('sales.opportunity.noQuotes')}</Text>
              )
            }
          </QueryState>
        </Card>
      </SimpleGrid>
      <CloseModal o={o} etag={etag} outcome={closing} onClose={() => setClosing(null)} />
    </Stack>
  );
}

function CloseModal({ o, etag, outcome, onClose }: { o: Opportunity; etag?: string; outcome: 'won' | 'lost' | null; onClose(): void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit() {
    if (!outcome || !reason.trim()) return;
    setBusy(true);
    setError(null);
    try {
      must(
        await sales.POST('/opportunities/{id}/close', {
          params: { path: { id: o.opportunityId }, header: etag ? { 'if-match': etag } : undefined },
          body: { outcome, reason: reason.trim() },
        }),
      );
      notifySuccess(t('sales.opportunity.closedNotice', { name: o.name, outcome: t(`sales.opportunity.statuses.${outcome}`) }));
      setReason('');
      onClose();
      await queryClient.invalidateQueries({ queryKey: ['sales', 'opportunity'] });
      await queryClient.invalidateQueries({ queryKey: ['get', '/opportunities'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      opened={outcome !== null}
      onClose={onClose}
      title={outcome ? t('sales.opportunity.closeTitle', { name: o.name, outcome: t(`sales.opportunity.statuses.${outcome}`) }) : ''}
      closeButtonProps={{ 'aria-label': t('cancel') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          {error !== null && (
            <Text c="red.8" size="sm" role="alert">
              {errorText(error)}
            </Text>
          )}
          <Textarea
            label={t('sales.opportunity.closeReason')}
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            maxLength={500}
            data-autofocus
          />
          <Group justify="end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={busy} disabled={!reason.trim()} color={outcome === 'won' ? 'green' : 'red'}>
              {outcome === 'won' ? t('sales.opportunity.closeWon') : t('sales.opportunity.closeLost')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
