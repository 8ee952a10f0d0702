import { useState } from 'react';
import { Button, Card, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { must, sales, type SalesSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { formatDateTime, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';

type Merge = SalesSchema<'CustomerMergeViewDto'>;

/** The duplicates merged into this customer, each with an unmerge (confirmed first). */
export function MergesCard({ customerId }: { customerId: string }) {
  const queryClient = useQueryClient();
  const merges = useQuery({
    queryKey: ['customer', customerId, 'merges'],
    queryFn: async ({ signal }) => must(await sales.GET('/customers/{id}/merges', { params: { path: { id: customerId } }, signal })),
  });
  const [confirming, setConfirming] = useState<Merge | null>(null);
  const unmerge = useMutation({
    mutationFn: async (m: Merge) => must(await sales.DELETE('/customers/{id}/merges/{mergeId}', { params: { path: { id: customerId, mergeId: m.mergeId } } })),
    onSuccess: async (_r, m) => {
      setConfirming(null);
      notifications.show({ message: t('customers.merges.unmerged'), color: 'green' });
      await queryClient.invalidateQueries({ queryKey: ['customer'], refetchType: 'none' });
      // The merges are a read model: asked again until the undone one has left the list.
      await refetchUntil<SalesSchema<'CustomerMergeListDto'>>(queryClient, ['customer', customerId, 'merges'], (list) =>
        list.items.every((x) => x.mergeId !== m.mergeId),
      );
      await queryClient.refetchQueries({ queryKey: ['customer'], type: 'active' });
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="customer-merges">
      <Title order={2} size="h4" id="customer-merges" mb="xs">
        {t('customers.merges.title')}
      </Title>
      <QueryState query={merges}>
        {(m) =>
          m.items.length === 0 ? (
            <Text>{t('customers.merges.none')}</Text>
          ) : (
            <Stack gap="xs">
              {m.items.map((merge) => (
                <Group key={merge.mergeId} justify="space-between" wrap="wrap">
                  <div>
                    <Text fw={600}>{merge.duplicateName}</Text>
                    <Text size="sm">{t('customers.merges.mergedAt', { date: formatDateTime(merge.mergedAt) })}</Text>
                  </div>
                  <Button variant="light" color="red" size="xs" onClick={() => setConfirming(merge)}>
                    {t('customers.merges.unmerge', { name: merge.duplicateName })}
                  </Button>
                </Group>
              ))}
            </Stack>
          )
        }
      </QueryState>
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title={t('customers.merges.unmergeTitle')}>
        <Text>{t('customers.merges.unmergeBody', { name: confirming?.duplicateName ?? '' })}</Text>
        {unmerge.error && <ErrorAlert error={unmerge.error} />}
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirming(null)}>
            {t('cancel')}
          </Button>
          <Button color="red" loading={unmerge.isPending} onClick={() => confirming && unmerge.mutate(confirming)}>
            {t('confirm')}
          </Button>
        </Group>
      </Modal>
    </Card>
  );
}
