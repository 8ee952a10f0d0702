import { useEffect, useState } from 'react';
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  NumberInput,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { $sales, ApiError, must, sales, type SalesSchema } from '../../api/clients';
import { hasRole, usePrincipal } from '../../auth/use-session';
import { formatMoney, t } from '../../i18n/t';
import { errorText, QueryState } from '../../ui/query-state';
import { etagOf, notifySuccess } from './shared';

type Quote = SalesSchema<'QuoteDto'>;
type Violation = SalesSchema<'ConfigurationViolationDto'>;
interface Line {
  key: number;
  productId: string | null;
  quantity: number;
  /** Percent, two decimals at most (basis points / 100). */
  discount: number;
}

let nextKey = 1;
const newLine = (productId: string | null = null, quantity = 1, discount = 0): Line => ({ key: nextKey++, productId, quantity, discount });

export function QuotePage() {
  const { id } = useParams();
  const query = useQuery({
    queryKey: ['sales', 'quote', id],
    enabled: !!id,
    queryFn: async () => {
      const answer = await sales.GET('/quotes/{id}', { params: { path: { id: id! }, query: {} } });
      return { quote: must(answer) as Quote, etag: etagOf(answer.response) };
    },
  });
  if (!id) return <QuoteBuilder />;
  return (
    <QueryState query={query}>{({ quote, etag }) => <QuoteBuilder key={`${quote.quoteId}:${quote.currentVersion}`} quote={quote} etag={etag} />}</QueryState>
  );
}

function QuoteBuilder({ quote, etag }: { quote?: Quote; etag?: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [customer, setCustomer] = useState<{ value: string; label: string } | null>(null);
  const [opportunityId, setOpportunityId] = useState<string | null>(quote?.opportunityId ?? params.get('opportunityId'));
  const [priceBookId, setPriceBookId] = useState<string | null>(quote?.version.priceBookId ?? null);
  const [lines, setLines] = useState<Line[]>(
    quote ? quote.version.lines.map((l) => newLine(l.productId, l.quantity, l.discountBasisPoints / 100)) : [newLine()],
  );
  const [violations, setViolations] = useState<Violation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // The customer of the opportunity asked for (from the opportunity page) or of the saved quote.
  const preset = $sales.useQuery('get', '/opportunities/{id}', { params: { path: { id: opportunityId ?? '' } } }, { enabled: !!opportunityId && !customer });
  const presetCustomer = $sales.useQuery(
    'get',
    '/customers/{id}',
    { params: { path: { id: preset.data?.customerId ?? quote?.customerId ?? '' }, query: {} } },
    { enabled: !customer && !!(preset.data?.customerId ?? quote?.customerId) },
  );
  useEffect(() => {
    if (!customer && presetCustomer.data) setCustomer({ value: presetCustomer.data.customerId, label: presetCustomer.data.name });
  }, [customer, presetCustomer.data]);

  const products = $sales.useQuery('get', '/products', { params: { query: { active: true, limit: 200 } } });
  const books = $sales.useQuery('get', '/price-books', { params: { query: { limit: 200 } } });
  const bookId = priceBookId ?? books.data?.items[0]?.priceBookId ?? null;
  const book = $sales.useQuery('get', '/price-books/{id}', { params: { path: { id: bookId ?? '' } } }, { enabled: !!bookId });
  const currency = book.data?.currency ?? quote?.version.currency ?? 'EUR';
  const priceOf = (productId: string | null) => book.data?.prices.find((p) => p.productId === productId)?.unitPrice;

  const filled = lines.filter((l) => l.productId);
  const payloadLines = filled.map((l) => ({ productId: l.productId!, quantity: l.quantity, discountBasisPoints: Math.round(l.discount * 100) }));
  /** Violations name lines by their index among the filled ones. */
  const violationsOf = (line: Line) => {
    const index = filled.indexOf(line);
    return (violations ?? []).filter((v) => index >= 0 && v.line === index);
  };

  const estimate = filled.reduce(
    (sum, l) => {
      const list = (priceOf(l.productId) ?? 0) * l.quantity;
      const discount = Math.round((list * Math.round(l.discount * 100)) / 10_000);
      return { list: sum.list + list, discount: sum.discount + discount };
    },
    { list: 0, discount: 0 },
  );

  const setLine = (key: number, change: Partial<Line>) => {
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...change } : l)));
    setViolations(null);
  };

  async function check() {
    setError(null);
    if (!payloadLines.length) return setError(new Error(t('sales.quote.emptyLines')));
    try {
      const r = must(await sales.POST('/configuration-checks', { body: { lines: payloadLines.map(({ productId, quantity }) => ({ productId, quantity })) } }));
      setViolations(r.violations);
    } catch (e) {
      setError(e);
    }
  }

  async function save() {
    setError(null);
    if (!payloadLines.length) return setError(new Error(t('sales.quote.emptyLines')));
    if (!opportunityId) return setError(new Error(t('sales.quote.pickOpportunity')));
    setBusy(true);
    try {
      const saved: Quote = quote
        ? (must(
            await sales.POST('/quotes/{id}/versions', {
              params: { path: { id: quote.quoteId } },
              headers: etag ? { 'if-match': etag } : {},
              body: { lines: payloadLines, ...(bookId && { priceBookId: bookId }) },
            }),
          ) as Quote)
        : (must(
            await sales.POST('/quotes', {
              body: { opportunityId, currency: currency as 'EUR', lines: payloadLines, ...(bookId && { priceBookId: bookId }) },
            }),
          ) as Quote);
      notifySuccess(t('sales.quote.saved', { version: saved.currentVersion }));
      setViolations([]);
      await queryClient.invalidateQueries({ queryKey: ['sales', 'quote'] });
      await queryClient.invalidateQueries({ queryKey: ['get', '/quotes'] });
      if (!quote) void navigate(`/sales/quotes/${saved.quoteId}`);
    } catch (e) {
      // A configuration the CRM refused lists every violation: show each next to its line.
      const found = e instanceof ApiError ? (e.problem as { violations?: Violation[] }).violations : undefined;
      if (found) setViolations(found);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const productOptions = (products.data?.items ?? []).map((p) => ({ value: p.productId, label: `${p.sku} — ${p.name}` }));
  const quoteWide = (violations ?? []).filter((v) => v.line < 0 || v.line >= filled.length);
  return (
    <Stack>
      <Title order={1}>{quote ? t('sales.quote.title', { id: quote.quoteId.slice(0, 8) }) : t('sales.quote.newTitle')}</Title>
      {quote && <QuoteStatus quote={quote} etag={etag} />}
      <Card withBorder>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {quote ? (
            <Stack gap={2}>
              <Text size="sm" fw={500}>
                {t('sales.quote.customer')}
              </Text>
              <Anchor component={Link} to={`/customers/${quote.customerId}`} size="sm">
                {customer?.label ?? quote.customerId}
              </Anchor>
            </Stack>
          ) : (
            <CustomerPicker
              value={customer}
              onChange={(c) => {
                setCustomer(c);
                setOpportunityId(null);
              }}
            />
          )}
          {quote ? (
            <Stack gap={2}>
              <Text size="sm" fw={500}>
                {t('sales.quote.opportunity')}
              </Text>
              <Anchor component={Link} to={`/sales/opportunities/${quote.opportunityId}`} size="sm">
                {t('sales.quote.opportunityLink')}
              </Anchor>
            </Stack>
          ) : (
            <OpportunityPicker
              customerId={customer?.value}
              value={opportunityId}
              onChange={setOpportunityId}
              known={preset.data && preset.data.opportunityId === opportunityId ? { value: preset.data.opportunityId, label: preset.data.name } : undefined}
            />
          )}
          <Select
            label={t('sales.quote.priceBook')}
            data={(books.data?.items ?? []).map((b) => ({ value: b.priceBookId, label: `${b.name} (${b.currency})` }))}
            value={bookId}
            onChange={setPriceBookId}
            allowDeselect={false}
          />
        </SimpleGrid>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('sales.quote.lines')}
        </Title>
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sales.quote.product')}</Table.Th>
                <Table.Th w={110}>{t('sales.quote.quantity')}</Table.Th>
                <Table.Th w={120}>{t('sales.quote.discount')}</Table.Th>
                <Table.Th ta="right">{t('sales.quote.unitPrice')}</Table.Th>
                <Table.Th ta="right">{t('sales.quote.lineTotal')}</Table.Th>
                <Table.Th w={50} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l, i) => {
                const price = priceOf(l.productId);
                const list = (price ?? 0) * l.quantity;
                const net = list - Math.round((list * Math.round(l.discount * 100)) / 10_000);
                const problems = violationsOf(l);
                return (
                  <Table.Tr key={l.key} data-line={i + 1}>
                    <Table.Td>
                      <Select
                        aria-label={t('sales.quote.productOfLine', { line: i + 1 })}
                        data={productOptions}
                        value={l.productId}
                        onChange={(v) => setLine(l.key, { productId: v })}
                        searchable
                        error={problems.length ? problems.map((p) => p.message).join('; ') : undefined}
                        miw={220}
                      />
                    </Table.Td>
                    <Table.Td>
                      <NumberInput
                        aria-label={t('sales.quote.quantityOfLine', { line: i + 1 })}
                        min={1}
                        max={1_000_000}
                        allowDecimal={false}
                        value={l.quantity}
                        onChange={(v) => setLine(l.key, { quantity: Math.max(1, Number(v) || 1) })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <NumberInput
                        aria-label={t('sales.quote.discountOfLine', { line: i + 1 })}
                        min={0}
                        max={100}
                        decimalScale={2}
                        value={l.discount}
                        onChange={(v) => setLine(l.key, { discount: Math.min(100, Math.max(0, Number(v) || 0)) })}
                      />
                    </Table.Td>
                    <Table.Td ta="right">{l.productId ? (price === undefined ? t('sales.quote.noPrice') : formatMoney(price, currency)) : ''}</Table.Td>
                    <Table.Td ta="right">{l.productId && price !== undefined ? formatMoney(net, currency) : ''}</Table.Td>
                    <Table.Td>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        aria-label={t('sales.quote.removeLine', { line: i + 1 })}
                        onClick={() => {
                          setLines((ls) => ls.filter((x) => x.key !== l.key));
                          setViolations(null);
                        }}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group mt="sm">
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setLines((ls) => [...ls, newLine()])}>
            {t('sales.quote.addLine')}
          </Button>
          <Button variant="outline" onClick={() => void check()}>
            {t('sales.quote.check')}
          </Button>
        </Group>
        <div role="status" aria-live="polite">
          {violations && violations.length === 0 && (
            <Text c="teal.9" size="sm" mt="sm">
              {t('sales.quote.valid')}
            </Text>
          )}
          {violations && violations.length > 0 && (
            <Text c="red.8" size="sm" mt="sm">
              {t('sales.quote.invalid', { count: violations.length })}
            </Text>
          )}
        </div>
        {quoteWide.length > 0 && (
          <List size="sm" c="red.8" mt="xs" aria-label={t('sales.quote.quoteWide')}>
            {quoteWide.map((v, i) => (
              <List.Item key={i}>{v.message}</List.Item>
            ))}
          </List>
        )}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('sales.quote.totals')}
        </Title>
        <Totals
          currency={quote && !violations ? quote.version.currency : currency}
          totals={
            quote && violations === null && lines.length === quote.version.lines.length
              ? quote.version.totals
              : { listTotal: estimate.list, discountTotal: estimate.discount, netTotal: estimate.list - estimate.discount }
          }
        />
        {error !== null && (
          <Alert color="red" role="alert" mt="sm" title={t('error')}>
            {errorText(error)}
          </Alert>
        )}
        <Group mt="sm">
          <Button onClick={() => void save()} loading={busy}>
            {quote ? t('sales.quote.saveVersion') : t('sales.quote.save')}
          </Button>
        </Group>
      </Card>
      {quote && <QuotePdf quote={quote} />}
    </Stack>
  );
}

function Totals({
  currency,
  totals,
}: {
  currency: string;
  totals: { listTotal: number; discountTotal: number; netTotal: number; taxTotal?: number; grandTotal?: number };
}) {
  const row = (label: string, value: number | undefined, strong = false) =>
    value === undefined ? null : (
      <Group justify="space-between" maw={360}>
        <Text size="sm" fw={strong ? 700 : undefined}>
          {label}
        </Text>
        <Text size="sm" fw={strong ? 700 : undefined}>
          {formatMoney(value, currency)}
        </Text>
      </Group>
    );
  return (
    <Stack gap={2} aria-label={t('sales.quote.totals')}>
      {totals.grandTotal === undefined && (
        <Text size="xs" c="dimmed">
          {t('sales.quote.estimate')}
        </Text>
      )}
      {row(t('sales.quote.listTotal'), totals.listTotal)}
      {row(t('sales.quote.discountTotal'), totals.discountTotal)}
      {row(t('sales.quote.netTotal'), totals.netTotal, totals.grandTotal === undefined)}
      {row(t('sales.quote.taxTotal'), totals.taxTotal)}
      {row(t('sales.quote.grandTotal'), totals.grandTotal, true)}
    </Stack>
  );
}

function CustomerPicker({ value, onChange }: { value: { value: string; label: string } | null; onChange(c: { value: string; label: string } | null): void }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 200);
  const found = $sales.useQuery('get', '/customers', { params: { query: { q, limit: 20 } } }, { enabled: q.length >= 2 && q !== value?.label });
  const options = (found.data?.items ?? []).map((c) => ({ value: c.customerId, label: c.name }));
  if (value && !options.some((o) => o.value === value.value)) options.unshift(value);
  return (
    <Select
      label={t('sales.quote.customer')}
      placeholder={t('sales.quote.customerPlaceholder')}
      searchable
      data={options}
      value={value?.value ?? null}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      onChange={(v) => onChange(options.find((o) => o.value === v) ?? null)}
      nothingFoundMessage={q.length >= 2 ? t('search.nothing') : undefined}
    />
  );
}

function OpportunityPicker({
  customerId,
  value,
  onChange,
  known,
}: {
  customerId?: string;
  value: string | null;
  onChange(id: string | null): void;
  /** The opportunity asked for, read from its own history: the list (a read model) may not have it yet. */
  known?: { value: string; label: string };
}) {
  const list = $sales.useQuery('get', '/opportunities', { params: { query: { customerId, status: 'open', limit: 100 } } }, { enabled: !!customerId });
  const options = (list.data?.items ?? []).map((o) => ({ value: o.opportunityId, label: o.name }));
  if (known && !options.some((o) => o.value === known.value)) options.unshift(known);
  return <Select label={t('sales.quote.opportunity')} data={options} value={value} onChange={onChange} disabled={!customerId} />;
}

function QuoteStatus({ quote, etag }: { quote: Quote; etag?: string }) {
  const principal = usePrincipal();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'send' | 'approve' | null>(null);
  const v = quote.version;
  async function act(kind: 'send' | 'approve') {
    setBusy(kind);
    setError(null);
    const headers = etag ? { 'if-match': etag } : {};
    try {
      if (kind === 'send') must(await sales.POST('/quotes/{id}/send', { params: { path: { id: quote.quoteId } }, headers, body: { channel: 'email' } }));
      else must(await sales.POST('/quotes/{id}/approval', { params: { path: { id: quote.quoteId } }, headers, body: { decision: 'approved' } }));
      await queryClient.invalidateQueries({ queryKey: ['sales', 'quote'] });
      await queryClient.invalidateQueries({ queryKey: ['get', '/quotes'] });
      notifySuccess(kind === 'send' ? t('sales.quote.sent') : t('sales.quote.approved'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  const sendable = quote.status === 'draft' || (quote.status === 'awaiting-approval' && v.approval === 'approved');
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {t('sales.quote.status')}
          </Text>
          <Badge variant="light" data-testid="quote-status">
            {t(`sales.quote.statuses.${quote.status as 'draft'}`)}
          </Badge>
          <Badge variant="outline" color="gray">
            {t(`sales.quote.approvals.${v.approval as 'pending'}`)}
          </Badge>
          <Text size="sm">{t('sales.quote.version', { version: v.version, count: quote.versions.length })}</Text>
        </Group>
        <Group>
          {v.approval === 'pending' && hasRole(principal, 'manager', 'admin') && principal.subject !== v.preparedBy && (
            <Button variant="light" loading={busy === 'approve'} onClick={() => void act('approve')}>
              {t('sales.quote.approve')}
            </Button>
          )}
          <Button loading={busy === 'send'} disabled={!sendable} onClick={() => void act('send')}>
            {t('sales.quote.send')}
          </Button>
        </Group>
      </Group>
      {v.approval === 'pending' && (
        <Text size="sm" mt="xs">
          {t('sales.quote.approvalNeeded', { preparer: v.preparedBy })}
        </Text>
      )}
      {error !== null && (
        <Alert color="red" role="alert" mt="sm" title={t('error')}>
          {errorText(error)}
        </Alert>
      )}
    </Card>
  );
}

/** The quote's PDF, fetched with the bearer token as a blob and shown inline, with a download link. */
function QuotePdf({ quote }: { quote: Quote }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const version = quote.version.version;
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    setUrl(null);
    void (async () => {
      try {
        const answer = await sales.GET('/quotes/{id}/document', { params: { path: { id: quote.quoteId }, query: { version } }, parseAs: 'blob' });
        const blob = must(answer) as unknown as Blob;
        if (!live) return;
        objectUrl = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
        setUrl(objectUrl);
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [quote.quoteId, version, quote.status]);
  const title = t('sales.quote.previewTitle', { id: quote.quoteId.slice(0, 8), version });
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {t('sales.quote.preview')}
        </Title>
        {url && (
          <Anchor href={url} download={`quote-${quote.quoteId.slice(0, 8)}-v${version}.pdf`}>
            {t('sales.quote.download')}
          </Anchor>
        )}
      </Group>
      {error !== null ? (
        <Alert color="red" role="alert" title={t('error')}>
          {errorText(error)}
        </Alert>
      ) : url ? (
        <iframe src={url} title={title} style={{ width: '100%', height: 600, border: 0 }} />
      ) : (
        <Skeleton h={600} aria-label={t('sales.quote.previewLoading')} />
      )}
    </Card>
  );
}
