import { useState, type ReactNode } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $service, type ServiceSchema } from '../../api/clients';
import { usePrincipal } from '../../auth/use-session';
import { formatDateTime, t } from '../../i18n/t';
import { notifyDone, notifyError } from './notify';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { OPEN_STATUSES, SlaCountdown, priorityColor, statusColor, useNow } from './sla';

type Case = ServiceSchema<'CaseDto'>;

/** The ETag a command names as the revision it was decided on (a stale one is the CRM's 412). */
const ifMatch = (c: Case) => ({ 'if-match': `"${c.revision}"` });

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0}>
        {children}
      </Text>
    </div>
  );
}

export function CasePage() {
  const { id = '' } = useParams();
  const query = $service.useQuery('get', '/cases/{id}', { params: { path: { id } } });
  return <QueryState query={query}>{(c) => <CaseView c={c} />}</QueryState>;
}

function CaseView({ c }: { c: Case }) {
  const principal = usePrincipal();
  const client = useQueryClient();
  const now = useNow();
  const clocks = $service.useQuery('get', '/cases/{id}/service-levels', { params: { path: { id: c.caseId } } }, { retry: false });
  const customer = $service.useQuery('get', '/customers/{id}', { params: { path: { id: c.customerId } } }, { retry: false });
  const open = (OPEN_STATUSES as readonly string[]).includes(c.status);
  const done = (message: string) => () => {
    notifyDone(message);
    void client.invalidateQueries();
  };
  const failed = (e: unknown) => notifyError(e);

  return (
    <Stack gap="md">
      <div>
        <Title order={1}>{t('service.case.title', { name: c.name })}</Title>
        <Group gap="xs" mt="xs">
          <Badge color={statusColor[c.status]}>{t(`service.status.${c.status}`)}</Badge>
          <Badge color={priorityColor[c.priority]}>{t(`service.priority.${c.priority}`)}</Badge>
          <Anchor component={Link} to={`/customers/${c.customerId}`} size="sm">
            {t('service.case.openCustomer')}
            {customer.data ? ` — ${customer.data.name}` : ''}
          </Anchor>
        </Group>
      </div>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Card withBorder component="section" aria-labelledby="case-details">
              <Title order={2} size="h4" id="case-details" mb="sm">
                {t('service.case.details')}
              </Title>
              <SimpleGrid cols={{ base: 2, sm: 3 }} component="dl" spacing="sm" m={0}>
                <Fact label={t('service.case.channel')}>{c.channel ?? t('service.case.notSet')}</Fact>
                <Fact label={t('service.case.severity')}>{t(`service.severity.${c.severity}`)}</Fact>
                <Fact label={t('service.case.team')}>{c.team ?? t('service.case.notSet')}</Fact>
                <Fact label={t('service.case.assignee')}>{c.assigneeId ?? t('service.queue.unassigned')}</Fact>
                <Fact label={t('service.case.category')}>{c.category ?? t('service.case.notSet')}</Fact>
                <Fact label={t('service.case.product')}>{c.productId ?? t('service.case.notSet')}</Fact>
                <Fact label={t('service.case.openedAt')}>{formatDateTime(c.openedAt)}</Fact>
                <Fact label={t('service.case.reopenCount')}>{c.reopenCount}</Fact>
                <Fact label={t('service.case.customer')}>{customer.data?.name ?? c.customerId}</Fact>
              </SimpleGrid>
              {c.resolution ? (
                <Text size="sm" mt="sm">
                  {t('service.case.resolution', {
                    outcome: c.resolution.outcome === 'resolved' ? t('service.case.resolved') : t('service.case.unresolved'),
                    at: formatDateTime(c.resolution.closedAt),
                  })}
                  {c.resolution.reason ? ` — ${c.resolution.reason}` : ''}
                </Text>
              ) : null}
            </Card>

            <Card withBorder component="section" aria-labelledby="case-sla">
              <Title order={2} size="h4" id="case-sla" mb="sm">
                {t('service.case.sla')}
              </Title>
              <QueryState query={clocks}>
                {(s) => (
                  <Stack gap="xs">
                    <SlaCountdown clocks={s.clocks} now={now} />
                    <Text size="sm" c="dimmed">
                      {t('service.case.slaPolicy', { policy: s.policyId, tier: s.tier, calendar: s.calendarId })}
                    </Text>
                    {s.clocks.map((k) => (
                      <Group key={`${k.metric}-${k.cycle}`} gap="xs">
                        <Badge color={k.state === 'breached' ? 'red.9' : k.state === 'met' ? 'teal.9' : 'blue.9'}>{t(`service.clock.${k.state}`)}</Badge>
                        <Text size="sm">
                          {t(`service.metric.${k.metric}`)}
                          {k.cycle > 0 ? ` #${k.cycle + 1}` : ''} ·{' '}
                          {k.stoppedAt
                            ? t('service.case.slaStopped', { at: formatDateTime(k.stoppedAt) })
                            : k.dueAt
                              ? t('service.case.slaDue', { at: formatDateTime(k.dueAt) })
                              : t(`service.clock.paused`)}
                        </Text>
                      </Group>
                    ))}
                  </Stack>
                )}
              </QueryState>
            </Card>

            <Card withBorder component="section" aria-labelledby="case-interactions">
              <Title order={2} size="h4" id="case-interactions" mb="sm">
                {t('service.case.interactions')}
              </Title>
              {c.interactions.length === 0 ? (
                <Text size="sm">{t('service.case.noInteractions')}</Text>
              ) : (
                <Timeline bulletSize={14} lineWidth={2} component="ol" style={{ listStyle: 'none', padding: 0 }}>
                  {[...c.interactions]
                    .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt))
                    .map((i) => {
                      const actor = i.actor as unknown as { kind?: string; id?: string };
                      return (
                        <Timeline.Item
                          key={i.interactionId}
                          component="li"
                          title={t('service.case.interaction', {
                            channel: i.channel,
                            direction: i.direction,
                            actor: [actor.kind, actor.id].filter(Boolean).join(' '),
                          })}
                          data-interaction-id={i.interactionId}
                        >
                          <Text size="sm">{i.action}</Text>
                          {i.response ? (
                            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                              {i.response}
                            </Text>
                          ) : null}
                          <Text size="xs" c="dimmed">
                            <time dateTime={i.occurredAt}>{formatDateTime(i.occurredAt)}</time>
                          </Text>
                        </Timeline.Item>
                      );
                    })}
                </Timeline>
              )}
            </Card>
          </Stack>
        </Grid.Col>

        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            {open ? <ReplyForm c={c} onDone={done} onError={failed} /> : null}
            <Card withBorder component="section" aria-labelledby="case-work">
              <Title order={2} size="h4" id="case-work" mb="sm">
                {t('service.case.work')}
              </Title>
              <Stack gap="lg">
                {open ? <AssignForm c={c} me={principal.subject} onDone={done} onError={failed} /> : null}
                {open || c.status === 'resolved' ? <StatusForm c={c} onDone={done} onError={failed} /> : null}
                {open ? <ResolveForm c={c} onDone={done} onError={failed} /> : null}
                {c.status === 'resolved' ? <ReopenForm c={c} onDone={done} onError={failed} /> : null}
              </Stack>
            </Card>
            <Card withBorder component="section" aria-labelledby="case-history">
              <Title order={2} size="h4" id="case-history" mb="sm">
                {t('service.case.history')}
              </Title>
              <Stack gap={4}>
                {[...c.statusHistory].reverse().map((h) => (
                  <Text size="sm" key={`${h.status}-${h.enteredAt}`}>
                    {t('service.case.historyItem', { status: t(`service.status.${h.status}`), at: formatDateTime(h.enteredAt) })}
                    {h.reason ? ` — ${h.reason}` : ''}
                  </Text>
                ))}
              </Stack>
              <Title order={3} size="h5" mt="md" mb="xs">
                {t('service.case.assignments')}
              </Title>
              {c.assignments.length === 0 ? (
                <Text size="sm">{t('service.case.noAssignments')}</Text>
              ) : (
                <Stack gap={4}>
                  {[...c.assignments].reverse().map((a) => (
                    <Text size="sm" key={`${a.agentId}-${a.assignedAt}`}>
                      {t('service.case.assignmentItem', { agent: a.agentId, by: a.assignedBy, at: formatDateTime(a.assignedAt) })} — {a.reason}
                    </Text>
                  ))}
                </Stack>
              )}
              {c.returns && c.returns.length > 0 ? (
                <>
                  <Title order={3} size="h5" mt="md" mb="xs">
                    {t('service.case.returns')}
                  </Title>
                  <Stack gap={4}>
                    {c.returns.map((r) => (
                      <Anchor key={r.returnId} component={Link} to={`/service/returns/${r.returnId}`} size="sm">
                        {r.rmaNumber ?? t('service.returns.noRma')} · {r.status}
                      </Anchor>
                    ))}
                  </Stack>
                </>
              ) : null}
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

interface FormProps {
  c: Case;
  onDone(message: string): () => void;
  onError(e: unknown): void;
}

function ReplyForm({ c, onDone, onError }: FormProps) {
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [to, setTo] = useState('');
  const [replyId, setReplyId] = useState(() => crypto.randomUUID());
  const reply = $service.useMutation('post', '/cases/{id}/replies', {
    onSuccess: (r) => {
      onDone(t('service.case.sent', { to: r.to, subject: r.subject }))();
      setText('');
      setSubject('');
      setTo('');
      setReplyId(crypto.randomUUID());
    },
    onError,
  });
  return (
    <Card withBorder component="section" aria-labelledby="case-reply">
      <Title order={2} size="h4" id="case-reply" mb="sm">
        {t('service.case.reply')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          // The same replyId on a retry of a failed request: the CRM sends the message once.
          reply.mutate({
            params: { path: { id: c.caseId } },
            body: { replyId, text, ...(subject.trim() && { subject: subject.trim() }), ...(to.trim() && { to: to.trim() }) },
          });
        }}
      >
        <Stack gap="sm">
          <Textarea label={t('service.case.replyText')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={3} required />
          <TextInput label={t('service.case.replySubject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
          <TextInput
            label={t('service.case.replyTo')}
            description={t('service.case.replyHint')}
            type="email"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
          />
          {reply.error ? <ErrorAlert error={reply.error} /> : null}
          <Button type="submit" loading={reply.isPending} disabled={!text.trim()} w="fit-content">
            {t('service.case.send')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function AssignForm({ c, me, onDone, onError }: FormProps & { me: string }) {
  const agents = $service.useQuery('get', '/agents', {}, { retry: false });
  const [agent, setAgent] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const assign = $service.useMutation('post', '/cases/{id}/assignment', {
    onSuccess: (r) => onDone(t('service.case.assigned', { agent: r.assigneeId ?? '' }))(),
    onError,
  });
  const options = (agents.data?.items ?? []).map((a) => ({ value: a.agentId, label: `${a.name} (${a.agentId})` }));
  return (
    <Stack gap="xs">
      {c.assigneeId !== me ? (
        <Button
          variant="outline"
          w="fit-content"
          loading={assign.isPending && assign.variables?.body.agentId === me}
          onClick={() =>
            assign.mutate({
              params: { path: { id: c.caseId }, header: ifMatch(c) },
              body: { agentId: me, reason: t('service.queue.takeReason', { agent: me }) },
            })
          }
        >
          {t('service.case.takeIt')}
        </Button>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (agent) assign.mutate({ params: { path: { id: c.caseId }, header: ifMatch(c) }, body: { agentId: agent, reason } });
        }}
      >
        <Stack gap="xs">
          <Select label={t('service.case.assignTo')} data={options} value={agent} onChange={setAgent} searchable />
          <TextInput label={t('service.case.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          <Button type="submit" variant="outline" w="fit-content" disabled={!agent || !reason.trim()}>
            {t('service.case.assign')}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}

function StatusForm({ c, onDone, onError }: FormProps) {
  const choices = c.status === 'resolved' ? ['closed'] : ['in-progress', 'waiting-on-customer', 'waiting-on-partner'];
  const [status, setStatus] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const move = $service.useMutation('post', '/cases/{id}/status', {
    onSuccess: (r) => onDone(t('service.case.moved', { status: t(`service.status.${r.status}`) }))(),
    onError,
  });
  const needsReason = status?.startsWith('waiting-') ?? false;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (status)
          move.mutate({
            params: { path: { id: c.caseId }, header: ifMatch(c) },
            body: { status: status as ServiceSchema<'ChangeCaseStatusDto'>['status'], ...(reason.trim() && { reason: reason.trim() }) },
          });
      }}
    >
      <Stack gap="xs">
        <Select
          label={t('service.case.moveTo')}
          data={choices.filter((s) => s !== c.status).map((s) => ({ value: s, label: t(`service.status.${s as 'closed'}`) }))}
          value={status}
          onChange={setStatus}
        />
        {needsReason ? <TextInput label={t('service.case.waitingFor')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required /> : null}
        <Button type="submit" variant="outline" w="fit-content" disabled={!status || (needsReason && !reason.trim())} loading={move.isPending}>
          {t('service.case.move')}
        </Button>
      </Stack>
    </form>
  );
}

function ResolveForm({ c, onDone, onError }: FormProps) {
  const [outcome, setOutcome] = useState<'resolved' | 'unresolved'>('resolved');
  const [reason, setReason] = useState('');
  const resolve = $service.useMutation('post', '/cases/{id}/resolve', { onSuccess: onDone(t('service.case.resolvedDone')), onError });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        resolve.mutate({ params: { path: { id: c.caseId } }, body: { outcome, ...(reason.trim() && { reason: reason.trim() }) } });
      }}
    >
      <Stack gap="xs">
        <Text size="sm" fw={500} id="resolve-outcome">
          {t('service.case.resolveOutcome')}
        </Text>
        <SegmentedControl
          aria-labelledby="resolve-outcome"
          value={outcome}
          onChange={(v) => setOutcome(v as 'resolved' | 'unresolved')}
          data={[
            { value: 'resolved', label: t('service.case.resolved') },
            { value: 'unresolved', label: t('service.case.unresolved') },
          ]}
          w="fit-content"
        />
        <TextInput label={t('service.case.resolveReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Button type="submit" color="teal.9" w="fit-content" loading={resolve.isPending}>
          {t('service.case.resolve')}
        </Button>
      </Stack>
    </form>
  );
}

function ReopenForm({ c, onDone, onError }: FormProps) {
  const [reason, setReason] = useState('');
  const reopen = $service.useMutation('post', '/cases/{id}/reopen', { onSuccess: onDone(t('service.case.reopened')), onError });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        reopen.mutate({ params: { path: { id: c.caseId }, header: ifMatch(c) }, body: { reason } });
      }}
    >
      <Stack gap="xs">
        <TextInput label={t('service.case.reopenReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required />
        <Button type="submit" variant="outline" w="fit-content" disabled={!reason.trim()} loading={reopen.isPending}>
          {t('service.case.reopen')}
        </Button>
      </Stack>
    </form>
  );
}
