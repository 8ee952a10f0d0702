import { useState } from 'react';
import { Anchor, Badge, Button, Card, Grid, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $service, type ServiceSchema } from '../../api/clients';
import { formatDateTime, t } from '../../i18n/t';
import { notifyDone, notifyError } from './notify';
import { QueryState } from '../../ui/query-state';
import { returnColor } from './returns.page';
import { everyValue } from '../../api/enums';

type Return = ServiceSchema<'ReturnDto'>;
type Leg = ServiceSchema<'ShipmentDto'>['leg'];
type LegState = ServiceSchema<'ShipmentDto'>['state'];
const LEGS = everyValue<Leg>()(['to-company', 'to-provider', 'from-provider', 'to-customer']);
const LEG_STATES = everyValue<LegState>()(['label-issued', 'in-transit', 'delivered', 'lost']);
const ifMatch = (r: Return) => ({ 'if-match': `"${r.revision}"` });

export function ReturnPage() {
  const { id = '' } = useParams();
  const query = $service.useQuery('get', '/returns/{id}', { params: { path: { id } } });
  return <QueryState query={query}>{(r) => <ReturnView r={r} />}</QueryState>;
}

function ReturnView({ r }: { r: Return }) {
  const client = useQueryClient();
  const closed = r.closed !== null || r.status === 'denied' || r.status === 'delivered' || r.status === 'closed';
  const legs = r.legs as unknown as Record<string, { state: LegState; carrier?: string; trackingNumber?: string; updatedAt?: string }>;
  const done = (message: string) => () => {
    notifyDone(message);
    void client.invalidateQueries();
  };
  const onError = (e: unknown) => notifyError(e);
  const history = r.repairHistory as unknown as { status?: string; at?: string; changedAt?: string }[];
  const interactions = r.interactions as unknown as { interactionId?: string; action?: string; response?: string; occurredAt?: string; channel?: string }[];
  const closedInfo = r.closed as unknown as { outcome?: string; reason?: string } | null;

  return (
    <Stack gap="md">
      <div>
        <Title order={1}>{r.rmaNumber ? t('service.ret.title', { rma: r.rmaNumber }) : t('service.ret.untitled')}</Title>
        <Group gap="xs" mt="xs">
          <Badge color={returnColor(r.status)}>{t(`service.returnStatus.${r.status}`)}</Badge>
          {r.warranty ? <Badge color="indigo.9">{t(`service.warranty.${r.warranty.basis}`)}</Badge> : null}
          <Anchor component={Link} to={`/service/cases/${r.caseId}`} size="sm">
            {t('service.ret.openCase')}
          </Anchor>
          <Anchor component={Link} to={`/customers/${r.customerId}`} size="sm">
            {t('service.case.openCustomer')}
          </Anchor>
        </Group>
      </div>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Card withBorder component="section" aria-labelledby="ret-item">
              <Title order={2} size="h4" id="ret-item" mb="sm">
                {t('service.ret.item')}
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                <Text size="sm">
                  {t('service.case.product')}: {r.item.productId}
                </Text>
                <Text size="sm">
                  {t('service.ret.serial')}: {r.item.serialNumber}
                </Text>
                <Text size="sm">
                  {t('service.ret.fault')}: {r.fault}
                </Text>
                <Text size="sm">
                  {t('service.ret.requestedAt')}: {formatDateTime(r.requestedAt)}
                </Text>
                {r.authorisedAt ? (
                  <Text size="sm">
                    {t('service.ret.authorisedAt')}: {formatDateTime(r.authorisedAt)}
                  </Text>
                ) : null}
                {r.warranty?.warrantyEndsAt ? <Text size="sm">{t('service.ret.warrantyEnds', { at: formatDateTime(r.warranty.warrantyEndsAt) })}</Text> : null}
              </SimpleGrid>
              {closedInfo ? (
                <Text size="sm" mt="sm">
                  {t('service.ret.closedInfo', { outcome: closedInfo.outcome ?? '' })}
                  {closedInfo.reason ? ` — ${closedInfo.reason}` : ''}
                </Text>
              ) : null}
            </Card>
            <Card withBorder component="section" aria-labelledby="ret-repair">
              <Title order={2} size="h4" id="ret-repair" mb="sm">
                {t('service.ret.repair')}
              </Title>
              {r.repair ? (
                <Text size="sm" data-repair-status={r.repair.status}>
                  {t('service.ret.repairWith', {
                    partner: r.repair.partnerId,
                    at: formatDateTime(r.repair.assignedAt),
                    status: t(`service.repairStatus.${r.repair.status}`),
                  })}
                </Text>
              ) : (
                <Text size="sm">{t('service.ret.noRepair')}</Text>
              )}
              {history.length > 0 ? (
                <>
                  <Title order={3} size="h5" mt="sm" mb={4}>
                    {t('service.ret.repairHistory')}
                  </Title>
                  {history.map((h, i) => (
                    <Text size="sm" key={i}>
                      {h.status ? t(`service.repairStatus.${h.status as 'assigned'}`) : ''}{' '}
                      {(h.at ?? h.changedAt) ? `· ${formatDateTime((h.at ?? h.changedAt)!)}` : ''}
                    </Text>
                  ))}
                </>
              ) : null}
            </Card>
            <Card withBorder component="section" aria-labelledby="ret-shipments">
              <Title order={2} size="h4" id="ret-shipments" mb="sm">
                {t('service.ret.shipments')}
              </Title>
              {Object.keys(legs).length === 0 ? (
                <Text size="sm">{t('service.ret.noShipments')}</Text>
              ) : (
                <Table.ScrollContainer minWidth={480}>
                  <Table aria-label={t('service.ret.shipments')}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('service.ret.legField')}</Table.Th>
                        <Table.Th>{t('service.ret.stateField')}</Table.Th>
                        <Table.Th>{t('service.ret.carrier')}</Table.Th>
                        <Table.Th>{t('service.ret.tracking')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {LEGS.filter((l) => legs[l]).map((l) => (
                        <Table.Tr key={l}>
                          <Table.Td>{t(`service.leg.${l}`)}</Table.Td>
                          <Table.Td>{t(`service.legState.${legs[l]!.state}`)}</Table.Td>
                          <Table.Td>{legs[l]!.carrier ?? '—'}</Table.Td>
                          <Table.Td>{legs[l]!.trackingNumber ?? '—'}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Card>
            {interactions.length > 0 ? (
              <Card withBorder component="section" aria-labelledby="ret-interactions">
                <Title order={2} size="h4" id="ret-interactions" mb="sm">
                  {t('service.ret.interactions')}
                </Title>
                <Stack gap={4}>
                  {interactions.map((i, n) => (
                    <Text size="sm" key={i.interactionId ?? n}>
                      {i.occurredAt ? `${formatDateTime(i.occurredAt)} · ` : ''}
                      {i.action}
                      {i.response ? ` — ${i.response}` : ''}
                    </Text>
                  ))}
                </Stack>
              </Card>
            ) : null}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          {closed ? null : (
            <Stack gap="md">
              {r.status === 'requested' ? <AuthoriseForm r={r} done={done} onError={onError} /> : null}
              {r.status !== 'requested' && !r.repair?.status.match(/repaired|replaced|unrepairable/) ? (
                <RepairForm r={r} done={done} onError={onError} />
              ) : null}
              {r.status !== 'requested' ? <ShipmentForm r={r} done={done} onError={onError} /> : null}
              <CloseForm r={r} done={done} onError={onError} />
            </Stack>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

interface FormProps {
  r: Return;
  done(message: string): () => void;
  onError(e: unknown): void;
}

function AuthoriseForm({ r, done, onError }: FormProps) {
  const [oow, setOow] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const authorise = $service.useMutation('post', '/returns/{id}/authorise', {
    onSuccess: (x) => done(t('service.ret.authorised', { rma: x.rmaNumber ?? '' }))(),
    onError,
  });
  const deny = $service.useMutation('post', '/returns/{id}/deny', { onSuccess: done(t('service.ret.denied')), onError });
  return (
    <Card withBorder component="section" aria-labelledby="ret-authorise">
      <Title order={2} size="h4" id="ret-authorise" mb="sm">
        {t('service.ret.authoriseTitle')}
      </Title>
      <Stack gap="lg">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            authorise.mutate({
              params: { path: { id: r.returnId }, header: ifMatch(r) },
              body: { ...(oow && { outOfWarranty: oow as 'paid' | 'goodwill' }), ...(note.trim() && { note: note.trim() }) },
            });
          }}
        >
          <Stack gap="xs">
            <Select
              label={t('service.ret.outOfWarranty')}
              placeholder={t('service.ret.inWarrantyOnly')}
              data={[
                { value: 'paid', label: t('service.ret.paid') },
                { value: 'goodwill', label: t('service.ret.goodwillOpt') },
              ]}
              value={oow}
              onChange={setOow}
              clearable
            />
            <TextInput label={t('service.ret.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
            <Button type="submit" w="fit-content" loading={authorise.isPending}>
              {t('service.ret.authorise')}
            </Button>
          </Stack>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            deny.mutate({ params: { path: { id: r.returnId }, header: ifMatch(r) }, body: { reason } });
          }}
        >
          <Stack gap="xs">
            <TextInput label={t('service.ret.denyReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required />
            <Button type="submit" color="red.9" variant="outline" w="fit-content" disabled={!reason.trim()} loading={deny.isPending}>
              {t('service.ret.deny')}
            </Button>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}

function RepairForm({ r, done, onError }: FormProps) {
  const [partnerId, setPartnerId] = useState('');
  const repair = $service.useMutation('post', '/returns/{id}/repair', { onSuccess: done(t('service.ret.repairAssigned', { partner: partnerId })), onError });
  return (
    <Card withBorder component="section" aria-labelledby="ret-assign-repair">
      <Title order={2} size="h4" id="ret-assign-repair" mb="sm">
        {t('service.ret.assignRepair')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          repair.mutate({ params: { path: { id: r.returnId }, header: ifMatch(r) }, body: { partnerId: partnerId.trim() } });
        }}
      >
        <Stack gap="xs">
          <TextInput label={t('service.ret.partner')} value={partnerId} onChange={(e) => setPartnerId(e.currentTarget.value)} required />
          <Button type="submit" w="fit-content" disabled={!partnerId.trim()} loading={repair.isPending}>
            {t('service.ret.assignRepairSubmit')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function ShipmentForm({ r, done, onError }: FormProps) {
  const [leg, setLeg] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const ship = $service.useMutation('post', '/returns/{id}/shipments', { onSuccess: done(t('service.ret.shipmentRecorded')), onError });
  return (
    <Card withBorder component="section" aria-labelledby="ret-shipment">
      <Title order={2} size="h4" id="ret-shipment" mb="sm">
        {t('service.ret.shipment')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (leg && state)
            ship.mutate({
              params: { path: { id: r.returnId }, header: ifMatch(r) },
              body: {
                leg: leg as Leg,
                state: state as LegState,
                ...(carrier.trim() && { carrier: carrier.trim() }),
                ...(tracking.trim() && { trackingNumber: tracking.trim() }),
              },
            });
        }}
      >
        <Stack gap="xs">
          <Select label={t('service.ret.legField')} data={LEGS.map((l) => ({ value: l, label: t(`service.leg.${l}`) }))} value={leg} onChange={setLeg} />
          <Select
            label={t('service.ret.stateField')}
            data={LEG_STATES.map((s) => ({ value: s, label: t(`service.legState.${s}`) }))}
            value={state}
            onChange={setState}
          />
          <TextInput label={t('service.ret.carrier')} value={carrier} onChange={(e) => setCarrier(e.currentTarget.value)} />
          <TextInput label={t('service.ret.tracking')} value={tracking} onChange={(e) => setTracking(e.currentTarget.value)} />
          <Button type="submit" w="fit-content" disabled={!leg || !state} loading={ship.isPending}>
            {t('service.ret.recordShipment')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function CloseForm({ r, done, onError }: FormProps) {
  const [outcome, setOutcome] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const close = $service.useMutation('post', '/returns/{id}/close', { onSuccess: done(t('service.ret.closedDone')), onError });
  return (
    <Card withBorder component="section" aria-labelledby="ret-close">
      <Title order={2} size="h4" id="ret-close" mb="sm">
        {t('service.ret.close')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (outcome)
            close.mutate({ params: { path: { id: r.returnId }, header: ifMatch(r) }, body: { outcome: outcome as 'unresolved' | 'cancelled', reason } });
        }}
      >
        <Stack gap="xs">
          <Select
            label={t('service.ret.closeOutcome')}
            data={[
              { value: 'unresolved', label: t('service.ret.unresolvedOpt') },
              { value: 'cancelled', label: t('service.ret.cancelled') },
            ]}
            value={outcome}
            onChange={setOutcome}
          />
          <TextInput label={t('service.ret.closeReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          <Button type="submit" color="red.9" variant="outline" w="fit-content" disabled={!outcome || !reason.trim()} loading={close.isPending}>
            {t('service.ret.close')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
