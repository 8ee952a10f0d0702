import { useMemo, useState } from 'react';
import { Alert, Anchor, Badge, Grid, Group, Stack, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, useParams } from 'react-router';
import { must, sales } from '../../api/clients';
import { allPages } from '../../api/pages';
import { t } from '../../i18n/t';
import { useLiveTimeline } from '../../live/use-live-timeline';
import { QueryState } from '../../ui/query-state';
import { AsOfSlider } from './as-of-slider';
import { ContactsCard, IdentitiesCard } from './contacts';
import { ConsentCard, SharesCard, ValueCard } from './insights';
import { MergesCard } from './merges';
import { ProfileCard, type Profile } from './profile';
import { TimelineSection } from './timeline-section';
import type { TimelinePage } from './timeline';

/** Up to 10,000 record changes become slider steps; a day of any date reaches the rest (the as-of date field). */
const MAX_CHANGE_PAGES = 50;

/** A new customer (from the header search, a link) starts fresh: now, no filters. */
export function CustomerRoute() {
  const { id = '' } = useParams();
  return <CustomerPage key={id} />;
}

/** Customer 360: profile, contacts, identities, value, consent, shares, merges and the relationship timeline — now or as of a moment of its history. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const [asOf, setAsOf] = useState<string | null>(null);
  const live = useLiveTimeline(id, () => void queryClient.invalidateQueries({ queryKey: ['customer', id] }));
  const customer = useQuery({
    queryKey: ['customer', id, 'record', asOf],
    queryFn: async ({ signal }) =>
      must(await sales.GET('/customers/{id}', { params: { path: { id }, query: asOf ? { asOf } : {} }, signal })) as unknown as Profile,
    placeholderData: (previous) => previous,
  });
  // The moments of the history the as-of slider steps through: the record's changes and the episodes' openings, as recorded.
  const changes = useQuery({
    queryKey: ['customer', id, 'changes'],
    // Oldest first, page by page: every change, so the newest are steps too (a long-lived customer has many).
    queryFn: async ({ signal }) => {
      const { items } = await allPages(
        (after) => sales.GET('/customers/{id}/changes', { params: { path: { id }, query: { limit: 200, ...(after && { after }) } }, signal }),
        { items: (p) => p.changes, next: (p) => p.nextAfter },
        MAX_CHANGE_PAGES,
      );
      return { changes: items };
    },
  });
  const openings = useQuery({
    queryKey: ['customer', id, 'openings'],
    queryFn: async ({ signal }) =>
      must(
        await sales.GET('/customers/{id}/timeline', { params: { path: { id }, query: { limit: 200, order: 'newest-first' } }, signal }),
      ) as unknown as TimelinePage,
  });
  const moments = useMemo(() => {
    const all = [...(changes.data?.changes.map((c) => c.recordedAt) ?? []), ...(openings.data?.episodes.map((e) => e.recordedAt ?? '') ?? [])].filter(Boolean);
    return [...new Set(all)].sort();
  }, [changes.data, openings.data]);
  const partners = useMemo(
    () => [...new Set((openings.data?.episodes ?? []).flatMap((e) => (e.owner.kind === 'partner' ? [e.owner.partnerId] : [])))],
    [openings.data],
  );

  return (
    <QueryState query={customer}>
      {(c) =>
        c.customerId !== id && !asOf ? (
          <Navigate to={`/customers/${c.customerId}`} replace />
        ) : (
          <Stack>
            <Anchor component={Link} to="/customers" size="sm">
              {t('customers.page.back')}
            </Anchor>
            <Group justify="space-between" align="center">
              <Title order={1}>{c.name}</Title>
              <Badge variant="dot" color={live.connected ? 'green' : 'gray'} c="dark.7" aria-live="polite">
                {live.connected ? t('customers.page.live') : t('customers.page.notLive')}
              </Badge>
            </Group>
            {c.stale && (
              <Alert color="yellow" role="status">
                {t('customers.page.stale')}
              </Alert>
            )}
            <AsOfSlider moments={moments} asOf={asOf} onChange={setAsOf} />
            <Grid>
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Stack>
                  <ProfileCard customer={c} asOf={asOf} />
                  <ContactsCard customer={c} readOnly={!!asOf} />
                  <IdentitiesCard customer={c} readOnly={!!asOf} />
                  <ValueCard customerId={id} asOf={asOf} />
                  <ConsentCard customerId={id} asOf={asOf} />
                  <SharesCard customerId={id} asOf={asOf} />
                  <MergesCard customerId={id} />
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 7 }}>
                <TimelineSection customerId={id} asOf={asOf} partners={partners} />
              </Grid.Col>
            </Grid>
          </Stack>
        )
      }
    </QueryState>
  );
}
