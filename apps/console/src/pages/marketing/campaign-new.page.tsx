import '@mantine/dates/styles.css';
import { useState } from 'react';
import { ActionIcon, Button, Card, Group, NumberInput, Radio, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { $marketing, marketing, must, type MarketingSchema } from '../../api/clients';
import { t } from '../../i18n/t';
import { ErrorAlert } from '../../ui/query-state';
import { CONSENT_CHANNELS, options, type ConsentChannel } from './labels';

interface Variant {
  variantId: string;
  weight: number | '';
  subject: string;
  text: string;
}

const VARIANT_IDS = ['a', 'b', 'c', 'd'];
const blankVariant = (variantId: string): Variant => ({ variantId, weight: 1, subject: '', text: '' });

/** `/marketing/campaigns/new`: define a campaign on a segment, with A/B variants, and start it by hand or at a set time. */
export function NewCampaignPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const segments = $marketing.useQuery('get', '/segments', { params: { query: { limit: 100, status: 'active' } } });
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState('offers');
  const [segmentId, setSegmentId] = useState<string | null>(search.get('segment'));
  const [channel, setChannel] = useState<ConsentChannel>('email');
  const [delay, setDelay] = useState<number | ''>(0);
  const [variants, setVariants] = useState<Variant[]>([blankVariant('a')]);
  const [controlPercent, setControlPercent] = useState<number | ''>(10);
  const [throttle, setThrottle] = useState<number | ''>(50);
  const [attribution, setAttribution] = useState<number | ''>(14);
  const [cost, setCost] = useState<number | ''>(3);
  const [currency, setCurrency] = useState('EUR');
  const [when, setWhen] = useState<'manual' | 'at'>('manual');
  const [startAt, setStartAt] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const setVariant = (i: number, change: Partial<Variant>) => setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...change } : v)));
  const n = (v: number | '') => (typeof v === 'number' ? v : 0);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: MarketingSchema<'DefineCampaignDto'> = {
        name: name.trim(),
        purpose: purpose.trim(),
        audience: { kind: 'segment', segmentId: segmentId ?? '' },
        steps: [
          {
            stepId: 'step-1',
            channel,
            delayMinutes: n(delay),
            variants: variants.map((v) => ({
              variantId: v.variantId,
              weight: n(v.weight),
              template: { text: v.text, ...(channel === 'email' && { subject: v.subject }) },
            })),
          },
        ],
        controlBasisPoints: Math.round(n(controlPercent) * 100),
        throttlePerSecond: n(throttle),
        attributionWindowDays: n(attribution),
        costPerMessage: { amountMinor: n(cost), currency: currency.trim().toUpperCase() },
      };
      const created = must(await marketing.POST('/campaigns', { body }));
      if (when === 'at' && startAt) {
        must(
          await marketing.POST('/campaigns/{campaignId}/schedule', {
            params: { path: { campaignId: created.campaignId }, header: { 'if-match': `"${created.revision}"` } },
            body: { startAt: new Date(startAt).toISOString() },
          }),
        );
      }
      notifications.show({ message: t('marketing.setup.created'), color: 'green' });
      await queries.invalidateQueries({ queryKey: ['get', '/campaigns'] });
      navigate(`/marketing/campaigns/${created.campaignId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)}>
      <Stack gap="md" maw={900}>
        <Title order={1}>{t('marketing.setup.title')}</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('marketing.setup.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select
            label={t('marketing.setup.segment')}
            required
            data={(segments.data?.items ?? []).map((s) => ({ value: s.segmentId, label: `${s.name} (${s.members})` }))}
            value={segmentId}
            onChange={setSegmentId}
            searchable
            error={segments.error ? <ErrorAlert error={segments.error} /> : undefined}
          />
          <Select
            label={t('marketing.setup.channel')}
            data={options('channel', CONSENT_CHANNELS)}
            value={channel}
            onChange={(v) => v && setChannel(v as ConsentChannel)}
            allowDeselect={false}
          />
          <TextInput
            label={t('marketing.setup.purpose')}
            description={t('marketing.setup.purposeHint')}
            required
            value={purpose}
            onChange={(e) => setPurpose(e.currentTarget.value)}
          />
        </SimpleGrid>

        <Title order={2} size="h3">
          {t('marketing.setup.variants')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('marketing.setup.mergeHint')}
        </Text>
        {variants.map((v, i) => (
          <Card
            key={v.variantId}
            withBorder
            padding="sm"
            component="fieldset"
            aria-label={t('marketing.setup.variantN', { id: v.variantId })}
            style={{ margin: 0 }}
          >
            <Stack gap="xs">
              <Group justify="space-between">
                <Text fw={600}>{t('marketing.setup.variantN', { id: v.variantId })}</Text>
                {variants.length > 1 && (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('marketing.setup.removeVariant', { id: v.variantId })}
                    onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}
                  >
                    <IconTrash size={18} />
                  </ActionIcon>
                )}
              </Group>
              <NumberInput
                label={t('marketing.setup.weight', { id: v.variantId })}
                min={1}
                max={1000}
                allowDecimal={false}
                value={v.weight}
                onChange={(w) => setVariant(i, { weight: typeof w === 'number' ? w : '' })}
                w={{ base: '100%', xs: 200 }}
              />
              {channel === 'email' && (
                <TextInput
                  label={t('marketing.setup.subject', { id: v.variantId })}
                  required
                  value={v.subject}
                  onChange={(e) => setVariant(i, { subject: e.currentTarget.value })}
                />
              )}
              <Textarea
                label={t('marketing.setup.text', { id: v.variantId })}
                required
                autosize
                minRows={2}
                value={v.text}
                onChange={(e) => setVariant(i, { text: e.currentTarget.value })}
              />
            </Stack>
          </Card>
        ))}
        {variants.length < VARIANT_IDS.length && (
          <Button
            variant="light"
            leftSection={<IconPlus size={16} />}
            w="fit-content"
            onClick={() => setVariants((vs) => [...vs, blankVariant(VARIANT_IDS.find((id) => !vs.some((v) => v.variantId === id))!)])}
          >
            {t('marketing.setup.addVariant')}
          </Button>
        )}

        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberInput
            label={t('marketing.setup.control')}
            min={0}
            max={50}
            value={controlPercent}
            onChange={(v) => setControlPercent(typeof v === 'number' ? v : '')}
          />
          <NumberInput
            label={t('marketing.setup.delay')}
            min={0}
            allowDecimal={false}
            value={delay}
            onChange={(v) => setDelay(typeof v === 'number' ? v : '')}
          />
          <NumberInput
            label={t('marketing.setup.throttle')}
            min={1}
            allowDecimal={false}
            value={throttle}
            onChange={(v) => setThrottle(typeof v === 'number' ? v : '')}
          />
          <NumberInput
            label={t('marketing.setup.attribution')}
            min={1}
            allowDecimal={false}
            value={attribution}
            onChange={(v) => setAttribution(typeof v === 'number' ? v : '')}
          />
          <NumberInput label={t('marketing.setup.cost')} min={0} allowDecimal={false} value={cost} onChange={(v) => setCost(typeof v === 'number' ? v : '')} />
          <TextInput label={t('marketing.setup.currency')} maxLength={3} value={currency} onChange={(e) => setCurrency(e.currentTarget.value)} />
        </SimpleGrid>

        <Radio.Group label={t('marketing.setup.schedule')} value={when} onChange={(v) => setWhen(v as 'manual' | 'at')}>
          <Stack gap="xs" mt="xs">
            <Radio value="manual" label={t('marketing.setup.startManually')} />
            <Radio value="at" label={t('marketing.setup.startAt')} />
          </Stack>
        </Radio.Group>
        {when === 'at' && (
          <DateTimePicker label={t('marketing.setup.startAtLabel')} value={startAt} onChange={setStartAt} required w={{ base: '100%', xs: 300 }} />
        )}
        {error !== undefined && <ErrorAlert error={error} />}
        <Button type="submit" loading={busy} w="fit-content">
          {t('marketing.setup.submit')}
        </Button>
      </Stack>
    </form>
  );
}
