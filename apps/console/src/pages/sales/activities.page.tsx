import { useState } from 'react';
import { Badge, Button, Group, Modal, Stack, Table, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { $sales, must, sales, type SalesSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { formatDateTime, t } from '../../i18n/t';
import { errorText, QueryState } from '../../ui/query-state';
import { CustomerLink, useCustomerNames, notifySuccess } from './shared';

type Activity = SalesSchema<'ActivityListItemDto'>;

export function ActivitiesPage() {
  const due = $sales.useQuery('get', '/activities/due', { params: { query: { limit: 100 } } });
  const names = useCustomerNames((due.data?.items ?? []).map((a) => a.customerId));
  const [completing, setCompleting] = useState<Activity | null>(null);
  return (
    <Stack>
      <Title order={1}>{t('sales.activities.title')}</Title>
      <Text c="dimmed">{t('sales.activities.intro')}</Text>
      <QueryState query={due}>
        {(data) =>
          data.items.length ? (
            <Table.ScrollContainer minWidth={640}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('sales.activities.when')}</Table.Th>
                    <Table.Th>{t('sales.activities.kind')}</Table.Th>
                    <Table.Th>{t('sales.activities.subject')}</Table.Th>
                    <Table.Th>{t('sales.activities.customer')}</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>{t('sales.activities.complete')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((a) => (
                    <Table.Tr key={a.activityId}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Text size="sm">{formatDateTime(a.dueAt)}</Text>
                          {a.overdue ? (
                            <Badge color="red" variant="filled" size="sm">
                              {t('sales.activities.overdue')}
                            </Badge>
                          ) : (
                            <Badge color="blue" variant="light" size="sm">
                              {t('sales.activities.dueSoon')}
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>{t(`sales.activities.kinds.${a.kind as 'task'}`)}</Table.Td>
                      <Table.Td>{a.subject}</Table.Td>
                      <Table.Td>
                        <CustomerLink id={a.customerId} name={names.get(a.customerId)} />
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          variant="light"
                          aria-label={t('sales.activities.completeLabel', { subject: a.subject })}
                          onClick={() => setCompleting(a)}
                        >
                          {t('sales.activities.complete')}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : (
            <Text>{t('sales.activities.none')}</Text>
          )
        }
      </QueryState>
      <CompleteModal activity={completing} onClose={() => setCompleting(null)} />
    </Stack>
  );
}

function CompleteModal({ activity, onClose }: { activity: Activity | null; onClose(): void }) {
  const queryClient = useQueryClient();
  const [response, setResponse] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit() {
    if (!activity) return;
    setBusy(true);
    setError(null);
    try {
      must(
        await sales.POST('/activities/{id}/completion', {
          params: { path: { id: activity.activityId } },
          body: { direction: 'outbound', ...(response.trim() && { response: response.trim() }) },
        }),
      );
      notifySuccess(t('sales.activities.completed', { subject: activity.subject }));
      setResponse('');
      onClose();
      // The list of due activities is a read model: asked again until the completed one has left it.
      await refetchUntil<SalesSchema<'ActivityListPageDto'>>(queryClient, ['get', '/activities/due'], (page) =>
        page.items.every((a) => a.activityId !== activity.activityId),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      opened={activity !== null}
      onClose={onClose}
      title={activity ? t('sales.activities.completeTitle', { subject: activity.subject }) : ''}
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
            label={t('sales.activities.response')}
            value={response}
            onChange={(e) => setResponse(e.currentTarget.value)}
            maxLength={2000}
            data-autofocus
          />
          <Group justify="end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {t('sales.activities.complete')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
