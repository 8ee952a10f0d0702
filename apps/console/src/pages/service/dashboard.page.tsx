import { useMemo } from 'react';
import { BarChart, ScatterChart } from '@mantine/charts';
import { Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import dayjs from 'dayjs';
import { $analytics, $service } from '../../api/clients';
import { formatNumber, formatPercent, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? 0 : Math.round(v * 1000) / 10);

/** Contact-centre dashboards: first-contact resolution, SLA attainment, and the teams' DEA efficiency frontier. */
export function DashboardPage() {
  // The window: the last 30 days up to the next minute (the attainment route takes instants).
  const window = useMemo(
    () => ({ from: dayjs().subtract(30, 'day').startOf('day').toISOString(), to: dayjs().add(1, 'minute').startOf('minute').toISOString() }),
    [],
  );
  const measures = $analytics.useQuery('get', '/contact-centre/measures', { params: { query: { groupBy: 'team' } } }, { retry: false });
  const attainment = $service.useQuery('get', '/service-levels/attainment', { params: { query: { ...window, groupBy: 'team' } } }, { retry: false });
  const efficiency = $analytics.useQuery('get', '/contact-centre/efficiency', { params: { query: { model: 'ccr' } } }, { retry: false });

  return (
    <Stack gap="md">
      <div>
        <Title order={1}>{t('service.dashboard.title')}</Title>
        <Text c="dimmed" mt={4}>
          {t('service.dashboard.intro')}
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder component="section" aria-labelledby="dash-fcr">
          <Title order={2} size="h4" id="dash-fcr" mb="sm">
            {t('service.dashboard.fcr')}
          </Title>
          <QueryState query={measures}>
            {(m) => {
              const rows = (m.groups ?? []).filter((g) => (g.cases?.resolved ?? 0) > 0);
              if (rows.length === 0) return <Text size="sm">{t('service.dashboard.noFcr')}</Text>;
              const data = rows.map((g) => ({
                team: g.group ?? '',
                fcr: pct(g.cases?.firstContactResolutionRate),
                reopen: pct(g.cases?.reopenRate),
              }));
              return (
                <figure style={{ margin: 0 }} aria-label={t('service.dashboard.fcr')} data-chart="fcr">
                  <BarChart
                    h={260}
                    data={data}
                    dataKey="team"
                    unit="%"
                    yAxisProps={{ domain: [0, 100] }}
                    withLegend
                    series={[
                      { name: 'fcr', label: t('service.dashboard.fcrRate'), color: 'blue.8' },
                      { name: 'reopen', label: t('service.dashboard.reopenRate'), color: 'grape.8' },
                    ]}
                  />
                  <Table.ScrollContainer minWidth={360} mt="sm">
                    <Table aria-label={t('service.dashboard.fcr')}>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('service.dashboard.unit')}</Table.Th>
                          <Table.Th>{t('service.dashboard.resolved')}</Table.Th>
                          <Table.Th>{t('service.dashboard.fcrRate')}</Table.Th>
                          <Table.Th>{t('service.dashboard.csat')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {rows.map((g) => (
                          <Table.Tr key={g.group}>
                            <Table.Td>{g.group}</Table.Td>
                            <Table.Td>{g.cases?.resolved ?? 0}</Table.Td>
                            <Table.Td>{g.cases?.firstContactResolutionRate == null ? '—' : formatPercent(g.cases.firstContactResolutionRate)}</Table.Td>
                            <Table.Td>{g.satisfaction?.csat == null ? '—' : formatPercent(g.satisfaction.csat)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </figure>
              );
            }}
          </QueryState>
        </Card>

        <Card withBorder component="section" aria-labelledby="dash-sla">
          <Title order={2} size="h4" id="dash-sla" mb="sm">
            {t('service.dashboard.attainment')}
          </Title>
          <QueryState query={attainment}>
            {(a) => {
              const groups = [...new Set(a.items.map((i) => i.group))].sort();
              if (groups.length === 0) return <Text size="sm">{t('service.dashboard.noAttainment')}</Text>;
              const data = groups.map((group) => {
                const row: Record<string, string | number> = { group };
                for (const metric of ['first-response', 'resolution'] as const) {
                  const item = a.items.find((i) => i.group === group && i.metric === metric);
                  row[metric] = item?.attainment === undefined ? 0 : pct(item.attainment);
                }
                return row;
              });
              return (
                <figure style={{ margin: 0 }} aria-label={t('service.dashboard.attainment')} data-chart="attainment">
                  <BarChart
                    h={260}
                    data={data}
                    dataKey="group"
                    unit="%"
                    yAxisProps={{ domain: [0, 100] }}
                    withLegend
                    series={[
                      { name: 'first-response', label: t('service.metric.first-response'), color: 'teal.9' },
                      { name: 'resolution', label: t('service.metric.resolution'), color: 'indigo.8' },
                    ]}
                  />
                  <Table.ScrollContainer minWidth={420} mt="sm">
                    <Table aria-label={t('service.dashboard.attainment')}>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('service.dashboard.group')}</Table.Th>
                          <Table.Th>{t('service.sla.label')}</Table.Th>
                          <Table.Th>{t('service.dashboard.met')}</Table.Th>
                          <Table.Th>{t('service.dashboard.breached')}</Table.Th>
                          <Table.Th>{t('service.dashboard.openClocks')}</Table.Th>
                          <Table.Th>{t('service.dashboard.attainmentRate')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {a.items.map((i) => (
                          <Table.Tr key={`${i.group}-${i.metric}`}>
                            <Table.Td>{i.group}</Table.Td>
                            <Table.Td>{t(`service.metric.${i.metric}`)}</Table.Td>
                            <Table.Td>{i.met}</Table.Td>
                            <Table.Td>{i.breached}</Table.Td>
                            <Table.Td>{i.open}</Table.Td>
                            <Table.Td>{i.attainment === undefined ? '—' : formatPercent(i.attainment)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </figure>
              );
            }}
          </QueryState>
        </Card>
      </SimpleGrid>

      <Card withBorder component="section" aria-labelledby="dash-dea">
        <Title order={2} size="h4" id="dash-dea" mb="xs">
          {t('service.dashboard.efficiency')}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t('service.dashboard.efficiencyHint')}
        </Text>
        <QueryState query={efficiency}>
          {(e) => {
            const units = e.units ?? [];
            const inputs = e.inputs ?? [];
            const outputs = e.outputs ?? [];
            const hoursAt = Math.max(0, inputs.indexOf('staffedHours'));
            const resolvedAt = Math.max(0, outputs.indexOf('casesResolved'));
            const point = (u: (typeof units)[number]) => ({
              hours: Math.round((u.inputs?.[hoursAt] ?? 0) * 100) / 100,
              resolved: u.outputs?.[resolvedAt] ?? 0,
            });
            const excluded = e.excluded ?? [];
            return (
              <Stack gap="sm">
                {units.length === 0 ? (
                  <Text size="sm">{t('service.dashboard.noUnits')}</Text>
                ) : (
                  <figure style={{ margin: 0 }} aria-label={t('service.dashboard.efficiency')} data-chart="efficiency">
                    <ScatterChart
                      h={300}
                      dataKey={{ x: 'hours', y: 'resolved' }}
                      labels={{ x: t('service.dashboard.staffedHours'), y: t('service.dashboard.casesResolved') }}
                      withLegend
                      data={[
                        { name: t('service.dashboard.frontier'), color: 'red.9', data: units.filter((u) => u.efficient).map(point) },
                        { name: t('service.dashboard.inside'), color: 'blue.8', data: units.filter((u) => !u.efficient).map(point) },
                      ]}
                    />
                  </figure>
                )}
                {units.length > 0 ? (
                  <Table.ScrollContainer minWidth={480}>
                    <Table aria-label={t('service.dashboard.table')}>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('service.dashboard.unit')}</Table.Th>
                          <Table.Th>{t('service.dashboard.staffedHours')}</Table.Th>
                          <Table.Th>{t('service.dashboard.casesResolved')}</Table.Th>
                          <Table.Th>{t('service.dashboard.theta')}</Table.Th>
                          <Table.Th>{t('service.dashboard.peers')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {units.map((u) => (
                          <Table.Tr key={u.name} data-efficient={u.efficient ? 'true' : 'false'}>
                            <Table.Td fw={u.efficient ? 700 : 400}>
                              {u.name}
                              {u.efficient ? ` (${t('service.dashboard.frontier')})` : ''}
                            </Table.Td>
                            <Table.Td>{formatNumber(point(u).hours, 2)}</Table.Td>
                            <Table.Td>{point(u).resolved}</Table.Td>
                            <Table.Td>{u.theta === undefined ? '—' : formatPercent(u.theta, 1)}</Table.Td>
                            <Table.Td>{(u.peers ?? []).map((p) => p.name).join(', ')}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                ) : null}
                {excluded.map((x) => (
                  <Text size="sm" key={x.name}>
                    {t('service.dashboard.excluded', { name: x.name ?? '', reason: x.reason ?? '' })}
                  </Text>
                ))}
              </Stack>
            );
          }}
        </QueryState>
      </Card>
    </Stack>
  );
}
