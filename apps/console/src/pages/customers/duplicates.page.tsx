import { useState } from 'react';
import { Anchor, Button, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { must, sales } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { formatPercent, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';

/** A candidate pair as `GET /customers/duplicates` answers it (no response schema in its OpenAPI entry). */
interface DuplicatePair {
  customerIds: [string, string];
  names: [string, string];
  score: number;
  reason: string;
}

/** Possible duplicates, best first; merging a pair (confirmed first) keeps the first as the survivor. */
export function DuplicatesPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const pairs = useQuery({
    queryKey: ['customer', 'duplicates'],
    queryFn: async ({ signal }) => must(await sales.GET('/customers/duplicates', { params: { query: { limit: 100 } }, signal })) as unknown as DuplicatePair[],
  });
  const [confirming, setConfirming] = useState<DuplicatePair | null>(null);
  const merge = useMutation({
    mutationFn: async (p: DuplicatePair) =>
      must(await sales.POST('/customers/{id}/merges', { params: { path: { id: p.customerIds[0] } }, body: { duplicateId: p.customerIds[1] } })),
    onSuccess: async (_r, p) => {
      setConfirming(null);
      notifications.show({ message: t('customers.duplicates.merged'), color: 'green' });
      await queryClient.invalidateQueries({ queryKey: ['customer'], refetchType: 'none' });
      // The pairs are a read model: wait until the merged pair has left it, so the survivor's page
      // (its merges, read from the same read models) is read after the merge reached them.
      await refetchUntil<DuplicatePair[]>(queryClient, ['customer', 'duplicates'], (list) =>
        list.every((x) => !(x.customerIds.includes(p.customerIds[0]) && x.customerIds.includes(p.customerIds[1]))),
      );
      navigate(`/customers/${p.customerIds[0]}`);
    },
  });
  const vars = (p: DuplicatePair | null) => ({ survivor: p?.names[0] ?? '', duplicate: p?.names[1] ?? '' });
  return (
    <Stack>
      <Title order={1}>{t('customers.duplicates.title')}</Title>
      <Text>{t('customers.duplicates.intro')}</Text>
      <QueryState query={pairs}>
        {(list) =>
          list.length === 0 ? (
            <Text>{t('customers.duplicates.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={640} type="native" tabIndex={0} role="region" aria-label={t('customers.duplicates.caption')}>
              <Table striped>
                <Table.Caption>{t('customers.duplicates.caption')}</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('customers.duplicates.pair')}</Table.Th>
                    <Table.Th>{t('customers.duplicates.score')}</Table.Th>
                    <Table.Th>{t('customers.duplicates.reason')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((p) => (
                    <Table.Tr key={p.customerIds.join(':')}>
                      <Table.Td>
                        <Anchor component={Link} to={`/customers/${p.customerIds[0]}`}>
                          {p.names[0]}
                        </Anchor>
                        {' · '}
                        <Anchor component={Link} to={`/customers/${p.customerIds[1]}`}>
                          {p.names[1]}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{formatPercent(p.score)}</Table.Td>
                      <Table.Td>{p.reason}</Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="light" onClick={() => setConfirming(p)}>
                          {t('customers.duplicates.merge', vars(p))}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title={t('customers.duplicates.mergeTitle')}>
        <Text>{t('customers.duplicates.mergeBody', vars(confirming))}</Text>
        {merge.error && <ErrorAlert error={merge.error} />}
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirming(null)}>
            {t('cancel')}
          </Button>
          <Button loading={merge.isPending} onClick={() => confirming && merge.mutate(confirming)}>
            {t('confirm')}
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
