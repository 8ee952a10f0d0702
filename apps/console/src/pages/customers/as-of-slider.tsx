import '@mantine/dates/styles.css';
import { useEffect, useState } from 'react';
import { Button, Card, Group, Slider, Text, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import { formatDate, locale, t } from '../../i18n/t';
import { endOfDay, stepAt } from './as-of';

// DateInput parses what is typed with its valueFormat
dayjs.extend(customParseFormat);

/** Moments of one history are often seconds apart: the slider names them to the second. */
const moment = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });

const dayOf = (d: Date) => dayjs(d).format('YYYY-MM-DD');

/**
 * The as-of control: a slider that steps through the moments the customer's history changed (its
 * record's changes and its episodes' openings, as the CRM recorded them), the last step being now —
 * arrow keys, Home and End move it (Mantine's Slider); a moment shows the history just after it was
 * recorded — and a date field for any day since the customer was registered, shown as it stood at
 * that day's end (an interaction between two moments is there too).
 */
export function AsOfSlider({ moments, asOf, onChange }: { moments: string[]; asOf: string | null; onChange: (asOf: string | null) => void }) {
  const now = moments.length;
  const at = (i: number) => (i >= now ? null : new Date(Date.parse(moments[i]!) + 1).toISOString());
  const [day, setDay] = useState<string | null>(null);
  const index = asOf === null ? now : stepAt(moments, asOf);
  const [shown, setShown] = useState(index);
  useEffect(() => setShown(index), [index]);
  const text = (i: number) =>
    i >= now ? t('customers.asOf.now') : t('customers.asOf.step', { date: moment.format(new Date(moments[i]!)), n: i + 1, total: now });
  const title = day && asOf ? t('customers.asOf.endOf', { date: formatDate(endOfDay(day).toISOString()) }) : text(shown);
  const pick = (value: string | null) => {
    setDay(value);
    if (!value) return onChange(null);
    const end = endOfDay(value);
    onChange(end.getTime() >= Date.now() ? null : end.toISOString());
  };
  const today = new Date();
  return (
    <Card withBorder component="section" aria-labelledby="as-of-title">
      <Group justify="space-between" wrap="wrap">
        <Title order={2} size="h4" id="as-of-title">
          {t('customers.asOf.title')}: {title}
        </Title>
        {asOf && (
          <Button
            size="xs"
            variant="light"
            onClick={() => {
              setDay(null);
              onChange(null);
            }}
          >
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
        onChangeEnd={(i) => {
          setDay(null);
          onChange(at(i));
        }}
        label={text}
        thumbLabel={t('customers.asOf.label')}
        marks={[{ value: 0 }, { value: Math.max(now, 1), label: t('customers.asOf.now') }]}
      />
      <DateInput
        label={t('customers.asOf.day')}
        description={t('customers.asOf.dayHint')}
        value={day}
        onChange={pick}
        valueFormat="YYYY-MM-DD"
        minDate={now > 0 ? dayOf(new Date(moments[0]!)) : undefined}
        maxDate={dayOf(today)}
        clearable
        clearButtonProps={{ 'aria-label': t('customers.asOf.clearDay') }}
        w={{ base: '100%', sm: 220 }}
      />
    </Card>
  );
}
