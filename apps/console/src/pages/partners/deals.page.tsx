import '@mantine/dates/styles.css';
import { useState } from 'react';
import { Anchor, Button, Card, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { $partner, type PartnerSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { formatDate, formatMoney, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { useCustomerNames } from '../sales/shared';
import { notifySaved, StatusBadge } from './shared';

// DateInput parses what is typed with its valueFormat
dayjs.extend(customParseFormat);

const CURRENCIES = ['IDR', 'EUR', 'USD', 'SGD', 'MYR'];
/** Minor units per major unit of the currencies offered (IDR has none in ISO 4217 use… Intl says 0 digits). */
const minorDigits = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** A partner registers deals (POST /deal-registrations) and follows their status (GET /deal-registrations). */
export function PartnerDealsPage() {
  const list = $partner.useQuery('get', '/deal-registrations', { params: { query: { limit: 100 } } });
  return (
    <Stack>
      <Title order={1}>{t('partners.deals.title')}</Title>
      <Text c="dimmed">{t('partners.deals.intro')}</Text>
      <RegisterDealForm />
      <Title order={2} size="h3">
        {t('partners.deals.list')}
      </Title>
      <QueryState query={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t('partners.deals.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-label={t('partners.deals.list')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('partners.deals.who')}</Table.Th>
                    <Table.Th>{t('partners.deals.products')}</Table.Th>
                    <Table.Th>{t('partners.deals.value')}</Table.Th>
                    <Table.Th>{t('partners.deals.closeDate')}</Table.Th>
                    <Table.Th>{t('partners.deals.status')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((d) => (
                    <DealRow key={d.registrationId} deal={d} />
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

function DealRow({ deal: d }: { deal: PartnerSchema<'PartnerDealRegistrationDto'> }) {
  return (
    <Table.Tr>
      <Table.Td>
        {d.customerId ? (
          <Anchor component={Link} to={`/partners/customers/${d.customerId}`}>
            <CustomerName id={d.customerId} />
          </Anchor>
        ) : (
          <ProspectName id={d.registrationId} />
        )}
      </Table.Td>
      <Table.Td>{d.products.join(', ')}</Table.Td>
      <Table.Td>{formatMoney(d.estimatedValue, d.currency)}</Table.Td>
      <Table.Td>{formatDate(d.expectedCloseDate)}</Table.Td>
      <Table.Td>
        <StatusBadge status={d.status} label={t(`partners.deals.statuses.${d.status}`)} />
        {d.protectionEndsAt && (
          <Text size="xs" c="dimmed">
            {t('partners.deals.protectedUntil')}: {formatDate(d.protectionEndsAt)}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** A prospect's company: the list leaves the prospect out (personal data), one registration has it. */
function ProspectName({ id }: { id: string }) {
  const r = $partner.useQuery('get', '/deal-registrations/{id}', { params: { path: { id } } });
  return <>{r.data?.prospect?.company ?? '—'}</>;
}

function CustomerName({ id }: { id: string }) {
  const c = $partner.useQuery('get', '/customers/{id}', { params: { path: { id } } });
  return <>{c.data?.name ?? id}</>;
}

function RegisterDealForm() {
  const queryClient = useQueryClient();
  const customers = $partner.useQuery('get', '/customers', { params: { query: { limit: 200, sort: 'name' } } });
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [company, setCompany] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const [products, setProducts] = useState<string[]>([]);
  const [value, setValue] = useState<number | string>('');
  const [currency, setCurrency] = useState<string | null>('IDR');
  const [closeDate, setCloseDate] = useState<string | null>(null);
  const register = $partner.useMutation('post', '/deal-registrations', {
    onSuccess: async (r) => {
      notifySaved(t('partners.deals.registered'));
      setCustomerId(null);
      setCompany('');
      setContactName('');
      setContactEmail('');
      setProducts([]);
      setValue('');
      setCloseDate(null);
      // The list is a read model: the new registration joins it a moment after the answer.
      await refetchUntil<PartnerSchema<'PartnerDealRegistrationPageDto'>>(queryClient, ['get', '/deal-registrations'], (page) =>
        page.items.some((d) => d.registrationId === r.registrationId),
      );
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="register-deal">
      <Title order={2} size="h3" id="register-deal" mb="sm">
        {t('partners.deals.register')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const cur = currency ?? 'IDR';
          register.mutate({
            body: {
              ...(customerId ? { customerId } : { prospect: { company, contactName, ...(contactEmail && { contactEmail }) } }),
              products,
              estimatedValue: Math.round(Number(value) * 10 ** minorDigits(cur)),
              currency: cur,
              expectedCloseDate: closeDate ?? '',
            },
          });
        }}
      >
        <Stack>
          <Select
            label={t('partners.deals.customer')}
            description={t('partners.deals.customerHint')}
            data={(customers.data?.items ?? []).map((c) => ({ value: c.customerId, label: c.name }))}
            value={customerId}
            onChange={setCustomerId}
            searchable
            clearable
          />
          {!customerId && (
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput label={t('partners.deals.prospectCompany')} value={company} onChange={(e) => setCompany(e.currentTarget.value)} />
              <TextInput label={t('partners.deals.prospectContact')} value={contactName} onChange={(e) => setContactName(e.currentTarget.value)} />
              <TextInput label={t('partners.deals.prospectEmail')} type="email" value={contactEmail} onChange={(e) => setContactEmail(e.currentTarget.value)} />
            </SimpleGrid>
          )}
          <TagsInput label={t('partners.deals.products')} description={t('partners.deals.productsHint')} value={products} onChange={setProducts} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label={t('partners.deals.value')} value={value} onChange={setValue} min={0} thousandSeparator="," required />
            <Select label={t('partners.deals.currency')} data={CURRENCIES} value={currency} onChange={setCurrency} allowDeselect={false} />
            <DateInput label={t('partners.deals.closeDate')} value={closeDate} onChange={setCloseDate} valueFormat="YYYY-MM-DD" required />
          </SimpleGrid>
          {register.error && <ErrorAlert error={register.error} />}
          <Button type="submit" loading={register.isPending} w="fit-content">
            {t('partners.deals.submit')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

type ReviewStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** Channel managers' queue of partners' deal registrations (GET /deal-registrations/review), approve or reject. */
export function DealReviewPage() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<ReviewStatus>('pending');
  // Registrations decided here: the review list is a read model that learns of a decision a moment
  // after it is answered, so they leave the pending queue at once and the list is asked again every
  // half second while it still shows one of them as pending.
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const list = $partner.useQuery(
    'get',
    '/deal-registrations/review',
    { params: { query: { status, limit: 100 } } },
    { refetchInterval: (q) => (q.state.data?.items.some((d) => decided.has(d.registrationId) && d.status === 'pending') ? 500 : false) },
  );
  // Names for the whole list at once: the partner directory (one page holds every partner of most
  // companies; a partner beyond it is asked for alone) and one batch of the customers' names.
  const directory = $partner.useQuery('get', '/partners', { params: { query: { status: 'all', limit: 200 } } });
  const partnerNames = new Map((directory.data?.items ?? []).map((p) => [p.partnerId, p.name]));
  const customerNames = useCustomerNames((list.data?.items ?? []).flatMap((d) => (d.customerId ? [d.customerId] : [])));
  const [rejecting, setRejecting] = useState<PartnerSchema<'StaffDealRegistrationDto'> | null>(null);
  const [reason, setReason] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['get', '/deal-registrations/review'] });
  const decide = (id: string) => setDecided((before) => new Set([...before, id]));
  const approve = $partner.useMutation('post', '/deal-registrations/{id}/approve', {
    onSuccess: async (_, { params }) => {
      decide(params.path.id);
      notifySaved(t('partners.review.approved'));
      await refresh();
    },
  });
  const reject = $partner.useMutation('post', '/deal-registrations/{id}/reject', {
    onSuccess: async (_, { params }) => {
      decide(params.path.id);
      notifySaved(t('partners.review.rejected'));
      setRejecting(null);
      setReason('');
      await refresh();
    },
  });
  return (
    <Stack>
      <Title order={1}>{t('partners.review.title')}</Title>
      <Text c="dimmed">{t('partners.review.intro')}</Text>
      <Select
        label={t('partners.review.filter')}
        data={(['pending', 'approved', 'rejected', 'expired'] as const).map((s) => ({ value: s, label: t(`partners.deals.statuses.${s}`) }))}
        value={status}
        onChange={(v) => v && setStatus(v as ReviewStatus)}
        allowDeselect={false}
        maw={240}
      />
      {approve.error && <ErrorAlert error={approve.error} />}
      <QueryState query={list}>
        {(answer) => {
          const page = { ...answer, items: answer.items.filter((d) => !(decided.has(d.registrationId) && d.status === 'pending')) };
          return page.items.length === 0 ? (
            <Text>{t('partners.review.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table striped aria-label={t('partners.review.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('partners.review.partner')}</Table.Th>
                    <Table.Th>{t('partners.deals.who')}</Table.Th>
                    <Table.Th>{t('partners.deals.value')}</Table.Th>
                    <Table.Th>{t('partners.deals.dueBy')}</Table.Th>
                    <Table.Th>{t('partners.review.flags')}</Table.Th>
                    <Table.Th>{t('partners.deals.status')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((d) => (
                    <ReviewRow
                      key={d.registrationId}
                      deal={d}
                      partnerName={partnerNames.get(d.partnerId) ?? (directory.isSuccess ? undefined : d.partnerId)}
                      customerName={d.customerId ? customerNames.get(d.customerId) : undefined}
                      approving={approve.isPending && approve.variables?.params.path.id === d.registrationId}
                      onApprove={() => approve.mutate({ params: { path: { id: d.registrationId } }, body: {} })}
                      onReject={() => setRejecting(d)}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          );
        }}
      </QueryState>
      <Modal opened={rejecting !== null} onClose={() => setRejecting(null)} title={t('partners.review.rejectTitle')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (rejecting) reject.mutate({ params: { path: { id: rejecting.registrationId } }, body: { reason } });
          }}
        >
          <Stack>
            <Textarea label={t('partners.review.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required />
            {reject.error && <ErrorAlert error={reject.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRejecting(null)}>
                {t('cancel')}
              </Button>
              <Button type="submit" color="red.9" loading={reject.isPending}>
                {t('partners.review.reject')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

/** A partner's name (staff read it with GET /partners/{id}); its id until then. */
export function PartnerName({ id }: { id: string }) {
  const p = $partner.useQuery('get', '/partners/{id}', { params: { path: { id } } });
  return <>{p.data?.name ?? id}</>;
}

function ReviewRow({
  deal: d,
  partnerName,
  customerName,
  approving,
  onApprove,
  onReject,
}: {
  deal: PartnerSchema<'StaffDealRegistrationDto'>;
  /** From the directory; undefined: not in its first page, asked for alone. */
  partnerName: string | undefined;
  customerName: string | undefined;
  approving: boolean;
  onApprove: () => void;
  onReject: () => void;
}) {
  // The list leaves a prospect out (personal data): one registration has it.
  const one = $partner.useQuery('get', '/deal-registrations/review/{id}', { params: { path: { id: d.registrationId } } }, { enabled: d.customerId === null });
  const who = d.customerId ? (customerName ?? d.customerId) : (one.data?.prospect?.company ?? '—');
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/partners/manage/${d.partnerId}`}>
          {partnerName ?? <PartnerName id={d.partnerId} />}
        </Anchor>
      </Table.Td>
      <Table.Td>
        {d.customerId ? (
          <Anchor component={Link} to={`/customers/${d.customerId}`}>
            {who}
          </Anchor>
        ) : (
          who
        )}
        <Text size="xs" c="dimmed">
          {d.products.join(', ')}
        </Text>
      </Table.Td>
      <Table.Td>{formatMoney(d.estimatedValue, d.currency)}</Table.Td>
      <Table.Td>{formatDate(d.approvalDueAt)}</Table.Td>
      <Table.Td>{d.flags.map((f) => t(`partners.review.flag.${f}`)).join(', ') || '—'}</Table.Td>
      <Table.Td>
        {d.status === 'pending' ? (
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" aria-label={`${t('partners.review.approve')} ${who}`} loading={approving} onClick={onApprove}>
              {t('partners.review.approve')}
            </Button>
            <Button size="xs" color="red.9" variant="outline" aria-label={`${t('partners.review.reject')} ${who}`} onClick={onReject}>
              {t('partners.review.reject')}
            </Button>
          </Group>
        ) : (
          <StatusBadge status={d.status} label={t(`partners.deals.statuses.${d.status}`)} />
        )}
      </Table.Td>
    </Table.Tr>
  );
}
