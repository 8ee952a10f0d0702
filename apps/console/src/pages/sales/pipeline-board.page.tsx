import { useMemo, useState } from 'react';
import {
  DndContext,
  KeyboardCode,
  KeyboardSensor,
  PointerSensor,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Menu,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { IconDotsVertical, IconGripVertical } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { $sales, must, sales, type SalesSchema } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { usePrincipal } from '../../auth/use-session';
import { formatMoney, t } from '../../i18n/t';
import { errorText, QueryState } from '../../ui/query-state';
import { CustomerLink, stageName, useCustomerNames, notifySuccess } from './shared';

type Opportunity = SalesSchema<'OpportunityListItemDto'>;
type Stage = SalesSchema<'PipelineStageDto'>;
const LIMIT = 200;

/** Arrow left and right carry the picked-up card to the previous or next stage's column (whatever the layout). */
function stageStepper(stageIds: string[]): KeyboardCoordinateGetter {
  return (event, { context, currentCoordinates }) => {
    const step = event.code === KeyboardCode.Right ? 1 : event.code === KeyboardCode.Left ? -1 : 0;
    if (!step) return undefined;
    event.preventDefault();
    const over = String(context.over?.id ?? context.active?.data.current?.['stage'] ?? '');
    const target = stageIds[stageIds.indexOf(over) + step];
    const rect = target ? context.droppableRects.get(target) : undefined;
    if (!rect) return currentCoordinates;
    return { x: rect.left + 8, y: rect.top + 48 };
  };
}

export function PipelineBoardPage() {
  const principal = usePrincipal();
  const [pipelineId, setPipelineId] = useState<string | null>(null);
  const [whose, setWhose] = useState<'mine' | 'everyone'>(principal.kind === 'staff' && principal.department === 'management' ? 'everyone' : 'mine');
  const pipelines = $sales.useQuery('get', '/pipelines');
  const pipeline = pipelines.data?.items.find((p) => p.pipelineId === pipelineId) ?? pipelines.data?.items.find((p) => p.default) ?? pipelines.data?.items[0];
  return (
    <Stack>
      <Title order={1}>{t('sales.board.title')}</Title>
      <Text c="dimmed">{t('sales.board.intro')}</Text>
      <QueryState query={pipelines}>
        {(data) => (
          <>
            <Group align="end">
              <Select
                label={t('sales.board.pipeline')}
                data={data.items.map((p) => ({ value: p.pipelineId, label: p.name }))}
                value={pipeline?.pipelineId ?? null}
                onChange={setPipelineId}
                allowDeselect={false}
              />
              <Stack gap={4}>
                <Text size="sm" fw={500} id="board-whose">
                  {t('sales.board.whose')}
                </Text>
                <SegmentedControl
                  aria-labelledby="board-whose"
                  value={whose}
                  onChange={(v) => setWhose(v as 'mine' | 'everyone')}
                  data={[
                    { value: 'mine', label: t('sales.board.mine') },
                    { value: 'everyone', label: t('sales.board.everyone') },
                  ]}
                />
              </Stack>
            </Group>
            {pipeline && <Board pipelineId={pipeline.pipelineId} stages={pipeline.stages} owner={whose === 'mine' ? principal.subject : undefined} />}
          </>
        )}
      </QueryState>
    </Stack>
  );
}

interface PendingMove {
  opportunity: Opportunity;
  to: string;
}

function Board({ pipelineId, stages, owner }: { pipelineId: string; stages: Stage[]; owner?: string }) {
  const queryClient = useQueryClient();
  const listParams = { params: { query: { pipelineId, status: 'open', limit: LIMIT, sort: 'closeDate' as const, ...(owner && { owner }) } } };
  const list = $sales.useQuery('get', '/opportunities', listParams);
  const [moved, setMoved] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<unknown>(null);
  const [backward, setBackward] = useState<PendingMove | null>(null);
  const [reason, setReason] = useState('');
  const stageIds = stages.map((s) => s.stageId);
  const names = useCustomerNames((list.data?.items ?? []).map((o) => o.customerId));
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: useMemo(() => stageStepper(stageIds), [stageIds.join()]) }),
  );

  const byId = new Map((list.data?.items ?? []).map((o) => [o.opportunityId, o]));
  const stageOf = (o: Opportunity) => moved[o.opportunityId] ?? o.stage;

  async function send(o: Opportunity, to: string, why?: string) {
    setRefusal(null);
    setMoved((m) => ({ ...m, [o.opportunityId]: to }));
    try {
      must(
        await sales.POST('/opportunities/{id}/stage', {
          params: { path: { id: o.opportunityId } },
          body: { stage: to, ...(why && { reason: why }) },
        }),
      );
      notifySuccess(t('sales.board.moved', { name: o.name, stage: stageName(to, stages) }));
      await queryClient.invalidateQueries({ queryKey: ['sales', 'opportunity'] });
      // The board is a read model: the card keeps its new column until the list has the move too (it
      // jumped back for a moment when the list was read before the projection had it).
      await refetchUntil<SalesSchema<'OpportunityListPageDto'>>(queryClient, ['get', '/opportunities'], (page) =>
        page.items.every((x) => x.opportunityId !== o.opportunityId || x.stage === to),
      );
    } catch (error) {
      setRefusal(error);
    } finally {
      setMoved((m) => {
        const { [o.opportunityId]: _gone, ...rest } = m;
        return rest;
      });
    }
  }

  /** A forward move goes at once; a backward one asks why first. */
  function move(o: Opportunity, to: string) {
    const from = stageOf(o);
    if (to === from) return;
    if (stageIds.indexOf(to) < stageIds.indexOf(from)) {
      setReason('');
      setBackward({ opportunity: o, to });
    } else void send(o, to);
  }

  function onDragEnd(e: DragEndEvent) {
    const o = byId.get(String(e.active.id));
    if (o && e.over) move(o, String(e.over.id));
  }

  const nameOf = (id: string | number) => byId.get(String(id))?.name ?? String(id);
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('sales.board.announce.start', { name: nameOf(active.id) }),
    onDragOver: ({ active, over }) =>
      over ? t('sales.board.announce.over', { name: nameOf(active.id), stage: stageName(String(over.id), stages) }) : undefined,
    onDragEnd: ({ active, over }) => (over ? t('sales.board.announce.end', { name: nameOf(active.id), stage: stageName(String(over.id), stages) }) : undefined),
    onDragCancel: ({ active }) => t('sales.board.announce.cancel', { name: nameOf(active.id) }),
  };

  return (
    <QueryState query={list}>
      {(data) => (
        <Stack>
          {refusal !== null && (
            <Alert color="red" title={t('sales.board.refused')} role="alert" withCloseButton onClose={() => setRefusal(null)} closeButtonLabel={t('close')}>
              <Text size="sm">{errorText(refusal)}</Text>
            </Alert>
          )}
          {data.nextCursor && <Text size="sm">{t('sales.board.truncated', { count: LIMIT })}</Text>}
          <DndContext
            sensors={sensors}
            collisionDetection={rectIntersection}
            onDragEnd={onDragEnd}
            accessibility={{ announcements, screenReaderInstructions: { draggable: t('sales.board.instructions') } }}
          >
            <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
              {stages.map((s) => {
                const cards = data.items.filter((o) => stageOf(o) === s.stageId);
                return (
                  <Column key={s.stageId} stage={s} stages={stages} cards={cards}>
                    {cards.map((o) => (
                      <OpportunityCard
                        key={o.opportunityId}
                        o={o}
                        stage={stageOf(o)}
                        stages={stages}
                        customer={names.get(o.customerId)}
                        onMove={(to) => move(o, to)}
                      />
                    ))}
                  </Column>
                );
              })}
            </SimpleGrid>
          </DndContext>
          <Modal
            opened={backward !== null}
            onClose={() => setBackward(null)}
            title={backward ? t('sales.backward.title', { stage: stageName(backward.to, stages) }) : ''}
            closeButtonProps={{ 'aria-label': t('cancel') }}
          >
            {backward && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  if (!reason.trim()) return;
                  const pending = backward;
                  setBackward(null);
                  void send(pending.opportunity, pending.to, reason.trim());
                }}
              >
                <Stack>
                  <Text size="sm">
                    {t('sales.backward.body', {
                      name: backward.opportunity.name,
                      from: stageName(stageOf(backward.opportunity), stages),
                      to: stageName(backward.to, stages),
                    })}
                  </Text>
                  <Textarea
                    label={t('sales.backward.reason')}
                    required
                    value={reason}
                    onChange={(e) => setReason(e.currentTarget.value)}
                    maxLength={500}
                    data-autofocus
                  />
                  <Group justify="end">
                    <Button variant="default" onClick={() => setBackward(null)}>
                      {t('cancel')}
                    </Button>
                    <Button type="submit" disabled={!reason.trim()}>
                      {t('sales.backward.submit')}
                    </Button>
                  </Group>
                </Stack>
              </form>
            )}
          </Modal>
        </Stack>
      )}
    </QueryState>
  );
}

/** Sums per currency, never added across currencies. */
function totalOf(cards: Opportunity[]): string {
  const sums = new Map<string, number>();
  for (const o of cards) if (o.amount !== null && o.currency) sums.set(o.currency, (sums.get(o.currency) ?? 0) + o.amount);
  return sums.size ? [...sums].map(([c, v]) => formatMoney(v, c)).join(' + ') : t('sales.board.noAmount');
}

function Column({ stage, stages, cards, children }: { stage: Stage; stages: Stage[]; cards: Opportunity[]; children: React.ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: stage.stageId });
  const name = stageName(stage.stageId, stages);
  const headingId = `stage-${stage.stageId}`;
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="xs"
      bg={isOver ? 'var(--mantine-color-blue-light)' : 'var(--mantine-color-gray-0)'}
      component="section"
      aria-labelledby={headingId}
      mih={160}
    >
      <Title order={2} size="h5" id={headingId}>
        {name}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {t('sales.board.column', { stage: name, count: cards.length, value: totalOf(cards) })}
      </Text>
      <Stack gap="xs">
        {cards.length ? (
          children
        ) : (
          <Text size="sm" c="dimmed">
            {t('sales.board.emptyColumn')}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function OpportunityCard({
  o,
  stage,
  stages,
  customer,
  onMove,
}: {
  o: Opportunity;
  stage: string;
  stages: Stage[];
  customer?: string;
  onMove(to: string): void;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({ id: o.opportunityId, data: { stage } });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)`, zIndex: 10 } : undefined;
  return (
    <Card
      ref={setNodeRef}
      withBorder
      padding="xs"
      shadow={isDragging ? 'md' : undefined}
      style={style}
      data-opportunity={o.opportunityId}
      aria-label={o.name}
      component="article"
    >
      <Group gap={4} wrap="nowrap" align="start">
        <ActionIcon
          ref={setActivatorNodeRef}
          variant="subtle"
          color="gray"
          aria-label={t('sales.board.dragHandle', { name: o.name })}
          {...attributes}
          {...listeners}
          style={{ cursor: 'grab', touchAction: 'none' }}
        >
          <IconGripVertical size={16} />
        </ActionIcon>
        <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
          <Anchor component={Link} to={`/sales/opportunities/${o.opportunityId}`} fw={600} size="sm">
            {o.name}
          </Anchor>
          <CustomerLink id={o.customerId} name={customer} />
          <Text size="sm">{o.amount !== null && o.currency ? formatMoney(o.amount, o.currency) : t('sales.board.noAmount')}</Text>
          <Group gap={4}>
            <Badge variant="light" color="gray" size="sm" tt="none">
              {t('sales.board.owner', { owner: o.owner })}
            </Badge>
          </Group>
        </Stack>
        <Menu position="bottom-end">
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" aria-label={t('sales.board.moveMenu', { name: o.name })}>
              <IconDotsVertical size={16} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>{t('sales.board.moveTo')}</Menu.Label>
            {stages
              .filter((s) => s.stageId !== stage)
              .map((s) => (
                <Menu.Item key={s.stageId} onClick={() => onMove(s.stageId)}>
                  {stageName(s.stageId, stages)}
                </Menu.Item>
              ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
    </Card>
  );
}
