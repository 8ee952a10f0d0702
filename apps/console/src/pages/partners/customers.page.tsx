import { useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Modal, Select, Stack, Table, Text, TextInput, Textarea, Timeline, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $partner, must, partnerPortal, type PartnerSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { usePrincipal } from '../../auth/use-session';
import { formatDate, formatDateTime, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { notifySaved } from './shared';
import { everyValue } from '../../api/enums';

/** The customers shared with the signed-in partner (GET /customers as the partner), searchable, paged. */
export function PartnerCustomersPage() {
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 300);
  // TanStack's own infinite query: the first page has no cursor at all (the portal refuses any cursor it did not give out).
  const list = useInfiniteQuery({
    queryKey: ['get', '/customers', 'pages', query],
    queryFn: async ({ pageParam }) =>
      must(
        await partnerPortal.GET('/customers', {
          params: { query: { limit: 50, sort: query ? 'relevance' : 'name', ...(query && { q: query }), ...(pageParam && { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <Title order={1}>{t('partners.customers.title')}</Title>
      <Text c="dimmed">{t('partners.customers.intro')}</Text>
      <TextInput label={t('partners.customers.search')} type="search" value={q} onChange={(e) => setQ(e.currentTarget.value)} maw={420} />
      <QueryState query={list}>
        {() =>
          items.length === 0 ? (
            <Text>{t('partners.customers.none')}</Text>
          ) : (
            <>
              <Text size="sm" c="dimmed" aria-live="polite">
                {t('partners.customers.count', { count: items.length })}
              </Text>
              <Table.ScrollContainer minWidth={560}>
                <Table striped highlightOnHover aria-label={t('partners.customers.title')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('partners.customers.name')}</Table.Th>
                      <Table.Th>{t('partners.customers.kind')}</Table.Th>
                      <Table.Th>{t('partners.customers.stage')}</Table.Th>
                      <Table.Th>{t('partners.customers.lastInteraction')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((c) => (
                      <Table.Tr key={c.customerId}>
                        <Table.Td>
                          <Anchor component={Link} to={`/partners/customers/${c.customerId}`}>
                            {c.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{t(`partners.customers.${c.kind}`)}</Table.Td>
                        <Table.Td>{c.journeyStage}</Table.Td>
                        <Table.Td>{c.lastInteractionAt ? formatDateTime(c.lastInteractionAt) : '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {list.hasNextPage && (
                <Button variant="light" w="fit-content" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {t('more')}
                </Button>
              )}
            </>
          )
        }
      </QueryState>
    </Stack>
  );
}

type Episode = PartnerSchema<'TimelineEpisodeDto'>;
const CHANNELS = everyValue<PartnerSchema<'TimelineInteractionDto'>['channel']>()(['face-to-face', 'phone', 'email', 'web', 'sms', 'mail', 'portal', 'ivr']);

/** A shared customer and the history the partner may see (GET /customers/{id}, /timeline as the partner): a 404 for anything not shared. */
export function PartnerCustomerPage() {
  const { id = '' } = useParams();
  const principal = usePrincipal();
  const customer = $partner.useQuery('get', '/customers/{id}', { params: { path: { id } } });
  const timeline = $partner.useQuery(
    'get',
    '/customers/{id}/timeline',
    { params: { path: { id }, query: { order: 'newest-first', limit: 100 } } },
    { enabled: customer.isSuccess },
  );
  const [recordOn, setRecordOn] = useState<Episode | null>(null);
  const ownPartner = principal.kind === 'partner' ? principal.partnerId : '';

  return (
    <Stack>
      <Anchor component={Link} to="/partners/customers" size="sm">
        {t('partners.customer.back')}
      </Anchor>
      <QueryState query={customer}>
        {(c) => (
          <>
            <Title order={1}>{c.name}</Title>
            <Group gap="xs">
              <Badge color="gray.7">{t(`partners.customers.${c.kind}`)}</Badge>
              <Badge color="blue.9">{c.journeyStage}</Badge>
              <Text size="sm" c="dimmed">
                {t('partners.customers.registered')}: {formatDate(c.registeredAt)}
              </Text>
            </Group>
            {c.contacts.length > 0 && (
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  {t('partners.customer.contacts')}
                </Title>
                {c.contacts.map((k, i) => (
                  <Text key={i} size="sm">
                    {Object.values(k)
                      .filter((v) => typeof v === 'string')
                      .join(' · ')}
                  </Text>
                ))}
              </Card>
            )}
            <Title order={2} size="h3">
              {t('partners.customer.history')}
            </Title>
            <QueryState query={timeline}>
              {(page) =>
                page.episodes.length === 0 ? (
                  <Text>{t('partners.customer.noHistory')}</Text>
                ) : (
                  <Stack>
                    {page.episodes.map((e) => (
                      <EpisodeCard
                        key={e.episodeId}
                        episode={e}
                        own={e.owner.kind === 'partner' && e.owner.partnerId === ownPartner}
                        onRecord={() => setRecordOn(e)}
                      />
                    ))}
                  </Stack>
                )
              }
            </QueryState>
          </>
        )}
      </QueryState>
      <RecordInteractionModal episode={recordOn} onClose={() => setRecordOn(null)} />
    </Stack>
  );
}

function EpisodeCard({ episode: e, own, onRecord }: { episode: Episode; own: boolean; onRecord: () => void }) {
  const owner = own
    ? t('partners.customer.ownerPartner')
    : e.owner.kind === 'partner'
      ? t('partners.customer.ownerOtherPartner')
      : t('partners.customer.ownerDepartment', { department: e.owner.department ?? '' });
  return (
    <Card withBorder component="article" aria-label={e.name}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={3} size="h5">
            {e.name}
          </Title>
          <Text size="sm" c="dimmed">
            {e.episodeType} · {owner} · {t('partners.customer.opened', { date: formatDate(e.openedAt) })}
            {e.stage ? ` · ${e.stage}` : ''}
          </Text>
          {e.closed && <Text size="sm">{t('partners.customer.closed', { date: formatDate(e.closed.closedAt), outcome: e.closed.outcome })}</Text>}
        </div>
        {own && !e.closed && (
          <Button size="xs" variant="light" onClick={onRecord} aria-label={t('partners.customer.recordFor', { episode: e.name })}>
            {t('partners.customer.record')}
          </Button>
        )}
      </Group>
      {e.interactions.length === 0 ? (
        <Text size="sm" mt="xs">
          {t('partners.customer.noInteractions')}
        </Text>
      ) : (
        <Timeline mt="sm" bulletSize={14} lineWidth={2} aria-label={t('partners.customer.interactions')}>
          {e.interactions.map((i) => (
            <Timeline.Item key={i.interactionId} title={i.action}>
              <Text size="xs" c="dimmed">
                {formatDateTime(i.occurredAt)} · {i.channel} · {i.direction}
              </Text>
              {i.response && <Text size="sm">{i.response}</Text>}
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Card>
  );
}

function RecordInteractionModal({ episode, onClose }: { episode: Episode | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [channel, setChannel] = useState<string | null>('phone');
  const [direction, setDirection] = useState<string | null>('outbound');
  const [action, setAction] = useState('');
  const [response, setResponse] = useState('');
  const record = $partner.useMutation('post', '/episodes/{id}/interactions', {
    onSuccess: async (r) => {
      notifySaved(t('partners.customer.recorded'));
      setAction('');
      setResponse('');
      onClose();
      // The timeline is a read model: the interaction joins it a moment after the answer.
      await refetchUntil<PartnerSchema<'PartnerTimelinePageDto'>>(queryClient, ['get', '/customers/{id}/timeline'], (page) =>
        page.episodes.some((e) => e.interactions.some((i) => i.interactionId === r.interactionId)),
      );
    },
  });
  return (
    <Modal opened={episode !== null} onClose={onClose} title={episode ? t('partners.customer.recordFor', { episode: episode.name }) : ''}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (!episode) return;
          record.mutate({
            params: { path: { id: episode.episodeId } },
            body: {
              channel: channel as (typeof CHANNELS)[number],
              direction: direction as 'inbound' | 'outbound',
              action,
              ...(response && { response }),
              actorKind: 'partner-user',
            },
          });
        }}
      >
        <Stack>
          <Select label={t('partners.customer.channel')} data={[...CHANNELS]} value={channel} onChange={setChannel} allowDeselect={false} />
          <Select
            label={t('partners.customer.direction')}
            data={[
              { value: 'outbound', label: t('partners.customer.outbound') },
              { value: 'inbound', label: t('partners.customer.inbound') },
            ]}
            value={direction}
            onChange={setDirection}
            allowDeselect={false}
          />
          <TextInput label={t('partners.customer.action')} value={action} onChange={(e) => setAction(e.currentTarget.value)} required />
          <Textarea label={t('partners.customer.response')} value={response} onChange={(e) => setResponse(e.currentTarget.value)} />
          {record.error && <ErrorAlert error={record.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={record.isPending}>
              {t('save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
