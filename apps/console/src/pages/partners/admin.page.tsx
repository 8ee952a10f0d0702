import { useState } from 'react';
import { Anchor, Autocomplete, Badge, Button, Card, Group, Modal, MultiSelect, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { $partner, $sales, must, partnerPortal, type PartnerSchema } from '../../api/clients';
import { formatDate, formatDateTime, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { useCustomerNames } from '../sales/shared';
import { notifySaved, SecretOnceModal } from './shared';
import { everyValue } from '../../api/enums';

const KINDS = everyValue<PartnerSchema<'PartnerListItemDto'>['partnerKind']>()(['supplier', 'distributor', 'reseller', 'service-provider']);
type Kind = (typeof KINDS)[number];
type DirectoryStatus = 'active' | 'deactivated' | 'all';

/**
 * Channel managers' start page: the partner companies (GET /partners) by name — search by name or
 * id, filter by kind and status — with what each has going (customers shared now, deal
 * registrations waiting, leads offered, routing tier); register a new partner.
 */
export function PartnersAdminPage() {
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 300);
  const [kind, setKind] = useState<Kind | null>(null);
  const [status, setStatus] = useState<DirectoryStatus>('active');
  const [registering, setRegistering] = useState(false);
  // The first page has no cursor at all (the portal refuses any cursor it did not give out).
  const list = useInfiniteQuery({
    queryKey: ['get', '/partners', 'pages', query, kind, status],
    queryFn: async ({ pageParam }) =>
      must(
        await partnerPortal.GET('/partners', {
          params: { query: { limit: 50, status, ...(query && { q: query }), ...(kind && { kind }), ...(pageParam && { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={1}>{t('partners.admin.title')}</Title>
        <Button onClick={() => setRegistering(true)}>{t('partners.admin.register')}</Button>
      </Group>
      <Text c="dimmed">{t('partners.admin.intro')}</Text>
      <Group align="flex-end" wrap="wrap">
        <TextInput label={t('partners.admin.search')} type="search" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={{ base: '100%', sm: 320 }} />
        <Select
          label={t('partners.admin.kindFilter')}
          placeholder={t('partners.admin.anyKind')}
          data={KINDS.map((k) => ({ value: k, label: t(`partners.kind.${k}`) }))}
          value={kind}
          onChange={(v) => setKind(v as Kind | null)}
          clearable
          w={200}
        />
        <Select
          label={t('partners.admin.status')}
          data={(['active', 'deactivated', 'all'] as const).map((v) => ({ value: v, label: t(`partners.admin.statuses.${v}`) }))}
          value={status}
          onChange={(v) => v && setStatus(v as DirectoryStatus)}
          allowDeselect={false}
          w={180}
        />
      </Group>
      <QueryState query={list}>
        {() =>
          items.length === 0 ? (
            <Text>{t('partners.admin.none')}</Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={760}>
                <Table striped highlightOnHover aria-label={t('partners.admin.title')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('partners.admin.name')}</Table.Th>
                      <Table.Th>{t('partners.admin.kindFilter')}</Table.Th>
                      <Table.Th>{t('partners.admin.status')}</Table.Th>
                      <Table.Th>{t('partners.admin.sharedCustomers')}</Table.Th>
                      <Table.Th>{t('partners.admin.pendingDeals')}</Table.Th>
                      <Table.Th>{t('partners.admin.openLeads')}</Table.Th>
                      <Table.Th>{t('partners.admin.tier')}</Table.Th>
                      <Table.Th>{t('partners.admin.registered')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((p) => (
                      <Table.Tr key={p.partnerId}>
                        <Table.Td>
                          <Anchor component={Link} to={`/partners/manage/${p.partnerId}`}>
                            {p.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{t(`partners.kind.${p.partnerKind as Kind}`)}</Table.Td>
                        <Table.Td>
                          {p.status === 'active' ? (
                            t('partners.admin.statuses.active')
                          ) : (
                            <Badge color="red.9">{t('partners.admin.deactivated', { date: formatDate(p.deactivatedAt!) })}</Badge>
                          )}
                        </Table.Td>
                        <Table.Td>{p.sharedCustomers}</Table.Td>
                        <Table.Td>{p.pendingDealRegistrations}</Table.Td>
                        <Table.Td>{p.openLeadOffers}</Table.Td>
                        <Table.Td>{p.routing ? t(`partners.admin.tiers.${p.routing.tier as 'gold' | 'silver' | 'bronze'}`) : '—'}</Table.Td>
                        <Table.Td>{formatDate(p.registeredAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {list.hasNextPage && (
                <Button variant="light" w="fit-content" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {t('more')}
                </Button>
              )}
            </>
          )
        }
      </QueryState>
      <RegisterPartnerModal opened={registering} onClose={() => setRegistering(false)} />
    </Stack>
  );
}

/** Registers a partner company (POST /partners) and opens it, to share customers and invite its first admin. */
function RegisterPartnerModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind | null>('distributor');
  const register = $partner.useMutation('post', '/partners', {
    onSuccess: (r) => {
      notifySaved(t('partners.admin.registeredNotice'));
      setName('');
      onClose();
      // The partner's own page reads its stream: there at once (the directory follows a moment later).
      void navigate(`/partners/manage/${r.partnerId}`);
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('partners.admin.registerTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (kind) register.mutate({ body: { name: name.trim(), partnerKind: kind } });
        }}
      >
        <Stack>
          <TextInput label={t('partners.admin.companyName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} />
          <Select
            label={t('partners.admin.kindFilter')}
            data={KINDS.map((k) => ({ value: k, label: t(`partners.kind.${k}`) }))}
            value={kind}
            onChange={(v) => setKind(v as Kind | null)}
            allowDeselect={false}
            required
          />
          {register.error && <ErrorAlert error={register.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={register.isPending} disabled={!name.trim() || !kind}>
              {t('partners.admin.register')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

type Partner = PartnerSchema<'PartnerViewSchema'>;

/** One partner as a channel manager manages it (GET /partners/{id}): shares, first admin, credentials. */
export function PartnerAdminPage() {
  const { partnerId = '' } = useParams();
  const partner = $partner.useQuery('get', '/partners/{id}', { params: { path: { id: partnerId } } });
  return (
    <Stack>
      <Anchor component={Link} to="/partners" size="sm">
        {t('partners.admin.back')}
      </Anchor>
      <QueryState query={partner}>
        {(p) => (
          <>
            <Title order={1}>{p.name}</Title>
            <Group gap="xs">
              <Badge color="blue.9">{t(`partners.kind.${p.partnerKind}`)}</Badge>
              <Text size="sm" c="dimmed">
                {p.partnerId}
              </Text>
              {p.deactivatedAt && <Badge color="red.9">{t('partners.admin.deactivated', { date: formatDate(p.deactivatedAt) })}</Badge>}
            </Group>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <UsersCard partner={p} />
              <CredentialsCard partner={p} />
            </SimpleGrid>
            <SharesCard partner={p} />
          </>
        )}
      </QueryState>
    </Stack>
  );
}

function useRefreshPartner() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['get', '/partners/{id}'] });
}

function UsersCard({ partner: p }: { partner: Partner }) {
  const refresh = useRefreshPartner();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const invite = $partner.useMutation('post', '/partners/{id}/users', {
    onSuccess: async () => {
      notifySaved(t('partners.admin.invited'));
      setName('');
      setEmail('');
      await refresh();
    },
  });
  const hasAdmin = p.users.some((u) => u.role === 'admin');
  return (
    <Card withBorder component="section" aria-labelledby="partner-users">
      <Title order={2} size="h4" id="partner-users" mb="xs">
        {t('partners.admin.users')}
      </Title>
      {p.users.length === 0 ? (
        <Text size="sm">{t('partners.admin.noUsers')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={300}>
          <Table aria-label={t('partners.admin.users')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('partners.admin.userId')}</Table.Th>
                <Table.Th>{t('partners.admin.role')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.users.map((u) => (
                <Table.Tr key={u.userId}>
                  <Table.Td>{u.userId}</Table.Td>
                  <Table.Td>{u.role ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {!hasAdmin && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            invite.mutate({ params: { path: { id: p.partnerId } }, body: { name, email } });
          }}
        >
          <Stack mt="sm" gap="xs">
            <Title order={3} size="h5">
              {t('partners.admin.invite')}
            </Title>
            <Text size="xs" c="dimmed">
              {t('partners.admin.inviteHint')}
            </Text>
            <TextInput label={t('partners.admin.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
            <TextInput label={t('partners.admin.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required />
            {invite.error && <ErrorAlert error={invite.error} />}
            <Button type="submit" loading={invite.isPending} w="fit-content">
              {t('partners.admin.invite')}
            </Button>
          </Stack>
        </form>
      )}
    </Card>
  );
}

function CredentialsCard({ partner: p }: { partner: Partner }) {
  const refresh = useRefreshPartner();
  const [issued, setIssued] = useState<{ clientId: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const issue = $partner.useMutation('post', '/partners/{id}/credentials', {
    onSuccess: async (r) => {
      setIssued({ clientId: r.clientId, secret: r.clientSecret });
      await refresh();
    },
  });
  const revoke = $partner.useMutation('delete', '/partners/{id}/credentials/{clientId}', {
    onSuccess: async () => {
      notifySaved(t('partners.admin.revoked'));
      setRevoking(null);
      await refresh();
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="partner-credentials">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="partner-credentials">
          {t('partners.admin.credentials')}
        </Title>
        <Button size="xs" loading={issue.isPending} onClick={() => issue.mutate({ params: { path: { id: p.partnerId } } })}>
          {t('partners.admin.issue')}
        </Button>
      </Group>
      {issue.error && <ErrorAlert error={issue.error} />}
      {p.activeClientIds.length === 0 ? (
        <Text size="sm">{t('partners.admin.noCredentials')}</Text>
      ) : (
        <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {p.activeClientIds.map((c) => (
            <Group key={c} component="li" justify="space-between" wrap="nowrap">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {c}
              </Text>
              <Button size="xs" variant="outline" color="red.9" onClick={() => setRevoking(c)} aria-label={`${t('partners.admin.revoke')} ${c}`}>
                {t('partners.admin.revoke')}
              </Button>
            </Group>
          ))}
        </Stack>
      )}
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={t('partners.admin.revoke')}>
        <Stack>
          <Text style={{ overflowWrap: 'anywhere' }}>{t('partners.admin.revokeConfirm', { clientId: revoking ?? '' })}</Text>
          {revoke.error && <ErrorAlert error={revoke.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              {t('cancel')}
            </Button>
            <Button
              color="red.9"
              loading={revoke.isPending}
              onClick={() => revoking && revoke.mutate({ params: { path: { id: p.partnerId, clientId: revoking } } })}
            >
              {t('partners.admin.revoke')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <SecretOnceModal secret={issued ? { clientId: issued.clientId, secret: issued.secret, label: 'clientSecret' } : null} onClose={() => setIssued(null)} />
    </Card>
  );
}

const EPISODE_TYPES = everyValue<NonNullable<PartnerSchema<'PartnerShareSchema'>['episodeTypes']>[number]>()([
  'opportunity',
  'case',
  'campaign',
  'partner-deal',
  'return-repair',
]);

function SharesCard({ partner: p }: { partner: Partner }) {
  const refresh = useRefreshPartner();
  // Names of the shared customers, however many: batched by the console's name loader (GET /customers?ids=).
  const names = useCustomerNames(p.shares.map((s) => s.customerId));
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const found = $sales.useQuery('get', '/customers', { params: { query: { q, limit: 10 } } }, { enabled: q.length >= 2 });
  const [access, setAccess] = useState<string | null>('read-write');
  const [types, setTypes] = useState<string[]>([]);
  const options = (found.data?.items ?? []).map((c) => ({ value: `${c.name} (${c.customerId.slice(0, 8)})`, id: c.customerId }));
  const chosen = options.find((o) => o.value === search)?.id;
  const share = $partner.useMutation('post', '/partners/{id}/shares', {
    onSuccess: async () => {
      notifySaved(t('partners.admin.shared'));
      setSearch('');
      await refresh();
    },
  });
  const unshare = $partner.useMutation('delete', '/partners/{id}/shares/{customerId}', {
    onSuccess: async () => {
      notifySaved(t('partners.admin.unshared'));
      await refresh();
    },
  });
  const shares = [...p.shares].sort(
    (a, b) => Number(b.inForce) - Number(a.inForce) || (names.get(a.customerId) ?? a.customerId).localeCompare(names.get(b.customerId) ?? b.customerId),
  );
  return (
    <Card withBorder component="section" aria-labelledby="partner-shares">
      <Title order={2} size="h4" id="partner-shares" mb="xs">
        {t('partners.admin.shares')} ({p.sharedCustomerIds.length})
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen)
            share.mutate({
              params: { path: { id: p.partnerId } },
              body: {
                customerId: chosen,
                access: access as 'read' | 'read-write',
                ...(types.length > 0 && { episodeTypes: types as (typeof EPISODE_TYPES)[number][] }),
              },
            });
        }}
      >
        <Group align="flex-end" mb="md">
          <Autocomplete
            label={t('partners.admin.shareSearch')}
            data={options.map((o) => o.value)}
            value={search}
            onChange={setSearch}
            w={{ base: '100%', sm: 320 }}
          />
          <Select
            label={t('partners.admin.access')}
            data={[
              { value: 'read-write', label: t('partners.admin.readWrite') },
              { value: 'read', label: t('partners.admin.read') },
            ]}
            value={access}
            onChange={setAccess}
            allowDeselect={false}
            w={{ base: '100%', sm: 180 }}
          />
          <MultiSelect label={t('partners.admin.episodeTypes')} data={[...EPISODE_TYPES]} value={types} onChange={setTypes} w={{ base: '100%', sm: 280 }} />
          <Button type="submit" disabled={!chosen} loading={share.isPending}>
            {t('partners.admin.share')}
          </Button>
        </Group>
      </form>
      {(share.error ?? unshare.error) && <ErrorAlert error={share.error ?? unshare.error} />}
      {shares.length === 0 ? (
        <Text size="sm">{t('partners.admin.noShares')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label={t('partners.admin.shares')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('partners.admin.shareCustomer')}</Table.Th>
                <Table.Th>{t('partners.admin.access')}</Table.Th>
                <Table.Th>{t('partners.admin.sharedAt')}</Table.Th>
                <Table.Th>{t('partners.admin.status')}</Table.Th>
                <Table.Th>{t('partners.leads.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shares.map((s) => {
                const name = names.get(s.customerId) ?? s.customerId;
                return (
                  <Table.Tr key={s.customerId}>
                    <Table.Td>
                      <Anchor component={Link} to={`/customers/${s.customerId}`}>
                        {name}
                      </Anchor>
                      {s.episodeTypes && (
                        <Text size="xs" c="dimmed">
                          {s.episodeTypes.join(', ')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{s.access === 'read' ? t('partners.admin.read') : t('partners.admin.readWrite')}</Table.Td>
                    <Table.Td>{s.sharedAt ? formatDateTime(s.sharedAt) : '—'}</Table.Td>
                    <Table.Td>{s.inForce ? t('partners.admin.inForce') : t('partners.admin.ended')}</Table.Td>
                    <Table.Td>
                      {s.inForce && (
                        <Button
                          size="xs"
                          variant="outline"
                          color="red.9"
                          aria-label={t('partners.admin.unshareFor', { name })}
                          loading={unshare.isPending && unshare.variables?.params.path.customerId === s.customerId}
                          onClick={() => unshare.mutate({ params: { path: { id: p.partnerId, customerId: s.customerId } } })}
                        >
                          {t('partners.admin.unshare')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
