import { Alert, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { $partner, $sales, ApiError, type PartnerSchema } from '../api/clients';
import { usePrincipal } from '../auth/use-session';
import { formatDateTime, t } from '../i18n/t';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { useLiveTimeline } from './use-live-timeline';

/** A timeline page as both the departments' and the portal's route answer it (the portal's is the typed one). */
type TimelinePage = PartnerSchema<'PartnerTimelinePageDto'>;
type Episode = TimelinePage['episodes'][number];
type Interaction = Episode['interactions'][number];

/** How many of the latest interactions the view shows. */
const SHOWN = 20;
/** Timeline entries read per refresh (newest first): enough to hold the latest interactions. */
const ENTRIES = 100;

/** The latest interactions of a page, newest first, each with its episode. */
export function latestInteractions(page: TimelinePage, limit = SHOWN): { interaction: Interaction; episode: Episode }[] {
  const all = page.episodes.flatMap((episode) => episode.interactions.map((interaction) => ({ interaction, episode })));
  const key = (p: string) => p.split('/').map((n) => BigInt(n));
  all.sort((a, b) => {
    const [ac, ap] = key(a.interaction.position);
    const [bc, bp] = key(b.interaction.position);
    return ac === bc ? (ap === bp ? 0 : ap < bp ? 1 : -1) : ac < bc ? 1 : -1;
  });
  return all.slice(0, limit);
}

/**
 * A compact live view of one customer: the latest interactions, refreshed whenever the CRM reports a
 * change of the customer's timeline (`useLiveTimeline`). Staff read through sales, partners through
 * the portal — a partner sees only what is shared with it, and a customer not shared is "not found".
 */
export function LiveTimelinePage() {
  const { id = '' } = useParams();
  const principal = usePrincipal();
  const partner = principal.kind === 'partner';
  const params = { params: { path: { id } } };
  const timelineParams = { params: { path: { id }, query: { order: 'newest-first' as const, limit: ENTRIES } } };
  const staffCustomer = $sales.useQuery('get', '/customers/{id}', params, { enabled: !partner });
  const partnerCustomer = $partner.useQuery('get', '/customers/{id}', params, { enabled: partner });
  const staffTimeline = $sales.useQuery('get', '/customers/{id}/timeline', timelineParams, { enabled: !partner });
  const partnerTimeline = $partner.useQuery('get', '/customers/{id}/timeline', timelineParams, { enabled: partner });
  const customer = partner ? partnerCustomer : staffCustomer;
  const timeline = partner ? partnerTimeline : staffTimeline;
  const { connected } = useLiveTimeline(id, () => {
    void timeline.refetch();
  });

  const notFound = [customer.error, timeline.error].some((e) => (e instanceof ApiError && e.status === 404) || isProblem(e, 404));
  const name = (customer.data as { name?: string } | undefined)?.name ?? '';

  return (
    <Stack gap="md">
      <Group justify="space-between" align="center" wrap="wrap">
        <Title order={1}>{t('live.title')}</Title>
        <Badge
          role="status"
          aria-label={t('live.statusLabel', { status: connected ? t('live.connected') : t('live.disconnected') })}
          color={connected ? 'teal.9' : 'gray.7'}
          variant="filled"
          size="lg"
        >
          {connected ? t('live.connected') : t('live.disconnected')}
        </Badge>
      </Group>
      {notFound ? (
        <Alert color="yellow.9" title={t('notFound')} role="alert">
          {t('live.notFound')}
        </Alert>
      ) : customer.error ? (
        <ErrorAlert error={customer.error} onRetry={() => void customer.refetch()} />
      ) : (
        <>
          {name && <Text>{t('live.intro', { name })}</Text>}
          <QueryState query={{ ...timeline, data: timeline.data as TimelinePage | undefined }}>{(page) => <InteractionsTable page={page} />}</QueryState>
        </>
      )}
    </Stack>
  );
}

function isProblem(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === status;
}

function InteractionsTable({ page }: { page: TimelinePage }) {
  const rows = latestInteractions(page);
  if (rows.length === 0) return <Text c="dimmed">{t('live.empty')}</Text>;
  return (
    // The scrolling viewport takes the keyboard focus, so a narrow screen's table scrolls with the arrow keys too.
    <Table.ScrollContainer minWidth={640} scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': t('live.scrollLabel') } }}>
      <Table striped aria-label={t('live.listLabel')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('live.when')}</Table.Th>
            <Table.Th scope="col">{t('live.channel')}</Table.Th>
            <Table.Th scope="col">{t('live.action')}</Table.Th>
            <Table.Th scope="col">{t('live.response')}</Table.Th>
            <Table.Th scope="col">{t('live.inEpisode')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ interaction, episode }) => (
            <Table.Tr key={interaction.interactionId}>
              <Table.Td>{formatDateTime(interaction.occurredAt)}</Table.Td>
              <Table.Td>
                {interaction.channel} · {directionText(interaction.direction)}
              </Table.Td>
              <Table.Td>{interaction.action}</Table.Td>
              <Table.Td>{interaction.response ?? ''}</Table.Td>
              <Table.Td>{t('live.episode', { episode: episode.name, type: episode.episodeType })}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function directionText(direction: string): string {
  return direction === 'inbound' ? t('live.direction.inbound') : direction === 'outbound' ? t('live.direction.outbound') : direction;
}
