import { useState } from 'react';
import { Autocomplete, Badge, Button, Card, Grid, Group, Loader, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { $marketing, marketing, must, type MarketingSchema } from '../../api/clients';
import { formatDateTime, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { badgeProps, CONSENT_CHANNELS, options, sourceLabel, statusColor, valueLabel, type ConsentChannel } from './labels';

type Consent = MarketingSchema<'ConsentDto'>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WITHDRAWAL_SOURCES = ['staff', 'reply', 'complaint', 'preference-centre'] as const;

/** Find a customer by name or paste an id. */
function FindCustomer() {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [id, setId] = useState('');
  const [q] = useDebouncedValue(text.trim(), 200);
  const found = $marketing.useQuery('get', '/customers', { params: { query: { q, limit: 10 } } }, { enabled: q.length >= 2 });
  const open = (customerId: string) => navigate(`/marketing/consent/${customerId}`);
  return (
    <Card withBorder component="section" aria-labelledby="consent-find">
      <Title order={2} size="h4" id="consent-find" mb="sm">
        {t('marketing.consent.findTitle')}
      </Title>
      <Stack gap="sm">
        <Autocomplete
          label={t('marketing.consent.search')}
          rightSection={found.isFetching ? <Loader size="xs" /> : null}
          data={(found.data?.items ?? []).map((c) => ({ value: `${c.name}\u2063${c.customerId}`, label: c.name }))}
          filter={({ options: o }) => o}
          value={text}
          onChange={setText}
          onOptionSubmit={(value) => {
            const customerId = value.split('\u2063')[1];
            setText('');
            if (customerId) open(customerId);
          }}
        />
        {found.error && <ErrorAlert error={found.error} />}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (UUID.test(id.trim())) open(id.trim());
          }}
        >
          <Group align="flex-end" gap="sm">
            <TextInput
              label={t('marketing.consent.customerId')}
              value={id}
              onChange={(e) => setId(e.currentTarget.value)}
              error={id.trim() && !UUID.test(id.trim()) ? t('marketing.consent.badId') : undefined}
              w={{ base: '100%', xs: 380 }}
            />
            <Button type="submit" variant="light">
              {t('marketing.consent.open')}
            </Button>
          </Group>
        </form>
      </Stack>
    </Card>
  );
}

/** `/marketing/consent`: find the customer whose consent to read. */
export function ConsentSearchPage() {
  return (
    <Stack gap="md">
      <Title order={1}>{t('marketing.consent.title')}</Title>
      <Text c="dimmed">{t('marketing.consent.intro')}</Text>
      <FindCustomer />
    </Stack>
  );
}

/** `/marketing/consent/:customerId`: the customer's consent per channel and purpose, newest first, and a withdrawal to record. */
export function ConsentPage() {
  const { customerId = '' } = useParams();
  const customer = $marketing.useQuery('get', '/customers/{id}', { params: { path: { id: customerId } } });
  const consent = $marketing.useQuery('get', '/customers/{id}/consent', { params: { path: { id: customerId } } });
  const history = $marketing.useQuery('get', '/customers/{id}/consent/history', { params: { path: { id: customerId } } });
  const name = customer.data?.name ?? customerId;
  return (
    <Stack gap="md">
      <Title order={1}>{t('marketing.consent.historyTitle', { name })}</Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            {consent.data && <Current consent={consent.data} />}
            <QueryState query={history}>{(h) => <HistoryTable history={h} />}</QueryState>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            {consent.data && <Withdraw consent={consent.data} />}
            <FindCustomer />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

type History = MarketingSchema<'ConsentHistoryDto'>;

/** What holds now, per channel and purpose (a line of badges above the history). */
function Current({ consent }: { consent: Consent }) {
  if (consent.permissions.length === 0) return null;
  return (
    <Group gap="xs" aria-label={t('marketing.consent.current')} role="list">
      {consent.permissions.map((p) => (
        <Badge key={`${p.channel}-${p.purpose}`} role="listitem" {...badgeProps(statusColor[p.status])}>
          {valueLabel('channel', p.channel)} · {p.purpose}: {valueLabel('consentStatus', p.status)}
        </Badge>
      ))}
    </Group>
  );
}

function HistoryTable({ history }: { history: History }) {
  return (
    <section aria-labelledby="consent-history">
      <Title order={2} id="consent-history">
        {t('marketing.consent.history')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('marketing.consent.historyHint')}
      </Text>
      {history.entries.length === 0 ? (
        <Text>{t('marketing.consent.nothing')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={640} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
          <Table striped aria-labelledby="consent-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('marketing.consent.since')}</Table.Th>
                <Table.Th>{t('marketing.consent.channel')}</Table.Th>
                <Table.Th>{t('marketing.consent.purpose')}</Table.Th>
                <Table.Th>{t('marketing.consent.status')}</Table.Th>
                <Table.Th>{t('marketing.consent.source')}</Table.Th>
                <Table.Th>{t('marketing.consent.recordedBy')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.entries.map((e) => (
                <Table.Tr key={e.basis.eventId}>
                  <Table.Td>{formatDateTime(e.at)}</Table.Td>
                  <Table.Td>{valueLabel('channel', e.channel)}</Table.Td>
                  <Table.Td>{e.purpose ?? t('marketing.consent.wholeChannel')}</Table.Td>
                  <Table.Td>
                    <Badge {...badgeProps(e.kind === 'requested' ? 'yellow' : statusColor[e.kind])}>
                      {e.kind === 'requested' ? t('marketing.consent.awaiting') : valueLabel('consentStatus', e.kind)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{[sourceLabel(e.source), e.formId, e.textVersion].filter(Boolean).join(' · ')}</Table.Td>
                  <Table.Td>{e.recordedBy}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

function Withdraw({ consent }: { consent: Consent }) {
  const queries = useQueryClient();
  const granted = consent.permissions.filter((p) => p.status === 'granted');
  const [channel, setChannel] = useState<ConsentChannel>((granted[0]?.channel as ConsentChannel | undefined) ?? 'email');
  const [purpose, setPurpose] = useState(granted[0]?.purpose ?? '');
  const [source, setSource] = useState<(typeof WITHDRAWAL_SOURCES)[number]>('staff');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      must(
        await marketing.POST('/customers/{id}/consent/withdrawals', {
          params: { path: { id: consent.customerId }, ...(consent.revision !== undefined && { header: { 'if-match': `"${consent.revision}"` } }) },
          body: { channel, ...(purpose.trim() && { purpose: purpose.trim() }), source, evidence: note.trim() ? { note: note.trim() } : {} },
        }),
      );
      notifications.show({ message: t('marketing.consent.withdrawn'), color: 'green' });
      setNote('');
      await queries.invalidateQueries({ predicate: (q) => String(q.queryKey[1]).startsWith('/customers/{id}/consent') });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder component="section" aria-labelledby="consent-withdraw">
      <Title order={2} size="h4" id="consent-withdraw" mb="sm">
        {t('marketing.consent.withdrawTitle')}
      </Title>
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <Select
            label={t('marketing.consent.withdrawChannel')}
            data={options('channel', CONSENT_CHANNELS)}
            value={channel}
            onChange={(v) => v && setChannel(v as ConsentChannel)}
            allowDeselect={false}
          />
          <TextInput label={t('marketing.consent.withdrawPurpose')} value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)} />
          <Select
            label={t('marketing.consent.withdrawSource')}
            data={WITHDRAWAL_SOURCES.map((s) => ({ value: s, label: sourceLabel(s) }))}
            value={source}
            onChange={(v) => v && setSource(v as typeof source)}
            allowDeselect={false}
          />
          <Textarea
            label={t('marketing.consent.note')}
            required={source === 'staff'}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {error !== undefined && <ErrorAlert error={error} />}
          <Button type="submit" color="red" loading={busy} w="fit-content">
            {t('marketing.consent.withdraw')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
