import { useState } from 'react';
import { Button, Group, Modal, SegmentedControl, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { $partner, type PartnerSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { formatDateTime, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { notifySaved, StatusBadge } from './shared';

type Offer = PartnerSchema<'PartnerLeadOfferDto'>;
type OfferStatus = Offer['status'];
type Inbox = PartnerSchema<'PartnerLeadOfferPageDto'>;

/** The inbox is a read model: asked again until no list on screen shows the lead as it was before the command. */
const leadMoved = (leadId: string, before: (o: Offer) => boolean) => (page: Inbox) => !page.items.some((o) => o.leadId === leadId && before(o));

/** The leads offered to the partner (GET /leads): accept, decline with a reason, report the outcome of an accepted one. */
export function PartnerLeadsPage() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<OfferStatus | 'all'>('all');
  const list = $partner.useQuery('get', '/leads', { params: { query: { limit: 100, ...(status !== 'all' && { status }) } } });
  const [declining, setDeclining] = useState<{ leadId: string; name: string } | null>(null);
  const [reporting, setReporting] = useState<{ leadId: string; name: string } | null>(null);
  const refresh = (leadId: string, before: (o: Offer) => boolean) => refetchUntil(queryClient, ['get', '/leads'], leadMoved(leadId, before));
  const accept = $partner.useMutation('post', '/leads/{id}/accept', {
    onSuccess: async (_, { params }) => {
      notifySaved(t('partners.leads.accepted'));
      await refresh(params.path.id, (o) => o.status === 'offered');
    },
  });
  return (
    <Stack>
      <Title order={1}>{t('partners.leads.title')}</Title>
      <Text c="dimmed">{t('partners.leads.intro')}</Text>
      <Select
        label={t('partners.leads.filter')}
        data={[
          { value: 'all', label: t('partners.leads.all') },
          ...(['offered', 'accepted', 'declined', 'expired'] as const).map((s) => ({ value: s, label: t(`partners.leads.statuses.${s}`) })),
        ]}
        value={status}
        onChange={(v) => v && setStatus(v as OfferStatus | 'all')}
        allowDeselect={false}
        maw={240}
      />
      {accept.error && <ErrorAlert error={accept.error} />}
      <QueryState query={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t('partners.leads.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-label={t('partners.leads.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('partners.leads.lead')}</Table.Th>
                    <Table.Th>{t('partners.leads.offered')}</Table.Th>
                    <Table.Th>{t('partners.leads.expires')}</Table.Th>
                    <Table.Th>{t('partners.leads.status')}</Table.Th>
                    <Table.Th>{t('partners.leads.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((o) => (
                    <LeadRow
                      key={o.offerId}
                      offer={o}
                      accepting={accept.isPending && accept.variables?.params.path.id === o.leadId}
                      onAccept={() => accept.mutate({ params: { path: { id: o.leadId } } })}
                      onDecline={(name) => setDeclining({ leadId: o.leadId, name })}
                      onReport={(name) => setReporting({ leadId: o.leadId, name })}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <DeclineModal lead={declining} onClose={() => setDeclining(null)} onDone={(id) => refresh(id, (o) => o.status === 'offered')} />
      <OutcomeModal lead={reporting} onClose={() => setReporting(null)} onDone={(id) => refresh(id, (o) => o.status === 'accepted' && !o.outcome)} />
    </Stack>
  );
}

function LeadRow({
  offer: o,
  accepting,
  onAccept,
  onDecline,
  onReport,
}: {
  offer: Offer;
  accepting: boolean;
  onAccept: () => void;
  onDecline: (name: string) => void;
  onReport: (name: string) => void;
}) {
  // The lead's details are the partner's to read while it is offered to it or after it accepted.
  const lead = $partner.useQuery('get', '/leads/{id}', { params: { path: { id: o.leadId } } }, { enabled: o.status === 'offered' || o.status === 'accepted' });
  const name = lead.data ? [lead.data.name, lead.data.company].filter(Boolean).join(' · ') : o.leadId.slice(0, 8);
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {name}
        </Text>
        {lead.data && (
          <Text size="xs" c="dimmed">
            {[lead.data.country, lead.data.region, lead.data.products.join(', ')].filter(Boolean).join(' · ')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{formatDateTime(o.offeredAt)}</Table.Td>
      <Table.Td>{o.status === 'offered' ? formatDateTime(o.expiresAt) : '—'}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          <StatusBadge status={o.status} label={t(`partners.leads.statuses.${o.status}`)} />
          {o.outcome && <StatusBadge status={o.outcome} label={t(`partners.leads.${o.outcome}`)} />}
        </Group>
      </Table.Td>
      <Table.Td>
        {o.status === 'offered' && (
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" loading={accepting} onClick={onAccept} aria-label={`${t('partners.leads.accept')} ${name}`}>
              {t('partners.leads.accept')}
            </Button>
            <Button size="xs" variant="outline" color="red.9" onClick={() => onDecline(name)} aria-label={`${t('partners.leads.decline')} ${name}`}>
              {t('partners.leads.decline')}
            </Button>
          </Group>
        )}
        {o.status === 'accepted' && !o.outcome && (
          <Button size="xs" variant="light" onClick={() => onReport(name)} aria-label={`${t('partners.leads.report')}: ${name}`}>
            {t('partners.leads.report')}
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function DeclineModal({
  lead,
  onClose,
  onDone,
}: {
  lead: { leadId: string; name: string } | null;
  onClose: () => void;
  onDone: (leadId: string) => Promise<unknown>;
}) {
  const [reason, setReason] = useState('');
  const decline = $partner.useMutation('post', '/leads/{id}/decline', {
    onSuccess: async (_, { params }) => {
      notifySaved(t('partners.leads.declined'));
      setReason('');
      onClose();
      await onDone(params.path.id);
    },
  });
  return (
    <Modal opened={lead !== null} onClose={onClose} title={`${t('partners.leads.declineTitle')}: ${lead?.name ?? ''}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (lead) decline.mutate({ params: { path: { id: lead.leadId } }, body: { reason } });
        }}
      >
        <Stack>
          <Textarea label={t('partners.leads.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required />
          {decline.error && <ErrorAlert error={decline.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" color="red.9" loading={decline.isPending}>
              {t('partners.leads.decline')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function OutcomeModal({
  lead,
  onClose,
  onDone,
}: {
  lead: { leadId: string; name: string } | null;
  onClose: () => void;
  onDone: (leadId: string) => Promise<unknown>;
}) {
  const [outcome, setOutcome] = useState<'won' | 'lost'>('won');
  const [note, setNote] = useState('');
  const report = $partner.useMutation('post', '/leads/{id}/outcome', {
    onSuccess: async (_, { params }) => {
      notifySaved(t('partners.leads.reported'));
      setNote('');
      onClose();
      await onDone(params.path.id);
    },
  });
  return (
    <Modal opened={lead !== null} onClose={onClose} title={`${t('partners.leads.reportTitle')}: ${lead?.name ?? ''}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (lead) report.mutate({ params: { path: { id: lead.leadId } }, body: { outcome, ...(note && { note }) } });
        }}
      >
        <Stack>
          <Text component="label" size="sm" fw={500} id="lead-outcome-label">
            {t('partners.leads.outcome')}
          </Text>
          <SegmentedControl
            aria-labelledby="lead-outcome-label"
            value={outcome}
            onChange={(v) => setOutcome(v as 'won' | 'lost')}
            data={[
              { value: 'won', label: t('partners.leads.won') },
              { value: 'lost', label: t('partners.leads.lost') },
            ]}
          />
          <Textarea label={t('partners.leads.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
          {report.error && <ErrorAlert error={report.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={report.isPending}>
              {t('partners.leads.report')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
