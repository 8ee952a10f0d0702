import { useEffect, useState } from 'react';
import { Button, Card, Group, Slider, Text, Title } from '@mantine/core';
import { locale, t } from '../../i18n/t';

/** Moments of one history are often seconds apart: the slider names them to the second. */
const moment = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });

/**
 * The as-of slider: steps through the moments the customer's history changed (its record's changes
 * and its episodes' openings, as the CRM recorded them), the last step being now. Arrow keys, Home
 * and End move it (Mantine's Slider). A moment shows the history just after it was recorded.
 */
export function AsOfSlider({ moments, asOf, onChange }: { moments: string[]; asOf: string | null; onChange: (asOf: string | null) => void }) {
  const now = moments.length;
  const at = (i: number) => (i >= now ? null : new Date(Date.parse(moments[i]!) + 1).toISOString());
  const index =
    asOf === null
      ? now
      : Math.max(
          0,
          moments.findIndex((m) => new Date(Date.parse(m) + 1).toISOString() === asOf),
        );
  const [shown, setShown] = useState(index);
  useEffect(() => setShown(index), [index]);
  const text = (i: number) =>
    i >= now ? t('customers.asOf.now') : t('customers.asOf.step', { date: moment.format(new Date(moments[i]!)), n: i + 1, total: now });
  return (
    <Card withBorder component="section" aria-labelledby="as-of-title">
      <Group justify="space-between" wrap="wrap">
        <Title order={2} size="h4" id="as-of-title">
          {t('customers.asOf.title')}: {text(shown)}
        </Title>
        {asOf && (
          <Button size="xs" variant="light" onClick={() => onChange(null)}>
            {t('customers.asOf.reset')}
          </Button>
        )}
      </Group>
      <Text size="sm" mt={4} id="as-of-label">
        {t('customers.asOf.label')}
      </Text>
      <Slider
        mt="md"
        mb="sm"
        min={0}
        max={Math.max(now, 1)}
        step={1}
        disabled={now === 0}
        value={shown}
        onChange={setShown}
        onChangeEnd={(i) => onChange(at(i))}
        label={text}
        thumbLabel={t('customers.asOf.label')}
        marks={[{ value: 0 }, { value: Math.max(now, 1), label: t('customers.asOf.now') }]}
      />
    </Card>
  );
}
