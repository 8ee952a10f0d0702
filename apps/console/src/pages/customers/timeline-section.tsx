import { useState } from 'react';
import { Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { must, sales } from '../../api/clients';
import { formatDateTime, formatMoney, t } from '../../i18n/t';
import { ErrorAlert } from '../../ui/query-state';
import { CHANNELS, DEPARTMENTS, EPISODE_TYPES, label, options } from './labels';
import { mergePages, type TimelineEpisode, type TimelineFilter, type TimelinePage } from './timeline';

function ownerText(e: TimelineEpisode): string {
  return e.owner.kind === 'department'
    ? t('customers.timeline.ownerDepartment', { department: t(`departments.${e.owner.department as 'sales'}`) })
    : t('customers.timeline.ownerPartner', { partner: e.owner.partnerId.slice(0, 8) });
}

/** The relationship: episodes with their interactions, newest first, filtered by the API; as of the slider's moment. */
export function TimelineSection({ customerId, asOf, partners }: { customerId: string; asOf: string | null; partners: string[] }) {
  const [filter, setFilter] = useState<TimelineFilter>({});
  const set = (k: keyof TimelineFilter) => (v: string | null) => setFilter((f) => ({ ...f, [k]: v ?? undefined }));
  const timeline = useInfiniteQuery({
    queryKey: ['customer', customerId, 'timeline', asOf, filter],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      must(
        await sales.GET('/customers/{id}/timeline', {
          params: {
            path: { id: customerId },
            query: {
              order: 'newest-first',
              limit: 50,
              ...(asOf && { asOf }),
              ...(pageParam && { cursor: pageParam }),
              ...(filter.department && { department: filter.department as 'sales' }),
              ...(filter.partnerId && { partnerId: filter.partnerId }),
              ...(filter.channel && { channel: filter.channel as 'phone' }),
              ...(filter.episodeType && { episodeType: filter.episodeType as 'case' }),
            },
          },
          signal,
        }),
      ) as unknown as TimelinePage,
    getNextPageParam: (last) => last.nextCursor,
    // the episodes shown stay until the next filter's or moment's arrive
    placeholderData: keepPreviousData,
  });
  const episodes = mergePages(timeline.data?.pages ?? []);
  return (
    <Card withBorder component="section" aria-labelledby="customer-timeline">
      <Group justify="space-between">
        <Title order={2} size="h4" id="customer-timeline">
          {t('customers.timeline.title')}
        </Title>
        <Text size="sm">{t('customers.timeline.newestFirst')}</Text>
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} mt="sm" role="group" aria-label={t('customers.list.filters')}>
        <Select
          label={t('customers.timeline.department')}
          placeholder={t('customers.timeline.any')}
          data={DEPARTMENTS.map((d) => ({ value: d, label: t(`departments.${d}`) }))}
          value={filter.department ?? null}
          onChange={set('department')}
          clearable
        />
        <Select
          label={t('customers.timeline.partner')}
          placeholder={t('customers.timeline.any')}
          data={partners.map((p) => ({ value: p, label: t('customers.timeline.ownerPartner', { partner: p.slice(0, 8) }) }))}
          value={filter.partnerId ?? null}
          onChange={set('partnerId')}
          clearable
        />
        <Select
          label={t('customers.timeline.channel')}
          placeholder={t('customers.timeline.any')}
          data={options('channels', CHANNELS)}
          value={filter.channel ?? null}
          onChange={set('channel')}
          clearable
        />
        <Select
          label={t('customers.timeline.type')}
          placeholder={t('customers.timeline.any')}
          data={options('episodeTypes', EPISODE_TYPES)}
          value={filter.episodeType ?? null}
          onChange={set('episodeType')}
          clearable
        />
      </SimpleGrid>
      <Stack mt="md" aria-busy={timeline.isFetching}>
        {timeline.error ? (
          <ErrorAlert error={timeline.error} onRetry={() => void timeline.refetch()} />
        ) : !timeline.isPending && episodes.length === 0 ? (
          <Text>{t('customers.timeline.empty')}</Text>
        ) : (
          <Timeline bulletSize={14} lineWidth={2} active={-1} aria-label={t('customers.timeline.title')}>
            {episodes.map((e) => (
              <Timeline.Item
                key={e.episodeId}
                title={
                  <Title order={3} size="h5">
                    {e.name}
                  </Title>
                }
              >
                <Group gap={6} mt={4} wrap="wrap">
                  <Badge variant="light" c="dark.7">
                    {label('episodeTypes', e.episodeType)}
                  </Badge>
                  <Badge variant="outline" color="gray" c="dark.7">
                    {ownerText(e)}
                  </Badge>
                  {e.stage && <Text size="sm">{t('customers.timeline.stage', { stage: e.stage })}</Text>}
                </Group>
                <Text size="sm" mt={4}>
                  {t('customers.timeline.opened', { date: formatDateTime(e.openedAt) })}
                  {' · '}
                  {e.closed
                    ? t('customers.timeline.closed', {
                        date: formatDateTime(e.closed.closedAt),
                        outcome:
                          e.closed.value !== undefined && e.closed.currency
                            ? `${e.closed.outcome} ${formatMoney(e.closed.value, e.closed.currency)}`
                            : e.closed.outcome,
                      })
                    : t('customers.timeline.open')}
                </Text>
                {e.interactions.length > 0 && (
                  <Stack
                    component="ul"
                    gap={6}
                    mt="xs"
                    pl={0}
                    style={{ listStyle: 'none' }}
                    aria-label={t('customers.timeline.interactions', { count: e.interactions.length })}
                  >
                    {e.interactions.map((i) => (
                      <li key={i.interactionId}>
                        <Text size="sm" fw={600}>
                          {i.action}
                        </Text>
                        <Text size="xs">
                          {t('customers.timeline.interaction', {
                            channel: label('channels', i.channel),
                            direction: label('directions', i.direction),
                            date: formatDateTime(i.occurredAt),
                          })}
                        </Text>
                        {i.response && <Text size="xs">{t('customers.timeline.response', { response: i.response })}</Text>}
                      </li>
                    ))}
                  </Stack>
                )}
              </Timeline.Item>
            ))}
          </Timeline>
        )}
        {timeline.hasNextPage && (
          <Button variant="light" w="fit-content" loading={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
            {t('customers.timeline.loadMore')}
          </Button>
        )}
      </Stack>
    </Card>
  );
}
