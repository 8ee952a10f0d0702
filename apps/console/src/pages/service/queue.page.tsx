import { useMemo, useState } from 'react';
import { Anchor, Badge, Button, Group, MultiSelect, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { $service, type ServiceSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { usePrincipal } from '../../auth/use-session';
import { formatDateTime, t } from '../../i18n/t';
import { notifyDone, notifyError } from './notify';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { CASE_STATUSES, ListCountdown, OPEN_STATUSES, PRIORITIES, PRIORITY_RANK, priorityColor, statusColor, useNow } from './sla';

type CaseItem = ServiceSchema<'CaseListItemDto'>;
const LIMIT = 100;

/**
 * A queue of cases: mine (assigned to me, open) or the team's (waiting for an agent). Ordered by
 * priority, then by the nearest service-level due time, with a live countdown on each case.
 */
export function QueuePage({ mine }: { mine: boolean }) {
  const principal = usePrincipal();
  const me = principal.subject;
  const [statuses, setStatuses] = useState<string[]>(mine ? [...OPEN_STATUSES] : ['new', 'reopened']);
  const [priorities, setPriorities] = useState<string[]>([]);
  const [team, setTeam] = useState<string | null>(null);
  const now = useNow();
  const client = useQueryClient();

  const query = {
    ...(statuses.length > 0 && { status: statuses.join(',') }),
    ...(priorities.length > 0 && { priority: priorities.join(',') }),
    ...(team && { team }),
    ...(mine && { assignee: 'me' }),
    sort: '-priority' as const,
    limit: LIMIT,
  };
  const cases = $service.useQuery('get', '/cases', { params: { query } }, { refetchInterval: 15_000 });
  const teams = $service.useQuery('get', '/teams', {}, { retry: false });
  const items = useMemo(() => cases.data?.items ?? [], [cases.data]);
  // The list comes by priority (urgent first); within a priority, the nearest due time first.
  const due = (c: CaseItem) => (c.slaDueAt ? Date.parse(c.slaDueAt) : Number.POSITIVE_INFINITY);
  const ordered = [...items].sort((a, b) => (PRIORITY_RANK[b.priority] ?? 0) - (PRIORITY_RANK[a.priority] ?? 0) || due(a) - due(b));

  const take = $service.useMutation('post', '/cases/{id}/assignment', {
    onSuccess: async (_d, vars) => {
      const taken = items.find((c) => c.caseId === vars.params.path.id);
      notifyDone(t('service.queue.taken', { name: taken?.name ?? '' }));
      // The queue is a read model: asked again until the case shows its new assignee (or left this view).
      await refetchUntil<ServiceSchema<'CaseListPageDto'>>(client, ['get', '/cases'], (page) =>
        page.items.every((c) => c.caseId !== vars.params.path.id || c.assigneeId !== (taken?.assigneeId ?? null)),
      );
    },
    onError: (e) => notifyError(e),
  });

  const teamOptions = [...new Set([...(teams.data?.items.map((x) => x.team) ?? []), ...items.map((c) => c.team).filter((x): x is string => !!x)])].sort();

  return (
    <Stack gap="md">
      <div>
        <Title order={1}>{mine ? t('service.queue.myTitle') : t('service.queue.teamTitle')}</Title>
        <Text c="dimmed" mt={4}>
          {mine ? t('service.queue.myIntro') : t('service.queue.teamIntro')}
        </Text>
      </div>
      <Group align="flex-end" gap="sm" role="search" aria-label={t('service.queue.filters')}>
        <MultiSelect
          label={t('service.queue.status')}
          data={CASE_STATUSES.map((s) => ({ value: s, label: t(`service.status.${s}`) }))}
          value={statuses}
          onChange={setStatuses}
          clearable
          w={{ base: '100%', sm: 320 }}
        />
        <MultiSelect
          label={t('service.queue.priority')}
          data={PRIORITIES.map((p) => ({ value: p, label: t(`service.priority.${p}`) }))}
          value={priorities}
          onChange={setPriorities}
          clearable
          w={{ base: '100%', sm: 240 }}
        />
        <Select
          label={t('service.queue.team')}
          placeholder={t('service.queue.allTeams')}
          data={teamOptions}
          value={team}
          onChange={setTeam}
          clearable
          w={{ base: '100%', sm: 200 }}
        />
      </Group>
      {teams.error ? <ErrorAlert error={teams.error} /> : null}
      <QueryState query={cases}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t('service.queue.empty')}</Text>
          ) : (
            <>
              <Text size="sm" aria-live="polite">
                {t('service.queue.count', { count: page.items.length })}
              </Text>
              <Table.ScrollContainer minWidth={1080}>
                <Table striped highlightOnHover aria-label={mine ? t('service.queue.myTitle') : t('service.queue.teamTitle')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('service.queue.caseCol')}</Table.Th>
                      <Table.Th>{t('service.queue.priorityCol')}</Table.Th>
                      <Table.Th>{t('service.queue.slaCol')}</Table.Th>
                      <Table.Th>{t('service.queue.statusCol')}</Table.Th>
                      <Table.Th>{t('service.queue.teamCol')}</Table.Th>
                      <Table.Th>{t('service.queue.assigneeCol')}</Table.Th>
                      <Table.Th>{t('service.queue.openedCol')}</Table.Th>
                      <Table.Th>{t('service.queue.actionsCol')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {ordered.map((c) => (
                      <QueueRow
                        key={c.caseId}
                        c={c}
                        me={me}
                        now={now}
                        taking={take.isPending && take.variables?.params.path.id === c.caseId}
                        onTake={() =>
                          take.mutate({ params: { path: { id: c.caseId } }, body: { agentId: me, reason: t('service.queue.takeReason', { agent: me }) } })
                        }
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {page.nextCursor ? <Text size="sm">{t('service.queue.more', { count: LIMIT })}</Text> : null}
            </>
          )
        }
      </QueryState>
    </Stack>
  );
}

function QueueRow({ c, me, now, taking, onTake }: { c: CaseItem; me: string; now: number; taking: boolean; onTake(): void }) {
  const open = (OPEN_STATUSES as readonly string[]).includes(c.status);
  return (
    <Table.Tr data-case-id={c.caseId} data-priority={c.priority}>
      <Table.Td>
        <Anchor component={Link} to={`/service/cases/${c.caseId}`} fw={600}>
          {c.name}
        </Anchor>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Badge color={priorityColor[c.priority]} style={{ overflow: 'visible' }}>
          {t(`service.priority.${c.priority}`)}
        </Badge>
      </Table.Td>
      <Table.Td>
        <ListCountdown item={c} now={now} />
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Badge color={statusColor[c.status]} style={{ overflow: 'visible' }}>
          {t(`service.status.${c.status}`)}
        </Badge>
      </Table.Td>
      <Table.Td>{c.team ?? t('service.case.notSet')}</Table.Td>
      <Table.Td>{c.assigneeId ?? t('service.queue.unassigned')}</Table.Td>
      <Table.Td>{formatDateTime(c.openedAt)}</Table.Td>
      <Table.Td>
        {open && c.assigneeId !== me ? (
          <Button size="xs" variant="light" loading={taking} onClick={onTake} aria-label={t('service.queue.takeCase', { name: c.name })}>
            {t('service.queue.take')}
          </Button>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}
