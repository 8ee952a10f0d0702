import { Badge, Box, Card, Group, NativeSelect, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Sparkline } from '@mantine/charts';
import { useSearchParams } from 'react-router';
import { withParam } from '../../ui/address';
import { $analytics } from '../../api/clients';
import type { paths } from '../../api/generated/analytics';
import { formatDateTime, formatMoney, formatNumber, formatPercent, t, type MessageKey } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { SalesForecast } from './sales-forecast';
import { ChartTable } from './shared';

type KpisAnswer = paths['/kpis']['get']['responses'][200]['content']['application/json'];
type Kpi = NonNullable<KpisAnswer['kpis']>[number];
type KpiPeriod = NonNullable<Kpi['periods']>[number];

/** The perspectives of a balanced scorecard, in its usual order; the API's keys. */
const PERSPECTIVES = ['financial', 'customer', 'process', 'people'] as const;
const SPANS = [6, 12, 24] as const;

/** The reporting window: the `months` calendar months up to and including the current one (UTC). */
export function kpiWindow(months: number, today = new Date()): { from: string; to: string } {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const from = new Date(Date.UTC(y, m - (months - 1), 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
  return { from, to };
}

/** A KPI figure in its unit: a share, money (per currency when several), days, a count or a score. */
export function formatKpi(unit: Kpi['unit'], p: Pick<KpiPeriod, 'value' | 'byCurrency'> | undefined): string {
  if (!p) return t('analytics.kpis.noValue');
  if (unit === 'minor-units') {
    const currencies = Object.entries(p.byCurrency ?? {});
    if (currencies.length) return currencies.map(([c, v]) => formatMoney(v, c)).join(' · ');
  }
  const v = p.value;
  if (v === null || v === undefined) return t('analytics.kpis.noValue');
  switch (unit) {
    case 'ratio':
      return formatPercent(v, 1);
    case 'days':
      return t('analytics.kpis.days', { days: formatNumber(v, 1) });
    case 'score':
      return formatNumber(v, 2);
    default:
      return formatNumber(v, 1);
  }
}

function formatChange(unit: Kpi['unit'], p: KpiPeriod): string | undefined {
  if (unit === 'minor-units' && p.changeByCurrency && Object.keys(p.changeByCurrency).length)
    return Object.entries(p.changeByCurrency)
      .map(([c, v]) => `${v > 0 ? '+' : ''}${formatMoney(v, c)}`)
      .join(' · ');
  if (p.change === null || p.change === undefined) return undefined;
  const sign = p.change > 0 ? '+' : '';
  if (unit === 'ratio') return `${sign}${formatNumber(p.change * 100, 1)} pp`;
  return `${sign}${formatKpi(unit, { value: p.change })}`;
}

const kpiName = (k: Kpi) => {
  const key = `analytics.kpis.names.${k.key ?? ''}` as MessageKey;
  const text = t(key);
  return text === key ? (k.name ?? k.key ?? '') : text;
};

function KpiCard({ kpi }: { kpi: Kpi }) {
  const name = kpiName(kpi);
  if (!kpi.available)
    return (
      <Card withBorder padding="md" component="article" aria-label={name}>
        <Title order={3} size="h5">
          {name}
        </Title>
        <Badge variant="light" color="gray" mt="xs" w="fit-content">
          {t('analytics.kpis.notAvailable')}
        </Badge>
        <Text size="sm" c="dimmed" mt="xs">
          {kpi.reason}
        </Text>
      </Card>
    );
  const periods = kpi.periods ?? [];
  const latest = periods[periods.length - 1];
  const change = latest && formatChange(kpi.unit, latest);
  const values = periods.map((p) => (p.value === undefined ? null : p.value));
  const first = periods.find((p) => p.value !== null && p.value !== undefined);
  return (
    <Card withBorder padding="md" component="article" aria-label={name}>
      <Title order={3} size="h5">
        {name}
      </Title>
      <Text size="xs" c="dimmed">
        {latest && t('analytics.kpis.latest', { period: latest.period ?? '' })}
      </Text>
      <Text size="xl" fw={700} data-testid={`kpi-value-${kpi.key}`}>
        {formatKpi(kpi.unit, latest)}
      </Text>
      <Text size="sm">{change ? t('analytics.kpis.change', { change }) : t('analytics.kpis.noChange')}</Text>
      <Group gap="xs" mt={4}>
        {latest?.basis !== undefined && (
          <Text size="xs" c="dimmed">
            {t('analytics.kpis.basis', { basis: formatNumber(latest.basis) })}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {t('analytics.kpis.noTarget')}
        </Text>
      </Group>
      {/* A picture of the table below: hidden from assistive technology and out of the tab order (inert). */}
      <Box inert aria-hidden mt="sm">
        <Sparkline
          h={48}
          data={values}
          connectNulls
          curveType="linear"
          color="blue"
          trendColors={{ positive: 'teal.8', negative: 'red.8', neutral: 'gray.7' }}
        />
      </Box>
      <ChartTable
        title={
          first && latest
            ? t('analytics.kpis.trendSummary', {
                name,
                first: formatKpi(kpi.unit, first),
                firstPeriod: first.period ?? '',
                last: formatKpi(kpi.unit, latest),
                lastPeriod: latest.period ?? '',
              })
            : t('analytics.kpis.trend', { name })
        }
        head={[t('analytics.kpis.period'), t('analytics.kpis.value')]}
        rows={periods.map((p) => [p.period ?? '', formatKpi(kpi.unit, p)])}
      />
    </Card>
  );
}

export function KpisPage() {
  const [params, setParams] = useSearchParams();
  const period = params.get('period') === 'quarter' ? 'quarter' : 'month';
  const months = SPANS.find((s) => String(s) === params.get('months')) ?? 12;
  const { from, to } = kpiWindow(months);
  const query = $analytics.useQuery('get', '/kpis', { params: { query: { period, from, to } } });
  const set = (key: string, value: string) => setParams(withParam(key, value), { replace: true });
  return (
    <Stack>
      <Title order={1}>{t('analytics.kpis.title')}</Title>
      <Text c="dimmed">{t('analytics.kpis.intro')}</Text>
      <Group align="end">
        <NativeSelect
          label={t('analytics.kpis.granularity')}
          value={period}
          onChange={(e) => set('period', e.currentTarget.value)}
          data={[
            { value: 'month', label: t('analytics.kpis.month') },
            { value: 'quarter', label: t('analytics.kpis.quarter') },
          ]}
        />
        <NativeSelect
          label={t('analytics.kpis.span')}
          value={String(months)}
          onChange={(e) => set('months', e.currentTarget.value)}
          data={SPANS.map((s) => ({ value: String(s), label: t('analytics.kpis.spanMonths', { months: s }) }))}
        />
      </Group>
      <QueryState query={query}>
        {(data) => (
          <Stack gap="xl">
            <Text size="sm" c="dimmed">
              {t('analytics.kpis.asOf', { asOf: data.asOf ? formatDateTime(data.asOf) : '', from: data.from ?? from, to: data.to ?? to })}
            </Text>
            {PERSPECTIVES.map((perspective) => (
              <section key={perspective} aria-labelledby={`perspective-${perspective}`}>
                <Title order={2} id={`perspective-${perspective}`} mb="sm">
                  {t(`analytics.kpis.perspectives.${perspective}`)}
                </Title>
                <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
                  {(data.kpis ?? [])
                    .filter((k) => k.perspective === perspective)
                    .map((k) => (
                      <KpiCard key={k.key} kpi={k} />
                    ))}
                </SimpleGrid>
                {perspective === 'financial' && <SalesForecast />}
              </section>
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
