import { useEffect, useState } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Grid,
  Group,
  List,
  Loader,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { $marketing, marketing, must, type MarketingSchema } from '../../api/clients';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { formatDateTime, formatNumber, t, type MessageKey } from '../../i18n/t';
import { badgeProps, CHURN_BANDS, CONSENT_CHANNELS, JOURNEY_STAGES, options, RELATIONSHIP_PHASES, statusColor, valueLabel, VALUE_TIERS } from './labels';
import { CRITERIA, newRow, ruleOf, rowsOf, type Criterion, type RuleRow } from './segment-rules';

type Segment = MarketingSchema<'SegmentDto'>;

/** `/marketing/segments/new`: a new segment. */
export function NewSegmentPage() {
  return <SegmentBuilder />;
}

/** `/marketing/segments/:id`: a segment, its rule to revise, its members. */
export function SegmentPage() {
  const { id = '' } = useParams();
  const segment = $marketing.useQuery('get', '/segments/{id}', { params: { path: { id } } });
  return (
    <QueryState query={segment}>
      {(s) => (
        <Stack gap="xl">
          <SegmentBuilder key={s.revision} segment={s} />
          <SegmentMembers segmentId={s.segmentId} />
        </Stack>
      )}
    </QueryState>
  );
}

const ENUM_VALUES: Partial<Record<Criterion, { group: 'journeyStage' | 'relationshipPhase' | 'valueTier' | 'churnRisk'; values: readonly string[] }>> = {
  journeyStage: { group: 'journeyStage', values: JOURNEY_STAGES },
  relationshipPhase: { group: 'relationshipPhase', values: RELATIONSHIP_PHASES },
  valueTier: { group: 'valueTier', values: VALUE_TIERS },
  churnRisk: { group: 'churnRisk', values: CHURN_BANDS },
};

function SegmentBuilder({ segment }: { segment?: Segment }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const parsed = segment ? rowsOf(segment.rule) : { match: 'all' as const, rows: [newRow()] };
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [match, setMatch] = useState<'all' | 'any'>(parsed?.match ?? 'all');
  const [rows, setRows] = useState<RuleRow[]>(parsed?.rows ?? []);
  const [saveError, setSaveError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const editable = parsed !== undefined && segment?.status !== 'archived';

  const rule = parsed ? ruleOf(rows, match) : segment?.rule;
  const [debounced] = useDebouncedValue(rule ? JSON.stringify(rule) : '', 400);
  const preview = $marketing.useQuery(
    'post',
    '/segments/preview',
    { body: { rule: debounced ? (JSON.parse(debounced) as Record<string, unknown>) : {} } },
    { enabled: debounced !== '', placeholderData: keepPreviousData },
  );
  const counting = preview.isFetching || (rule !== undefined && JSON.stringify(rule) !== debounced);

  const update = (key: number, change: Partial<RuleRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  async function save() {
    if (!rule) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      const body = { name: name.trim(), rule, ...(description.trim() && { description: description.trim() }) };
      if (!segment) {
        const created = must(await marketing.POST('/segments', { body }));
        notifications.show({ message: t('marketing.builder.saved'), color: 'green' });
        await queries.invalidateQueries({ queryKey: ['get', '/segments'] });
        navigate(`/marketing/segments/${created.segmentId}`);
      } else {
        const revised = must(
          await marketing.PUT('/segments/{id}', {
            params: { path: { id: segment.segmentId }, header: { 'if-match': `"${segment.revision}"` } },
            body,
          }),
        );
        notifications.show({
          message: t(revised.revision === segment.revision ? 'marketing.builder.unchanged' : 'marketing.builder.saved'),
          color: 'green',
        });
        await queries.invalidateQueries({ queryKey: ['get', '/segments/{id}'] });
      }
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Title order={1}>{segment ? t('marketing.builder.editTitle', { name: segment.name }) : t('marketing.builder.newTitle')}</Title>
        {segment && (
          <Group gap="xs">
            <Badge {...badgeProps(statusColor[segment.status])}>{valueLabel('status', segment.status)}</Badge>
            <Button component={Link} to={`/marketing/campaigns/new?segment=${segment.segmentId}`} variant="light">
              {t('marketing.builder.createCampaign')}
            </Button>
          </Group>
        )}
      </Group>
      {segment?.status === 'archived' && <Alert color="gray">{t('marketing.builder.archived')}</Alert>}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="sm">
            <TextInput label={t('marketing.builder.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!editable} />
            <Textarea
              label={t('marketing.builder.description')}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
              autosize
              minRows={1}
              disabled={!editable}
            />
            <Title order={2} size="h3" mt="sm">
              {t('marketing.builder.rules')}
            </Title>
            {parsed === undefined ? (
              <Code block>{JSON.stringify(segment?.rule, null, 2)}</Code>
            ) : (
              <>
                <Stack gap={4}>
                  <Text size="sm" fw={500} id="segment-match">
                    {t('marketing.builder.match')}
                  </Text>
                  <SegmentedControl
                    aria-labelledby="segment-match"
                    value={match}
                    onChange={(v) => setMatch(v as 'all' | 'any')}
                    data={[
                      { value: 'all', label: t('marketing.builder.matchAll') },
                      { value: 'any', label: t('marketing.builder.matchAny') },
                    ]}
                    disabled={!editable}
                    w="fit-content"
                  />
                </Stack>
                {rows.length === 0 && <Text c="dimmed">{t('marketing.builder.noRules')}</Text>}
                {rows.map((row, i) => (
                  <RuleEditor
                    key={row.key}
                    n={i + 1}
                    row={row}
                    disabled={!editable}
                    onChange={(change) => update(row.key, change)}
                    onRemove={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}
                  />
                ))}
                {editable && (
                  <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setRows((rs) => [...rs, newRow()])} w="fit-content">
                    {t('marketing.builder.addRule')}
                  </Button>
                )}
              </>
            )}
            {saveError !== undefined && <ErrorAlert error={saveError} />}
            {editable && (
              <Button onClick={() => void save()} loading={saving} disabled={!rule || !name.trim()} w="fit-content">
                {t('marketing.builder.save')}
              </Button>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder component="section" aria-labelledby="live-count">
            <Title order={2} size="h4" id="live-count">
              {t('marketing.builder.liveCount')}
            </Title>
            <div aria-live="polite">
              {preview.error ? (
                <ErrorAlert error={preview.error} />
              ) : !rule ? (
                <Text c="dimmed" mt="xs">
                  {t('marketing.builder.noRules')}
                </Text>
              ) : preview.data ? (
                <Group gap="xs" mt="xs">
                  <Text size="xl" fw={700} data-testid="segment-count">
                    {t('marketing.builder.count', { count: formatNumber(preview.data.count) })}
                  </Text>
                  {counting && <Loader role="status" size="xs" aria-label={t('marketing.builder.counting')} />}
                </Group>
              ) : (
                <Loader role="status" size="sm" mt="xs" aria-label={t('marketing.builder.counting')} />
              )}
            </div>
            {rule && preview.data && preview.data.sample.length > 0 && !preview.error && (
              <>
                <Text size="sm" fw={500} mt="md">
                  {t('marketing.builder.sample')}
                </Text>
                <List size="sm" mt={4}>
                  {preview.data.sample.slice(0, 8).map((c) => (
                    <List.Item key={c.customerId}>
                      <Link to={`/customers/${c.customerId}`}>{c.name}</Link>
                    </List.Item>
                  ))}
                </List>
              </>
            )}
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function RuleEditor({
  n,
  row,
  disabled,
  onChange,
  onRemove,
}: {
  n: number;
  row: RuleRow;
  disabled: boolean;
  onChange(change: Partial<RuleRow>): void;
  onRemove(): void;
}) {
  const enumeration = ENUM_VALUES[row.criterion];
  const numberProps = (key: 'lastDays' | 'minCount', label: MessageKey, max: number) => (
    <NumberInput
      label={t(label, { n })}
      min={1}
      max={max}
      allowDecimal={false}
      value={row[key]}
      onChange={(v) => onChange({ [key]: typeof v === 'number' ? v : '' })}
      disabled={disabled}
      w={{ base: '100%', xs: 200 }}
    />
  );
  return (
    <Card withBorder padding="sm" component="fieldset" aria-label={t('marketing.builder.ruleN', { n })} style={{ margin: 0 }}>
      <Stack gap="xs">
        <Group align="flex-end" wrap="wrap" gap="sm">
          <Select
            label={t('marketing.builder.criterion', { n })}
            data={CRITERIA.map((c) => ({ value: c, label: t(`marketing.builder.criteria.${c}`) }))}
            value={row.criterion}
            onChange={(v) => v && onChange({ ...newRow(v as Criterion), key: row.key, exclude: row.exclude })}
            allowDeselect={false}
            disabled={disabled}
            w={{ base: '100%', xs: 240 }}
          />
          <Checkbox
            label={t('marketing.builder.exclude', { n })}
            checked={row.exclude}
            onChange={(e) => onChange({ exclude: e.currentTarget.checked })}
            disabled={disabled}
            mb={8}
          />
          {!disabled && (
            <ActionIcon variant="subtle" color="red" aria-label={t('marketing.builder.removeRule', { n })} onClick={onRemove} mb={4} ml="auto">
              <IconTrash size={18} />
            </ActionIcon>
          )}
        </Group>
        {enumeration && (
          <MultiSelect
            label={t('marketing.builder.values', { n })}
            data={options(enumeration.group, enumeration.values)}
            value={row.values}
            onChange={(values) => onChange({ values })}
            disabled={disabled}
            clearable
          />
        )}
        {row.criterion === 'kind' && (
          <Select
            label={t('marketing.builder.kind', { n })}
            data={options('kind', ['person', 'organisation'])}
            value={row.kind}
            onChange={(v) => v && onChange({ kind: v as RuleRow['kind'] })}
            allowDeselect={false}
            disabled={disabled}
            w={{ base: '100%', xs: 240 }}
          />
        )}
        {row.criterion === 'tags' && (
          <TagsInput label={t('marketing.builder.tags', { n })} value={row.values} onChange={(values) => onChange({ values })} disabled={disabled} />
        )}
        {row.criterion === 'rfm' && (
          <Group gap="sm" wrap="wrap">
            {(['r', 'f', 'm'] as const).map((k) => (
              <NumberInput
                key={k}
                label={t(k === 'r' ? 'marketing.builder.rfmR' : k === 'f' ? 'marketing.builder.rfmF' : 'marketing.builder.rfmM', { n })}
                min={1}
                max={5}
                allowDecimal={false}
                value={row[k]}
                onChange={(v) => onChange({ [k]: typeof v === 'number' ? v : '' })}
                disabled={disabled}
                w={{ base: '100%', xs: 200 }}
              />
            ))}
          </Group>
        )}
        {row.criterion === 'consent' && (
          <Group gap="sm" wrap="wrap">
            <Select
              label={t('marketing.builder.channel', { n })}
              data={options('channel', CONSENT_CHANNELS)}
              value={row.channel}
              onChange={(channel) => onChange({ channel })}
              disabled={disabled}
              w={{ base: '100%', xs: 200 }}
            />
            <TextInput
              label={t('marketing.builder.purpose', { n })}
              placeholder="offers"
              value={row.purpose}
              onChange={(e) => onChange({ purpose: e.currentTarget.value })}
              disabled={disabled}
              w={{ base: '100%', xs: 200 }}
            />
          </Group>
        )}
        {row.criterion === 'interactions' && (
          <Group gap="sm" wrap="wrap" align="flex-end">
            <Select
              label={t('marketing.builder.channel', { n })}
              placeholder={t('marketing.builder.anyChannel')}
              data={options('channel', ['face-to-face', 'phone', 'email', 'web', 'sms', 'mail', 'portal', 'ivr'])}
              value={row.channel}
              onChange={(channel) => onChange({ channel })}
              clearable
              disabled={disabled}
              w={{ base: '100%', xs: 200 }}
            />
            {numberProps('lastDays', 'marketing.builder.lastDays', 36500)}
          </Group>
        )}
        {(row.criterion === 'purchased' || row.criterion === 'campaignResponse') && (
          <Group gap="sm" wrap="wrap" align="flex-end">
            {numberProps('lastDays', 'marketing.builder.lastDays', 36500)}
            {numberProps('minCount', 'marketing.builder.minCount', 1000)}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function SegmentMembers({ segmentId }: { segmentId: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const members = $marketing.useQuery(
    'get',
    '/segments/{id}/members',
    { params: { path: { id: segmentId }, query: { limit: 20, ...(cursor && { cursor }) } } },
    { placeholderData: keepPreviousData, refetchInterval: (q) => (q.state.data?.items.length ? false : 2_000) },
  );
  useEffect(() => setCursors([]), [segmentId]);
  return (
    <Stack gap="sm" component="section" aria-labelledby="segment-members">
      <Title order={2} id="segment-members">
        {t('marketing.builder.membersTitle')}
      </Title>
      <QueryState query={members}>
        {(page) =>
          page.items.length === 0 ? (
            <Text c="dimmed">{t('marketing.builder.noMembers')}</Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={480} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
                <Table striped aria-labelledby="segment-members">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('marketing.builder.customer')}</Table.Th>
                      <Table.Th>{t('marketing.builder.since')}</Table.Th>
                      <Table.Th>{t('marketing.builder.revision')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.items.map((m) => (
                      <Table.Tr key={m.customerId}>
                        <Table.Td>
                          <Link to={`/customers/${m.customerId}`}>{m.name ?? m.customerId}</Link>
                        </Table.Td>
                        <Table.Td>{formatDateTime(m.since)}</Table.Td>
                        <Table.Td>{m.segmentRevision}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group>
                <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  {t('marketing.pager.previous')}
                </Button>
                <Button variant="default" disabled={!page.nextCursor} onClick={() => page.nextCursor && setCursors((c) => [...c, page.nextCursor!])}>
                  {t('marketing.pager.next')}
                </Button>
              </Group>
            </>
          )
        }
      </QueryState>
    </Stack>
  );
}
