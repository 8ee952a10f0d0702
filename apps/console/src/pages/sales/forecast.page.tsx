import { useState } from 'react';
import { CompositeChart } from '@mantine/charts';
import { Card, Group, Progress, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import dayjs from 'dayjs';
import { $sales } from '../../api/clients';
import { usePrincipal } from '../../auth/use-session';
import { formatDateTime, formatMoney, formatPercent, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';

const CURRENCIES = ['EUR', 'USD', 'IDR'] as const;
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
type Currency = (typeof CURRENCIES)[number];

export function ForecastPage() {
  const principal = usePrincipal();
  const thisYear = dayjs().year();
  const [period, setPeriod] = useState<'month' | 'quarter'>('quarter');
  const [year, setYear] = useState(String(thisYear));
  const [currency, setCurrency] = useState<Currency>('EUR');
  const [whose, setWhose] = useState<'everyone' | 'mine'>('everyone');
  const owner = whose === 'mine' ? principal.subject : undefined;
  const forecast = $sales.useQuery('get', '/forecast', {
    params: { query: { period, from: `${year}-01-01`, to: `${year}-12-31`, currency, ...(owner && { owner }) } },
  });
  const targets = $sales.useQuery('get', '/sales-targets', { params: { query: {} } });
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const major = (minor: number) => minor / 10 ** digits;
  return (
    <Stack>
      <Title order={1}>{t('sales.forecast.title')}</Title>
      <Text c="dimmed">{t('sales.forecast.intro')}</Text>
      <Group align="end">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="forecast-period">
            {t('sales.forecast.period')}
          </Text>
          <SegmentedControl
            aria-labelledby="forecast-period"
            value={period}
            onChange={(v) => setPeriod(v as 'month' | 'quarter')}
            data={[
              { value: 'quarter', label: t('sales.forecast.periods.quarter') },
              { value: 'month', label: t('sales.forecast.periods.month') },
            ]}
          />
        </Stack>
        <Select
          label={t('sales.forecast.year')}
          data={[thisYear - 1, thisYear, thisYear + 1].map(String)}
          value={year}
          onChange={(v) => v && setYear(v)}
          allowDeselect={false}
          w={120}
        />
        <Select
          label={t('sales.forecast.currency')}
          data={[...CURRENCIES]}
          value={currency}
          onChange={(v) => v && setCurrency(v as Currency)}
          allowDeselect={false}
          w={120}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="forecast-whose">
            {t('sales.forecast.whose')}
          </Text>
          <SegmentedControl
            aria-labelledby="forecast-whose"
            value={whose}
            onChange={(v) => setWhose(v as 'everyone' | 'mine')}
            data={[
              { value: 'everyone', label: t('sales.board.everyone') },
              { value: 'mine', label: t('sales.board.mine') },
            ]}
          />
        </Stack>
      </Group>
      <QueryState query={forecast}>
        {(data) => {
          const targetOf = (p: string) =>
            (targets.data?.targets ?? [])
              .filter((x) => x.period === p && x.scope === 'owner' && x.currency === currency && (!owner || x.subject === owner))
              .reduce((sum, x) => sum + x.amount, 0);
          const rows = data.rows.map((r) => ({
            period: r.period,
            pipeline: major(r.pipeline.amount),
            bestCase: major(r.bestCase.amount),
            commit: major(r.commit.amount),
            closed: major(r.closed.amount),
            target: major(targetOf(r.period)),
            minor: { pipeline: r.pipeline.amount, bestCase: r.bestCase.amount, commit: r.commit.amount, closed: r.closed.amount, target: targetOf(r.period) },
          }));
          return (
            <>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  {t('sales.forecast.chartTitle', { period: t(`sales.forecast.periods.${period}`), currency })}
                </Title>
                <div role="img" aria-label={t('sales.forecast.chartLabel')}>
                  <CompositeChart
                    h={320}
                    data={rows}
                    dataKey="period"
                    withLegend
                    valueFormatter={(v) => formatMoney(Math.round(v * 10 ** digits), currency)}
                    yAxisProps={{ width: 72, tickFormatter: (v: number) => compact.format(v) }}
                    series={[
                      { name: 'closed', label: t('sales.forecast.categories.closed'), color: 'teal.7', type: 'bar' },
                      { name: 'commit', label: t('sales.forecast.categories.commit'), color: 'blue.7', type: 'bar' },
                      { name: 'bestCase', label: t('sales.forecast.categories.bestCase'), color: 'violet.5', type: 'bar' },
                      { name: 'pipeline', label: t('sales.forecast.categories.pipeline'), color: 'gray.5', type: 'bar' },
                      { name: 'target', label: t('sales.forecast.categories.target'), color: 'red.7', type: 'line' },
                    ]}
                  />
                </div>
                <Text size="xs" c="dimmed" mt="xs">
                  {t('sales.forecast.ratesOn', { day: data.ratesOn, asOf: formatDateTime(data.asOf) })}
                </Text>
              </Card>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  {t('sales.forecast.table')}
                </Title>
                <Table.ScrollContainer minWidth={600}>
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('sales.forecast.periodColumn')}</Table.Th>
                        {(['pipeline', 'bestCase', 'commit', 'closed', 'target'] as const).map((k) => (
                          <Table.Th key={k} ta="right">
                            {t(`sales.forecast.categories.${k}`)}
                          </Table.Th>
                        ))}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rows.map((r) => (
                        <Table.Tr key={r.period}>
                          <Table.Td>{r.period}</Table.Td>
                          {(['pipeline', 'bestCase', 'commit', 'closed', 'target'] as const).map((k) => (
                            <Table.Td key={k} ta="right">
                              {formatMoney(r.minor[k], currency)}
                            </Table.Td>
                          ))}
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </Card>
              <Attainment
                periods={rows.map((r) => r.period)}
                current={data.rows.find((r) => r.start <= data.asOf.slice(0, 10) && data.asOf.slice(0, 10) <= r.end)?.period}
                owner={owner}
              />
            </>
          );
        }}
      </QueryState>
    </Stack>
  );
}

function Attainment({ periods, current, owner }: { periods: string[]; current?: string; owner?: string }) {
  const [picked, setPicked] = useState<string | null>(null);
  const period = picked && periods.includes(picked) ? picked : (current ?? periods[0] ?? '');
  const attainment = $sales.useQuery('get', '/sales-targets/attainment', { params: { query: { period, ...(owner && { owner }) } } }, { enabled: !!period });
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {t('sales.forecast.attainmentOf', { period })}
        </Title>
        <Select label={t('sales.forecast.attainmentPeriod')} data={periods} value={period} onChange={setPicked} allowDeselect={false} w={160} />
      </Group>
      {period && (
        <QueryState query={attainment}>
          {(data) =>
            data.items.length ? (
              <Table.ScrollContainer minWidth={560}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('sales.forecast.subject')}</Table.Th>
                      <Table.Th ta="right">{t('sales.forecast.target')}</Table.Th>
                      <Table.Th ta="right">{t('sales.forecast.won')}</Table.Th>
                      <Table.Th>{t('sales.forecast.attained')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((a) => {
                      const ratio = a.attainmentBasisPoints === null ? null : a.attainmentBasisPoints / 10_000;
                      return (
                        <Table.Tr key={`${a.scope}:${a.subject}`}>
                          <Table.Td>
                            {a.subject}{' '}
                            <Text span size="xs" c="dimmed">
                              ({t(`sales.forecast.scopes.${a.scope as 'owner' | 'team'}`)})
                            </Text>
                          </Table.Td>
                          <Table.Td ta="right">{formatMoney(a.target, a.currency)}</Table.Td>
                          <Table.Td ta="right">{formatMoney(a.won.amount, a.currency)}</Table.Td>
                          <Table.Td miw={160}>
                            {ratio === null ? (
                              '—'
                            ) : (
                              <Group gap="xs" wrap="nowrap">
                                <Progress
                                  value={Math.min(100, ratio * 100)}
                                  color={ratio >= 1 ? 'teal' : 'blue'}
                                  w={80}
                                  aria-label={t('sales.forecast.attainment')}
                                />
                                <Text size="sm">{formatPercent(ratio)}</Text>
                              </Group>
                            )}
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            ) : (
              <Text size="sm">{t('sales.forecast.noTargets')}</Text>
            )
          }
        </QueryState>
      )}
    </Card>
  );
}
