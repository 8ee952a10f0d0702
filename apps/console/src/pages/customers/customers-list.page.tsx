import { useMemo } from 'react';
import { Anchor, Badge, Button, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { withParam } from '../../ui/address';
import { must, sales } from '../../api/clients';
import { formatDate, formatDateTime, t } from '../../i18n/t';
import { ErrorAlert } from '../../ui/query-state';
import { JOURNEY_STAGES, KINDS, label, options, PHASES, SORTS } from './labels';

const FILTERS = ['q', 'kind', 'journeyStage', 'relationshipPhase', 'tag', 'owner', 'sort'] as const;

/** Customers: search, filter, sort, page on ("Load more"); each row opens the customer's 360 page. The filters live in the address. */
export function CustomersListPage() {
  const [params, setParams] = useSearchParams();
  const value = (k: (typeof FILTERS)[number]) => params.get(k) ?? '';
  const set = (k: (typeof FILTERS)[number], v: string | null) => setParams(withParam(k, v), { replace: true });
  const [q] = useDebouncedValue(value('q').trim(), 250);
  const [tag] = useDebouncedValue(value('tag').trim(), 250);
  const [owner] = useDebouncedValue(value('owner').trim(), 250);
  const kind = value('kind');
  const journeyStage = value('journeyStage');
  const relationshipPhase = value('relationshipPhase');
  const sort = value('sort');
  const query = useMemo(
    () => ({
      ...(q && { q }),
      ...(kind && { kind: kind as 'person' }),
      ...(journeyStage && { journeyStage: journeyStage as 'prospect' }),
      ...(relationshipPhase && { relationshipPhase: relationshipPhase as 'awareness' }),
      ...(tag && { tag }),
      ...(owner && { owner }),
      ...(sort && { sort: sort as 'name' }),
      limit: 25,
    }),
    [q, tag, owner, kind, journeyStage, relationshipPhase, sort],
  );
  const list = useInfiniteQuery({
    queryKey: ['sales', 'customers', 'list', query],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      must(await sales.GET('/customers', { params: { query: { ...query, ...(pageParam && { cursor: pageParam }) } }, signal })),
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const anyFilter = FILTERS.some((k) => k !== 'sort' && value(k));

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{t('customers.list.title')}</Title>
        <Anchor component={Link} to="/customers/duplicates">
          {t('customers.list.duplicates')}
        </Anchor>
      </Group>
      <TextInput
        label={t('customers.list.search')}
        placeholder={t('customers.list.searchPlaceholder')}
        leftSection={<IconSearch size={16} />}
        value={value('q')}
        onChange={(e) => set('q', e.currentTarget.value)}
        type="search"
      />
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 6 }} role="group" aria-label={t('customers.list.filters')}>
        <Select
          label={t('customers.list.kind')}
          placeholder={t('customers.list.any')}
          data={options('kinds', KINDS)}
          value={value('kind') || null}
          onChange={(v) => set('kind', v)}
          clearable
        />
        <Select
          label={t('customers.list.journeyStage')}
          placeholder={t('customers.list.any')}
          data={options('journey', JOURNEY_STAGES)}
          value={value('journeyStage') || null}
          onChange={(v) => set('journeyStage', v)}
          clearable
        />
        <Select
          label={t('customers.list.relationshipPhase')}
          placeholder={t('customers.list.any')}
          data={options('phases', PHASES)}
          value={value('relationshipPhase') || null}
          onChange={(v) => set('relationshipPhase', v)}
          clearable
        />
        <TextInput label={t('customers.list.tag')} value={value('tag')} onChange={(e) => set('tag', e.currentTarget.value.toLowerCase())} />
        <TextInput label={t('customers.list.owner')} value={value('owner')} onChange={(e) => set('owner', e.currentTarget.value)} />
        <Select
          label={t('customers.list.sort')}
          data={options('sorts', SORTS)}
          value={value('sort') || (q ? 'relevance' : 'name')}
          onChange={(v) => set('sort', v)}
          allowDeselect={false}
        />
      </SimpleGrid>
      {anyFilter && (
        <Button variant="subtle" w="fit-content" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
          {t('customers.list.clear')}
        </Button>
      )}
      {list.error ? (
        <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={720} type="native" tabIndex={0} role="region" aria-label={t('customers.list.caption')}>
            <Table striped highlightOnHover aria-busy={list.isFetching}>
              <Table.Caption>{t('customers.list.caption')}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('customers.list.name')}</Table.Th>
                  <Table.Th>{t('customers.list.kind')}</Table.Th>
                  <Table.Th>{t('customers.list.journeyStage')}</Table.Th>
                  <Table.Th>{t('customers.list.relationshipPhase')}</Table.Th>
                  <Table.Th>{t('customers.list.owner')}</Table.Th>
                  <Table.Th>{t('customers.list.tag')}</Table.Th>
                  <Table.Th>{t('customers.list.lastInteraction')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((c) => (
                  <Table.Tr key={c.customerId}>
                    <Table.Td>
                      <Anchor component={Link} to={`/customers/${c.customerId}`}>
                        {c.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{label('kinds', c.kind)}</Table.Td>
                    <Table.Td>{label('journey', c.journeyStage)}</Table.Td>
                    <Table.Td>{label('phases', c.relationshipPhase)}</Table.Td>
                    <Table.Td>{c.owner ?? ''}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {c.tags.map((tg) => (
                          <Badge key={tg} variant="light" color="gray" c="dark.7">
                            {tg}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>{c.lastInteractionAt ? formatDateTime(c.lastInteractionAt) : formatDate(c.registeredAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {!list.isPending && items.length === 0 && <Text>{t('customers.list.empty')}</Text>}
          <Group>
            <Text size="sm" aria-live="polite">
              {t('customers.list.count', { count: items.length })}
            </Text>
            {list.hasNextPage && (
              <Button variant="light" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {t('more')}
              </Button>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}
