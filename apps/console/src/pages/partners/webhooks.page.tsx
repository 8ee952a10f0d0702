import { useState } from 'react';
import { Anchor, Button, Card, Group, Modal, MultiSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $partner, type PartnerSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { formatDateTime, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { notifySaved, SecretOnceModal, StatusBadge } from './shared';
import { everyValue } from '../../api/enums';

type Subscription = PartnerSchema<'WebhookSubscriptionDto'>;
type SubscriptionList = PartnerSchema<'WebhookSubscriptionListDto'>;
type EventType = Subscription['eventTypes'][number];
const EVENT_TYPES = everyValue<EventType>()([
  'EpisodeOpened',
  'InteractionRecorded',
  'OpportunityStageAdvanced',
  'OpportunityStageChanged',
  'EpisodeClosed',
  'CaseReopened',
  'ReturnRequested',
  'ReturnAuthorised',
  'ReturnDenied',
  'ReturnShipmentUpdated',
  'RepairAssigned',
  'RepairStatusChanged',
]);

/** The partner's webhook subscriptions (GET /webhooks): create, change, delete, rotate the secret (shown once). */
export function PartnerWebhooksPage() {
  const queryClient = useQueryClient();
  const list = $partner.useQuery('get', '/webhooks');
  const [editing, setEditing] = useState<Subscription | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Subscription | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['get', '/webhooks'] });
  const rotate = $partner.useMutation('post', '/webhooks/{id}/secret', {
    onSuccess: async (r) => {
      notifySaved(t('partners.webhooks.rotated'));
      setSecret(r.secret);
      await refresh();
    },
  });
  const remove = $partner.useMutation('delete', '/webhooks/{id}', {
    onSuccess: async () => {
      notifySaved(t('partners.webhooks.deleted'));
      setDeleting(null);
      await refresh();
    },
  });
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={1}>{t('partners.webhooks.title')}</Title>
        <Button onClick={() => setEditing('new')}>{t('partners.webhooks.create')}</Button>
      </Group>
      <Text c="dimmed">{t('partners.webhooks.intro')}</Text>
      {rotate.error && <ErrorAlert error={rotate.error} />}
      <QueryState query={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t('partners.webhooks.none')}</Text>
          ) : (
            <Stack>
              {page.items.map((s) => (
                <Card withBorder key={s.subscriptionId} component="article" aria-label={s.url}>
                  <Stack gap="xs">
                    <Title order={2} size="h5" style={{ overflowWrap: 'anywhere' }}>
                      {s.url}
                    </Title>
                    <Text size="sm" c="dimmed">
                      {s.eventTypes.join(', ')}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t('partners.webhooks.secretVersion', { version: s.secretVersion })} · {formatDateTime(s.changedAt)}
                    </Text>
                    <Group gap="xs">
                      <Button size="xs" component={Link} to={`/partners/webhooks/${s.subscriptionId}`} variant="light">
                        {t('partners.webhooks.deliveries')}
                      </Button>
                      <Button size="xs" variant="default" onClick={() => setEditing(s)}>
                        {t('partners.webhooks.edit')}
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        loading={rotate.isPending && rotate.variables?.params.path.id === s.subscriptionId}
                        onClick={() => rotate.mutate({ params: { path: { id: s.subscriptionId } } })}
                      >
                        {t('partners.webhooks.rotate')}
                      </Button>
                      <Button size="xs" variant="outline" color="red.9" onClick={() => setDeleting(s)}>
                        {t('partners.webhooks.delete')}
                      </Button>
                    </Group>
                  </Stack>
                </Card>
              ))}
            </Stack>
          )
        }
      </QueryState>
      <SubscriptionModal
        key={editing === null ? 'closed' : editing === 'new' ? 'new' : editing.subscriptionId}
        editing={editing}
        onClose={() => setEditing(null)}
        onCreated={(s) => setSecret(s)}
        onDone={(subscriptionId) =>
          // The list's membership is a read model: a new subscription joins it a moment after the answer.
          subscriptionId
            ? refetchUntil<SubscriptionList>(queryClient, ['get', '/webhooks'], (l) => l.items.some((w) => w.subscriptionId === subscriptionId))
            : refresh()
        }
      />
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('partners.webhooks.delete')}>
        <Stack>
          <Text style={{ overflowWrap: 'anywhere' }}>{t('partners.webhooks.deleteConfirm', { url: deleting?.url ?? '' })}</Text>
          {remove.error && <ErrorAlert error={remove.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              {t('cancel')}
            </Button>
            <Button color="red.9" loading={remove.isPending} onClick={() => deleting && remove.mutate({ params: { path: { id: deleting.subscriptionId } } })}>
              {t('partners.webhooks.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <SecretOnceModal secret={secret ? { secret, label: 'webhookSecret' } : null} onClose={() => setSecret(null)} />
    </Stack>
  );
}

function SubscriptionModal({
  editing,
  onClose,
  onCreated,
  onDone,
}: {
  editing: Subscription | 'new' | null;
  onClose: () => void;
  onCreated: (secret: string) => void;
  /** After a change; after a creation with the new subscription's id. */
  onDone: (created?: string) => Promise<unknown>;
}) {
  const existing = editing && editing !== 'new' ? editing : null;
  const [url, setUrl] = useState(existing?.url ?? '');
  const [types, setTypes] = useState<string[]>(existing?.eventTypes ?? ['InteractionRecorded', 'EpisodeClosed']);
  const create = $partner.useMutation('post', '/webhooks', {
    onSuccess: async (r) => {
      notifySaved(t('partners.webhooks.created'));
      onClose();
      onCreated(r.secret);
      await onDone(r.subscriptionId);
    },
  });
  const change = $partner.useMutation('patch', '/webhooks/{id}', {
    onSuccess: async () => {
      notifySaved(t('partners.webhooks.changed'));
      onClose();
      await onDone();
    },
  });
  const error = create.error ?? change.error;
  return (
    <Modal opened={editing !== null} onClose={onClose} title={existing ? t('partners.webhooks.editTitle') : t('partners.webhooks.createTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const eventTypes = types as EventType[];
          if (existing) change.mutate({ params: { path: { id: existing.subscriptionId } }, body: { url, eventTypes } });
          else create.mutate({ body: { url, eventTypes } });
        }}
      >
        <Stack>
          <TextInput
            label={t('partners.webhooks.url')}
            description={t('partners.webhooks.urlHint')}
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            required
          />
          <MultiSelect label={t('partners.webhooks.eventTypes')} data={EVENT_TYPES} value={types} onChange={setTypes} searchable />
          {error && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={create.isPending || change.isPending}>
              {t('partners.webhooks.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

type DeliveryState = PartnerSchema<'WebhookDeliveryDto'>['state'];

/** One subscription's delivery log (GET /webhooks/{id}/deliveries): retry a failed or dead delivery, replay from a delivery's position. */
export function WebhookDeliveriesPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const [state, setState] = useState<DeliveryState | 'all'>('all');
  const subscription = $partner.useQuery('get', '/webhooks/{id}', { params: { path: { id } } });
  const log = $partner.useQuery('get', '/webhooks/{id}/deliveries', {
    params: { path: { id }, query: { limit: 100, ...(state !== 'all' && { status: state }) } },
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['get', '/webhooks/{id}/deliveries'] });
  const retry = $partner.useMutation('post', '/webhooks/{id}/deliveries/{deliveryId}/retry', {
    onSuccess: async () => {
      notifySaved(t('partners.webhooks.retried'));
      await refresh();
    },
  });
  const replay = $partner.useMutation('post', '/webhooks/{id}/replay', {
    onSuccess: async (r) => {
      notifySaved(t('partners.webhooks.replayed', { count: r.enqueued }));
      await refresh();
    },
  });
  return (
    <Stack>
      <Anchor component={Link} to="/partners/webhooks" size="sm">
        {t('partners.webhooks.title')}
      </Anchor>
      <Title order={1} style={{ overflowWrap: 'anywhere' }}>
        {t('partners.webhooks.deliveriesOf', { url: subscription.data?.url ?? '…' })}
      </Title>
      {subscription.error && <ErrorAlert error={subscription.error} />}
      <Group align="flex-end">
        <Select
          label={t('partners.webhooks.filter')}
          data={[
            { value: 'all', label: t('partners.webhooks.all') },
            ...(['pending', 'delivered', 'failed', 'dead', 'dropped'] as const).map((s) => ({ value: s, label: t(`partners.webhooks.states.${s}`) })),
          ]}
          value={state}
          onChange={(v) => v && setState(v as DeliveryState | 'all')}
          allowDeselect={false}
          maw={220}
        />
        <Button variant="default" onClick={() => void refresh()}>
          {t('retry')}
        </Button>
      </Group>
      {(retry.error ?? replay.error) && <ErrorAlert error={retry.error ?? replay.error} />}
      <QueryState query={log}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t('partners.webhooks.noDeliveries')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table striped aria-label={t('partners.webhooks.deliveries')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('partners.webhooks.event')}</Table.Th>
                    <Table.Th>{t('partners.webhooks.state')}</Table.Th>
                    <Table.Th>{t('partners.webhooks.attempts')}</Table.Th>
                    <Table.Th>{t('partners.webhooks.lastResult')}</Table.Th>
                    <Table.Th>{t('partners.webhooks.nextAttempt')}</Table.Th>
                    <Table.Th>{t('partners.leads.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((d) => (
                    <Table.Tr key={d.deliveryId}>
                      <Table.Td>
                        <Text size="sm">{d.type}</Text>
                        <Anchor component={Link} to={`/partners/customers/${d.customerId}`} size="xs">
                          {d.customerId.slice(0, 8)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={d.state} label={t(`partners.webhooks.states.${d.state}`)} />
                      </Table.Td>
                      <Table.Td>{d.attempts}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{d.lastStatusCode ?? d.lastError ?? '—'}</Table.Td>
                      <Table.Td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : '—'}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          {/* Only a dead delivery is sent again by hand; a failed one is retried by the CRM on its backoff (next attempt). */}
                          {d.state === 'dead' && (
                            <Button
                              size="xs"
                              variant="light"
                              loading={retry.isPending && retry.variables?.params.path.deliveryId === d.deliveryId}
                              onClick={() => retry.mutate({ params: { path: { id, deliveryId: d.deliveryId } } })}
                            >
                              {t('partners.webhooks.retry')}
                            </Button>
                          )}
                          <Button size="xs" variant="default" onClick={() => replay.mutate({ params: { path: { id } }, body: { fromPosition: d.position } })}>
                            {t('partners.webhooks.replay')}
                          </Button>
                        </Group>
                      </Table.Td>
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
